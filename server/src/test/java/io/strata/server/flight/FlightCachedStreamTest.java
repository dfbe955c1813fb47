package io.strata.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.query.QueryService;
import io.strata.testkit.Answers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Cached results over Flight SQL are sent as stored: a hit's record batches go to DoGet without
 * being decoded, and the answers are the same as the decoded path's ({@code strata-flight-path:
 * decoded}), the stock JDBC driver's and the SQL service's: a multi-batch entry compressed with
 * ZSTD (decompressed once for Arrow Java, sent compressed to a client that says it reads ZSTD),
 * an empty one, and a SELECT whose columns are not the entry's own (read batch by batch).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlightCachedStreamTest {
  static final long ROWS = 200_000;
  static final String MODEL = """
      name: stored
      data_source: stored
      table: main.t
      dimensions:
        - { name: id, type: number }
        - { name: k, type: number }
        - { name: label, type: string }
      measures:
        - { name: count, agg: count }
      """;
  static final String MANY = "SELECT id, k, label FROM semantic.stored WHERE id < 150000";

  TestServer server;
  FlightEndpoint endpoint;
  BufferAllocator clientMemory;
  FlightClient client;
  FlightSqlClient flight;
  CallOption auth;
  Path dir;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(Map.of("strata.query.max-rows", "1000000",
        "strata.query.batch-rows", "4096", "strata.cache.compression", "zstd"));
    endpoint = server.context().getBean(FlightEndpoint.class);
    dir = Files.createTempDirectory("strata-flight-stored");
    Path file = dir.resolve("stored.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t AS SELECT range AS id, range % 7 AS k, 'row-' || range AS label"
          + " FROM range(" + ROWS + ")");
    }
    Response added = server.admin().post("/api/v1/datasources", Map.of("name", "stored",
        "kind", "duckdb", "url", "jdbc:duckdb:" + file));
    assertThat(added.status()).as(added.toString()).isIn(200, 201);
    Response saved = server.admin().send("PUT", "/api/v1/models/stored", "application/yaml",
        MODEL);
    assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    clientMemory = new RootAllocator();
    client = FlightClient.builder(clientMemory,
        Location.forGrpcInsecure("127.0.0.1", endpoint.port())).build();
    auth = client.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD).orElseThrow();
    flight = new FlightSqlClient(client);
  }

  @AfterEach
  void endpointHoldsNothing() throws InterruptedException {
    await(() -> endpoint.allocator().getAllocatedMemory() == 0 && endpoint.openResults() == 0);
    assertThat(endpoint.allocator().getAllocatedMemory()).isZero();
    assertThat(endpoint.openResults()).isZero();
  }

  @AfterAll
  void stop() throws Exception {
    if (flight != null) {
      flight.close();
    }
    if (clientMemory != null) {
      clientMemory.close();
    }
    server.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void aMultiBatchCompressedHitIsTheSameAnswerEveryWay() throws Exception {
    Read miss = read(MANY, auth);
    long hits = l1Hits();
    Read hit = read(MANY, auth);
    assertThat(l1Hits()).as("the second read is an L1 hit").isEqualTo(hits + 1);
    Read decoded = read(MANY, auth, header(FlightSessions.PATH_HEADER, "decoded"));
    assertThat(miss.rows).hasSize(150_000);
    assertThat(hit.batches).as("batches of the hit").isGreaterThan(10);
    assertThat(hit.schema).isEqualTo(miss.schema).isEqualTo(decoded.schema);
    assertThat(hit.rows).isEqualTo(miss.rows).isEqualTo(decoded.rows);
    assertThat(hit.rows.get(149_999)).containsExactly("149999.000000", "3.000000", "row-149999");
    List<List<String>> jdbc;
    try (Connection c = DriverManager.getConnection("jdbc:arrow-flight-sql://127.0.0.1:"
        + endpoint.port() + "?useEncryption=false&user=admin&password="
        + TestServer.ADMIN_PASSWORD); Statement st = c.createStatement()) {
      jdbc = FlightSqlEndpointTest.rows(st.executeQuery(MANY));
    }
    assertThat(jdbc).isEqualTo(hit.rows);
  }

  @Test
  void zstdBodiesGoAsStoredToAClientThatReadsThem() throws Exception {
    String sql = "SELECT id, k, label FROM semantic.stored WHERE id < 100000";
    Read plain = read(sql, auth); // the miss stores the entry; Arrow Java reads it decompressed
    read(sql, auth);
    FlightInfo info = flight.execute(sql, auth);
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Basic "
        + Base64.getEncoder().encodeToString(("admin:" + TestServer.ADMIN_PASSWORD)
            .getBytes(StandardCharsets.UTF_8)));
    headers.put(Metadata.Key.of(FlightSessions.COMPRESSION_HEADER,
        Metadata.ASCII_STRING_MARSHALLER), "zstd");
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", endpoint.port())
        .usePlaintext().maxInboundMessageSize(Integer.MAX_VALUE).build();
    List<List<String>> rows = new ArrayList<>();
    int compressed = 0;
    try {
      Iterator<Flight.FlightData> stream = FlightServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .doGet(Flight.Ticket.newBuilder().setTicket(com.google.protobuf.ByteString.copyFrom(
              info.getEndpoints().get(0).getTicket().getBytes())).build());
      Schema schema = null;
      while (stream.hasNext()) {
        Flight.FlightData data = stream.next();
        Message m = Message.getRootAsMessage(data.getDataHeader().asReadOnlyByteBuffer());
        if (m.headerType() == MessageHeader.Schema) {
          schema = MessageSerializer.deserializeSchema(m);
          continue;
        }
        assertThat(m.headerType()).isEqualTo(MessageHeader.RecordBatch);
        RecordBatch fb = (RecordBatch) m.header(new RecordBatch());
        if (fb.compression() != null && fb.compression().codec() == CompressionType.ZSTD) {
          compressed++;
        }
        byte[] body = data.getDataBody().toByteArray();
        ArrowBuf buf = clientMemory.buffer(Math.max(1, body.length));
        buf.setBytes(0, body);
        buf.writerIndex(body.length);
        try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(fb, buf);
            VectorSchemaRoot root = VectorSchemaRoot.create(schema, clientMemory)) {
          new VectorLoader(root, CommonsCompressionFactory.INSTANCE).load(batch);
          rows.addAll(rows(root));
        }
      }
      assertThat(schema).isEqualTo(plain.schema);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(compressed).as("record batches sent with ZSTD bodies").isGreaterThan(1);
    assertThat(rows).isEqualTo(plain.rows);
  }

  @Test
  void anEmptyHitIsItsSchemaAndNoRows() throws Exception {
    String sql = "SELECT id, k, label FROM semantic.stored WHERE id < 0";
    Read miss = read(sql, auth);
    long hits = l1Hits();
    Read hit = read(sql, auth);
    assertThat(l1Hits()).isEqualTo(hits + 1);
    assertThat(hit.rows).isEmpty();
    assertThat(miss.rows).isEmpty();
    assertThat(hit.schema).isEqualTo(miss.schema);
    assertThat(hit.schema.getFields()).extracting(f -> f.getName())
        .containsExactly("id", "k", "label");
  }

  @Test
  void columnsInAnotherOrderThanTheEntryAreReadBatchByBatch() throws Exception {
    String ordered = "SELECT k, MEASURE(count) AS n FROM semantic.stored GROUP BY k ORDER BY k";
    String swapped = "SELECT MEASURE(count) AS n, k FROM semantic.stored GROUP BY k ORDER BY k";
    read(ordered, auth);
    read(swapped, auth);
    Read a = read(ordered, auth);
    Read b = read(swapped, auth);
    assertThat(a.rows).hasSize(7);
    for (int i = 0; i < 7; i++) {
      assertThat(b.rows.get(i)).containsExactly(a.rows.get(i).get(1), a.rows.get(i).get(0));
    }
    assertThat(b.schema.getFields()).extracting(f -> f.getName()).containsExactly("n", "k");
  }

  @Test
  void anUnknownCompressionOrPathIsRefusedByName() {
    assertThatThrownBy(() -> read(MANY, auth,
        header(FlightSessions.COMPRESSION_HEADER, "zstd, brotli")))
        .isInstanceOf(FlightRuntimeException.class)
        .satisfies(e -> {
          assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("brotli").contains("zstd, lz4_frame");
        });
    assertThatThrownBy(() -> read(MANY, auth, header(FlightSessions.PATH_HEADER, "fast")))
        .isInstanceOf(FlightRuntimeException.class)
        .hasMessageContaining("'fast'").hasMessageContaining("pre-encoded");
  }

  // --------------------------------------------------------------------------- helpers

  record Read(Schema schema, List<List<String>> rows, int batches) {}

  Read read(String sql, CallOption... options) throws Exception {
    FlightInfo info = flight.execute(sql, options);
    List<List<String>> rows = new ArrayList<>();
    int batches = 0;
    Schema schema;
    try (FlightStream s = flight.getStream(info.getEndpoints().get(0).getTicket(), options)) {
      schema = s.getSchema();
      while (s.next()) {
        batches++;
        rows.addAll(rows(s.getRoot()));
      }
    }
    assertThat(schema).isEqualTo(info.getSchema());
    return new Read(schema, rows, batches);
  }

  static List<List<String>> rows(VectorSchemaRoot root) {
    List<List<String>> out = new ArrayList<>();
    for (int r = 0; r < root.getRowCount(); r++) {
      List<String> row = new ArrayList<>();
      for (FieldVector v : root.getFieldVectors()) {
        Object o = v.getObject(r);
        row.add(Answers.normalise(o instanceof Text t ? t.toString() : o, null));
      }
      out.add(row);
    }
    return out;
  }

  static CallOption header(String name, String value) {
    CallHeaders h = new FlightCallHeaders();
    h.insert(name, value);
    return new HeaderCallOption(h);
  }

  /** Results this server served from its memory so far. */
  long l1Hits() {
    return server.context().getBean(QueryService.class).cache().stats().l1Hits();
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

}
