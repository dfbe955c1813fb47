package io.strata.server.flight;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.server.sql.SqlSession;
import java.time.Duration;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * Flight SQL has no connections, so a client's settings ({@code SET strata_cache = ...}) live
 * with the bearer token it authenticated with: the Flight SQL JDBC driver keeps one token per
 * connection. A {@code strata_cache} call header (the JDBC URL property of that name, which the
 * driver sends as a header) sets the mode of a token's first call and of a call without one.
 */
final class FlightSessions implements FlightServerMiddleware.Factory<FlightSessions.Call> {
  static final FlightServerMiddleware.Key<Call> KEY = FlightServerMiddleware.Key.of("strata-session");

  private final Cache<String, SqlSession.Options> byToken = Caffeine.newBuilder()
      .expireAfterAccess(Duration.ofHours(1))
      .maximumSize(100_000)
      .build();

  @Override
  public Call onCallStarted(CallInfo info, CallHeaders headers, RequestContext context) {
    String property = headers.get("strata_cache");
    String authorization = headers.get("authorization");
    SqlSession.Options options;
    try {
      if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        options = SqlSession.Options.of(property);
      } else {
        options = byToken.get(authorization, k -> SqlSession.Options.of(property));
      }
    } catch (IllegalArgumentException e) {
      throw CallStatus.INVALID_ARGUMENT.withDescription(e.getMessage()
          + " (the strata_cache property or header: bypass, refresh or on)").toRuntimeException();
    }
    return new Call(options, compressions(headers.get(COMPRESSION_HEADER)),
        decoded(headers.get(PATH_HEADER)));
  }

  /**
   * The call header by which a client says which Arrow IPC body compressions it reads
   * ({@code zstd}, {@code lz4_frame}, comma-separated): cached batches compressed so are sent
   * as stored. Arrow Java's Flight client (and so the Flight SQL JDBC driver) reads none, so
   * without it every batch goes uncompressed.
   */
  static final String COMPRESSION_HEADER = "strata-ipc-compression";
  /**
   * {@code strata-flight-path: decoded} serves cached results the way Strata did before it sent
   * them as stored (decoded into vectors, encoded again): the baseline of the FlightPath
   * benchmark.
   */
  static final String PATH_HEADER = "strata-flight-path";

  static java.util.Set<CompressionUtil.CodecType> compressions(String header) {
    if (header == null || header.isBlank()) {
      return java.util.Set.of();
    }
    java.util.Set<CompressionUtil.CodecType> out =
        java.util.EnumSet.noneOf(CompressionUtil.CodecType.class);
    for (String part : header.split(",")) {
      String v = part.strip().toLowerCase(java.util.Locale.ROOT);
      switch (v) {
        case "zstd" -> out.add(CompressionUtil.CodecType.ZSTD);
        case "lz4", "lz4_frame" -> out.add(CompressionUtil.CodecType.LZ4_FRAME);
        case "none", "" -> { }
        default -> throw CallStatus.INVALID_ARGUMENT.withDescription("the "
            + COMPRESSION_HEADER + " header names '" + part.strip() + "', not a compression"
            + " Strata sends: zstd, lz4_frame (comma-separated) or none").toRuntimeException();
      }
    }
    return out;
  }

  private static boolean decoded(String header) {
    if (header == null || header.isBlank() || header.strip().equalsIgnoreCase("pre-encoded")) {
      return false;
    }
    if (header.strip().equalsIgnoreCase("decoded")) {
      return true;
    }
    throw CallStatus.INVALID_ARGUMENT.withDescription("the " + PATH_HEADER + " header is '"
        + header.strip() + "'; it is pre-encoded (the default) or decoded").toRuntimeException();
  }

  /** One call's view of its client's settings. */
  static final class Call implements FlightServerMiddleware {
    final SqlSession.Options options;
    /** The IPC body compressions the client reads. */
    final java.util.Set<CompressionUtil.CodecType> compressions;
    /** Whether cached results go decoded and encoded again (the benchmark's baseline). */
    final boolean decoded;

    Call(SqlSession.Options options, java.util.Set<CompressionUtil.CodecType> compressions,
        boolean decoded) {
      this.options = options;
      this.compressions = compressions;
      this.decoded = decoded;
    }

    @Override
    public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

    @Override
    public void onCallCompleted(CallStatus status) {}

    @Override
    public void onCallErrored(Throwable err) {}
  }
}
