package io.strata.server.sql;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels one execution of a statement from another thread, at any moment: before it starts,
 * while {@link SqlService#execute} waits for the first batch, or while its cursor streams.
 * Endpoints make one per execution and call {@link #cancel()} when the client asks.
 */
public final class SqlCancel {
  private static final Logger LOG = LoggerFactory.getLogger(SqlCancel.class);
  private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
  private volatile boolean cancelled;

  /** Cancels the execution; idempotent. */
  public void cancel() {
    cancelled = true;
    for (Runnable r : hooks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.debug("a cancel hook failed", e);
      }
    }
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** Runs {@code hook} on cancel (at once when already cancelled). */
  void onCancel(Runnable hook) {
    hooks.add(hook);
    if (cancelled) {
      hook.run();
    }
  }
}
