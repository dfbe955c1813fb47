package io.strata.jdbc;

import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.AvaticaHttpClient;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.RemoteProtobufService;
import org.apache.calcite.avatica.remote.Service;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Avatica's protobuf service that fetches the next frame of a result while the application
 * reads the current one: as soon as a frame arrives that is not the last, the fetch of the
 * rows after it is sent on a second HTTP client (one at a time per connection), and the
 * driver's own fetch of those rows takes that answer instead of asking the server again. The
 * server sees the same requests in the same order as without prefetch (one result is read
 * forward only, one request at a time); at most one frame per statement waits here.
 *
 * <p>A request that changes what a statement has open (execute, close, sync) first waits for
 * that statement's prefetch to end and drops it, so the server never receives it after them.
 * A prefetch that failed (the query was cancelled or timed out meanwhile) fails the fetch
 * that takes it, with the server's error, as the fetch itself would have.
 *
 * <p>{@code Statement.close()} does not wait for the server: its close request goes out on the
 * second client, after the statement's prefetch, and the application goes on (a close cannot
 * fail in a way JDBC lets the caller act on; the server also closes what a closed connection
 * leaves). Closing the connection waits for those closes first. This saves one of the three
 * round trips of {@code createStatement}/{@code executeQuery}/{@code close}.
 */
final class PrefetchingService extends RemoteProtobufService {
  private static final ExecutorService PREFETCH = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "strata-jdbc-prefetch");
    t.setDaemon(true);
    return t;
  });

  private record Key(String connectionId, int statementId) {}

  private record Pending(long offset, CompletableFuture<Service.Response> response) {}

  private final Supplier<RemoteProtobufService> prefetcher;
  private final Object prefetchLock = new Object();
  private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
  private volatile RemoteProtobufService second;
  /** Closes sent in the background, in order; the connection's close waits for them. */
  private CompletableFuture<Void> closing = CompletableFuture.completedFuture(null);

  /**
   * @param secondClient creates the HTTP client of prefetches (Avatica's clients keep one
   *     request context, so two threads must not share one), on the first prefetch
   */
  PrefetchingService(AvaticaHttpClient client, Supplier<AvaticaHttpClient> secondClient,
      ProtobufTranslation translation) {
    super(client, translation);
    this.prefetcher = () -> {
      RemoteProtobufService s = second;
      if (s == null) {
        synchronized (prefetchLock) {
          s = second;
          if (s == null) {
            s = new RemoteProtobufService(secondClient.get(), translation);
            second = s;
          }
        }
      }
      return s;
    };
  }

  @Override public Response _apply(Request request) {
    if (request instanceof FetchRequest f) {
      Pending p = pending.remove(new Key(f.connectionId, f.statementId));
      Response r;
      if (p != null && p.offset() == f.offset) {
        r = take(p);
      } else {
        settle(p);
        r = super._apply(request);
      }
      if (r instanceof FetchResponse fr) {
        prefetchAfter(f.connectionId, f.statementId, fr.frame, f.fetchMaxRowCount);
      }
      return r;
    }
    if (request instanceof CloseStatementRequest c) {
      Pending p = pending.remove(new Key(c.connectionId, c.statementId));
      closeLater(p, c);
      return new CloseStatementResponse(null);
    }
    Key statement = statementOf(request);
    if (statement != null) {
      settle(pending.remove(statement));
    }
    if (request instanceof CloseConnectionRequest c) {
      CompletableFuture<Void> closes;
      synchronized (this) {
        closes = closing;
      }
      closes.join();
      for (Key k : pending.keySet()) {
        if (k.connectionId().equals(c.connectionId)) {
          settle(pending.remove(k));
        }
      }
    }
    // No prefetch after an execute: its first frame's size is the server's choice, and only a
    // fetch says how many rows the application asks for at a time (its fetch size).
    return super._apply(request);
  }

  /** The statement whose open result a request replaces, or null. */
  private static Key statementOf(Request request) {
    if (request instanceof ExecuteRequest e && e.statementHandle != null) {
      return new Key(e.statementHandle.connectionId, e.statementHandle.id);
    }
    if (request instanceof PrepareAndExecuteRequest p) {
      return new Key(p.connectionId, p.statementId);
    }
    if (request instanceof SyncResultsRequest s) {
      return new Key(s.connectionId, s.statementId);
    }
    return null;
  }

  private void prefetchAfter(String connectionId, int statementId, Meta.Frame frame,
      int fetchSize) {
    if (frame == null || frame.done || !(frame.rows instanceof Collection<?> rows)
        || rows.isEmpty()) {
      return;
    }
    long next = frame.offset + rows.size();
    FetchRequest request = new FetchRequest(connectionId, statementId, next, fetchSize);
    CompletableFuture<Response> response = CompletableFuture.supplyAsync(() -> {
      RemoteProtobufService service = prefetcher.get();
      synchronized (service) { // one request at a time on the second client
        return service._apply(request);
      }
    }, PREFETCH);
    Pending old = pending.put(new Key(connectionId, statementId), new Pending(next, response));
    settle(old);
  }

  /** Sends a statement's close after its prefetch, on the second client, not waiting. */
  private void closeLater(Pending p, CloseStatementRequest request) {
    synchronized (this) {
      closing = closing.thenRunAsync(() -> {
        settle(p);
        RemoteProtobufService service = prefetcher.get();
        try {
          synchronized (service) {
            service._apply(request);
          }
        } catch (RuntimeException e) {
          // the statement is gone on the server anyway (closed connection, idle expiry)
        }
      }, PREFETCH);
    }
  }

  /** The prefetched response, or its failure as the fetch itself would have thrown it. */
  private static Response take(Pending p) {
    try {
      return p.response().join();
    } catch (CompletionException e) {
      Throwable cause = Objects.requireNonNullElse(e.getCause(), e);
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new RuntimeException(cause);
    }
  }

  /** Waits for a prefetch nobody will take, ignoring how it ended. */
  private static void settle(Pending p) {
    if (p != null) {
      try {
        p.response().join();
      } catch (RuntimeException e) {
        // nobody reads it: the statement moved on
      }
    }
  }
}
