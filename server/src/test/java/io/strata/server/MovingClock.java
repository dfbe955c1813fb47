package io.strata.server;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's clock in a test that moves time rather than sleeping: a {@link TestServer}
 * started with {@link #SETTING}{@code =true} gets this clock as its {@code Clock} bean (see
 * {@link Wiring}); {@code context().getBean(Clock.class)} hands it to the test. It starts at the
 * real time, so timestamps stored by the server look ordinary.
 */
public final class MovingClock extends Clock {
  public static final String SETTING = "strata.test.moving-clock";

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

  public void advance(Duration d) {
    now.updateAndGet(i -> i.plus(d));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  public static MovingClock of(TestServer server) {
    return (MovingClock) server.context().getBean(Clock.class);
  }

  /** Replaces the server's system clock when the setting asks for it. */
  @Factory
  @Requires(property = SETTING, value = "true")
  public static class Wiring {
    @Singleton
    @Replaces(value = Clock.class, factory = ServerFactory.class)
    Clock clock() {
      return new MovingClock();
    }
  }
}
