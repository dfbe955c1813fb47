package io.strata.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Arrow's own {@link FlightSqlClient}, as ADBC and pyarrow use Flight SQL: {@code GetFlightInfo}
 * for the statement, then {@code DoGet} of each endpoint, batches read as Arrow (no per-value
 * conversion). The cache mode goes as the {@code strata_cache} call header, as the Flight SQL
 * JDBC driver sends its URL property.
 */
final class FlightClient implements QueryClient {
  private final org.apache.arrow.flight.FlightClient client;
  private final FlightSqlClient sql;
  private final CallOption[] options;

  FlightClient(BufferAllocator allocator, String host, int port, String user, String password,
      String cacheMode) {
    this(allocator, host, port, user, password, cacheMode, java.util.Map.of());
  }

  /** With {@code headers} sent on every call (FlightPath's choice of path). */
  FlightClient(BufferAllocator allocator, String host, int port, String user, String password,
      String cacheMode, java.util.Map<String, String> headers) {
    client = org.apache.arrow.flight.FlightClient.builder(allocator,
        Location.forGrpcInsecure(host, port)).build();
    CredentialCallOption bearer = client.authenticateBasicToken(user, password).orElseThrow(
        () -> new IllegalStateException("Flight SQL handshake returned no token"));
    List<CallOption> o = new ArrayList<>(List.of(bearer));
    CallHeaders sent = new FlightCallHeaders();
    if (cacheMode != null) {
      sent.insert("strata_cache", cacheMode);
    }
    headers.forEach(sent::insert);
    if (!sent.keys().isEmpty()) {
      o.add(new HeaderCallOption(sent));
    }
    options = o.toArray(CallOption[]::new);
    sql = new FlightSqlClient(client);
  }

  @Override
  public RunResult run(BenchQuery query) throws Exception {
    FlightInfo info = sql.execute(query.semanticSql(), options);
    long rows = 0;
    long bytes = 0;
    for (FlightEndpoint e : info.getEndpoints()) {
      try (FlightStream stream = sql.getStream(e.getTicket(), options)) {
        VectorSchemaRoot root = stream.getRoot();
        while (stream.next()) {
          rows += root.getRowCount();
          for (FieldVector v : root.getFieldVectors()) {
            bytes += v.getBufferSize();
          }
        }
      }
    }
    return new RunResult(rows, bytes, null);
  }

  @Override
  public void close() throws Exception {
    sql.close();
  }
}
