package io.strata.acceleration.cache;

import java.time.Duration;
import java.util.Collection;
import java.util.function.BooleanSupplier;

/** Polling with a deadline, for events that happen on other threads or servers. */
final class Waiting {
  private Waiting() {}

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what);
      }
    }
  }

  /** Whether every thread is parked (waiting for a result), which is what a blocked lookup does. */
  static boolean allParked(Collection<Thread> threads) {
    for (Thread t : threads) {
      Thread.State s = t.getState();
      if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
        return false;
      }
    }
    return true;
  }
}
