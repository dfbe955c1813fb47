package io.strata.server.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import io.strata.server.api.ChunkStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A job's server-sent events as a byte stream: an {@code event: job} with the job's JSON at
 * once and each time it changes (checked every poll interval), a comment line every 15 s so
 * proxies keep the connection, and the end of the stream after the job's final state.
 */
final class JobEvents extends ChunkStream {
  private static final long KEEPALIVE_NANOS = 15_000_000_000L;
  private final Supplier<JobsController.JobView> job;
  private final ObjectMapper mapper;
  private final long pollMillis;
  private String last;
  private boolean ended;
  private long lastSent = System.nanoTime();

  JobEvents(Supplier<JobsController.JobView> job, ObjectMapper mapper, Duration poll) {
    this.job = job;
    this.mapper = mapper.copy().findAndRegisterModules();
    this.pollMillis = Math.max(50, Math.min(poll.toMillis(), 1000));
  }

  @Override
  protected byte[] nextChunk() throws IOException {
    while (!ended) {
      JobsController.JobView v;
      try {
        v = job.get();
      } catch (RuntimeException e) {
        ended = true;
        return ("event: error\ndata: " + json(e.getMessage()) + "\n\n")
            .getBytes(StandardCharsets.UTF_8);
      }
      String text = mapper.writeValueAsString(v);
      if (JobState.of(v.state()).isFinal()) {
        ended = true;
      }
      if (!text.equals(last)) {
        last = text;
        lastSent = System.nanoTime();
        return ("event: job\nid: " + v.id() + "\ndata: " + text + "\n\n")
            .getBytes(StandardCharsets.UTF_8);
      }
      if (System.nanoTime() - lastSent > KEEPALIVE_NANOS) {
        lastSent = System.nanoTime();
        return ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
      }
      try {
        Thread.sleep(pollMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }
    return null;
  }

  private String json(String s) throws JsonProcessingException {
    return mapper.writeValueAsString(java.util.Map.of("message", String.valueOf(s)));
  }
}
