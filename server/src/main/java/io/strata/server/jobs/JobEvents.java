package io.strata.server.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A job's server-sent events as a byte stream: an {@code event: job} with the job's JSON at
 * once and each time it changes (checked every poll interval), a comment line every 15 s so
 * proxies keep the connection, and the end of the stream after the job's final state.
 */
final class JobEvents extends InputStream {
  private static final long KEEPALIVE_NANOS = 15_000_000_000L;
  private final Supplier<JobsController.JobView> job;
  private final ObjectMapper mapper;
  private final long pollMillis;
  private byte[] buffer = new byte[0];
  private int position;
  private String last;
  private boolean ended;
  private long lastSent = System.nanoTime();

  JobEvents(Supplier<JobsController.JobView> job, ObjectMapper mapper, Duration poll) {
    this.job = job;
    this.mapper = mapper.copy().findAndRegisterModules();
    this.pollMillis = Math.max(50, Math.min(poll.toMillis(), 1000));
  }

  private boolean fill() throws IOException {
    while (!ended) {
      JobsController.JobView v;
      try {
        v = job.get();
      } catch (RuntimeException e) {
        ended = true;
        buffer = ("event: error\ndata: " + json(e.getMessage()) + "\n\n")
            .getBytes(StandardCharsets.UTF_8);
        position = 0;
        return true;
      }
      String text = mapper.writeValueAsString(v);
      if (JobState.of(v.state()).isFinal()) {
        ended = true;
      }
      if (!text.equals(last)) {
        last = text;
        lastSent = System.nanoTime();
        buffer = ("event: job\nid: " + v.id() + "\ndata: " + text + "\n\n")
            .getBytes(StandardCharsets.UTF_8);
        position = 0;
        return true;
      }
      if (System.nanoTime() - lastSent > KEEPALIVE_NANOS) {
        lastSent = System.nanoTime();
        buffer = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
        position = 0;
        return true;
      }
      try {
        Thread.sleep(pollMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }
    return false;
  }

  private String json(String s) throws JsonProcessingException {
    return mapper.writeValueAsString(java.util.Map.of("message", String.valueOf(s)));
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (position >= buffer.length) {
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(len, buffer.length - position);
    System.arraycopy(buffer, position, b, off, n);
    position += n;
    return n;
  }
}
