package io.strata.server.flight;

import io.strata.server.security.SecurityContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import io.strata.server.query.QueryService;
import io.strata.server.sql.SqlCursor;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import io.strata.testkit.Answers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelFlightInfoResult;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlInfo;
import org.apache.arrow.flight.sql.util.TableRef;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.DenseUnionVector;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Flight SQL endpoint of a running server, through Arrow's {@code FlightSqlClient} (Basic
 * handshake, then the bearer token it returns) and through the stock Flight SQL JDBC driver:
 * metadata, the answers the REST API and {@link SqlService} give, prepared statements, a
 * million-row stream under back-pressure, cancellation, errors and authentication. After every
 * test the endpoint holds no Arrow memory and no open result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlightSqlEndpointTest {
  static final long BIG_ROWS = 1_000_000;
  static final String BY_STATUS =
      "SELECT status, MEASURE(count) FROM semantic.orders GROUP BY status ORDER BY status";
  /** A semantic table over the million rows. */
  static final String BIG_MODEL = """
      name: big
      data_source: big
      table: main.t
      dimensions:
        - { name: id, type: number }
        - { name: k, type: number }
      measures:
        - { name: count, agg: count }
      """;
  /** A DuckDB model whose one measure takes far longer than any test: 4 billion rows. */
  static final String SLOW_MODEL = """
      name: slow
      data_source: demo
      sql: >-
        SELECT a.x, b.y FROM UNNEST(generate_series(0, 99999)) AS a(x)
        CROSS JOIN UNNEST(generate_series(0, 39999)) AS b(y)
      dimensions:
        - { name: x, type: number }
      measures:
        - { name: matches, agg: count, filter: "(x * y) % 7 = 3" }
      """;

  TestServer server;
  io.strata.server.flight.FlightEndpoint endpoint;
  BufferAllocator clientMemory;
  FlightClient client;
  FlightSqlClient flight;
  CallOption auth;
  Path dir;

  @BeforeAll
  void start() throws Exception {
    server = TestServer.start(Map.of("strata.query.max-rows", "2000000"));
    endpoint = server.context().getBean(io.strata.server.flight.FlightEndpoint.class);
    assertThat(endpoint.port()).isPositive();

    dir = Files.createTempDirectory("strata-flight-test");
    Path big = dir.resolve("big.duckdb");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + big);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t AS SELECT range AS id, range % 7 AS k, 'row-' || range AS label"
          + " FROM range(" + BIG_ROWS + ")");
    }
    Response added = server.admin().post("/api/v1/datasources", Map.of("name", "big",
        "kind", "duckdb", "url", "jdbc:duckdb:" + big));
    assertThat(added.status()).as(added.toString()).isIn(200, 201);
    for (String[] model : new String[][] {{"big", BIG_MODEL}, {"slow", SLOW_MODEL}}) {
      Response saved = server.admin().send("PUT", "/api/v1/models/" + model[0],
          "application/yaml", model[1]);
      assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    }

    clientMemory = new RootAllocator();
    client = FlightClient.builder(clientMemory, location()).build();
    auth = client.authenticateBasicToken("admin", TestServer.ADMIN_PASSWORD).orElseThrow();
    flight = new FlightSqlClient(client);
  }

  @AfterEach
  void endpointHoldsNothing() throws InterruptedException {
    await("the endpoint's Arrow memory returns to zero and no result stays open",
        () -> endpoint.allocator().getAllocatedMemory() == 0 && endpoint.openResults() == 0);
    assertThat(endpoint.allocator().getAllocatedMemory()).isZero();
    assertThat(endpoint.openResults()).isZero();
    await("no query is left running", () -> queries().running().isEmpty());
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

  // --------------------------------------------------------------------------- metadata

  @Test
  void metadataThroughFlightSqlClient() throws Exception {
    assertThat(column(flight.getCatalogs(auth), 0)).contains("strata", "demo", "big")
        .isSorted();
    List<List<String>> schemas = rows(flight.getSchemas("strata", null, auth));
    assertThat(schemas).containsExactly(List.of("strata", "semantic"));
    assertThat(rows(flight.getSchemas(null, "ret%", auth))).contains(List.of("demo", "retail"));

    FlightInfo tables = flight.getTables("strata", "semantic", "ord%", null, true, auth);
    List<List<Object>> found = raw(tables);
    assertThat(found).anySatisfy(row -> {
      assertThat(row.subList(0, 4)).containsExactly("strata", "semantic", "orders", "TABLE");
      Schema schema = MessageSerializer.deserializeSchema(new ReadChannel(
          java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(
              (byte[]) row.get(4)))));
      assertThat(schema.findField("status").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
      assertThat(schema.findField("count").getType()).isEqualTo(new ArrowType.Int(64, true));
      assertThat(schema.findField("channel").getMetadata())
          .containsEntry("ARROW:FLIGHT:SQL:REMARKS", "web, store or mobile");
    });
    assertThat(rows(flight.getTables(null, null, "%", List.of("VIEW"), false, auth)))
        .contains(List.of("strata", "semantic", "sales", "VIEW"))
        .allSatisfy(r -> assertThat(r.get(3)).isEqualTo("VIEW"));
    assertThat(rows(flight.getTables("demo", "retail", "orders", null, false, auth)))
        .containsExactly(List.of("demo", "retail", "orders", "TABLE"));
    assertThat(column(flight.getTableTypes(auth), 0)).containsExactly("TABLE", "VIEW");
    assertThat(rows(flight.getPrimaryKeys(TableRef.of("strata", "semantic", "orders"), auth)))
        .containsExactly(java.util.Arrays.asList("strata", "semantic", "orders", "order_id",
            "1.000000", null));

    FlightInfo info = flight.getSqlInfo(new SqlInfo[] {SqlInfo.FLIGHT_SQL_SERVER_NAME,
        SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY}, auth);
    Map<Long, Object> values = new java.util.HashMap<>();
    try (FlightStream s = flight.getStream(info.getEndpoints().get(0).getTicket(), auth)) {
      while (s.next()) {
        VectorSchemaRoot r = s.getRoot();
        DenseUnionVector v = (DenseUnionVector) r.getVector("value");
        for (int i = 0; i < r.getRowCount(); i++) {
          values.put(((Number) r.getVector("info_name").getObject(i)).longValue(),
              v.getObject(i));
        }
      }
    }
    assertThat(String.valueOf(values.get((long) SqlInfo.FLIGHT_SQL_SERVER_NAME_VALUE)))
        .isEqualTo("Strata");
    assertThat(values.get((long) SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY_VALUE)).isEqualTo(true);
    assertThat(column(flight.getXdbcTypeInfo(auth), 0)).contains("VARCHAR", "BIGINT",
        "DECIMAL", "TIMESTAMP");
    assertThat(rows(flight.getXdbcTypeInfo(java.sql.Types.DATE, auth)))
        .singleElement().satisfies(r -> assertThat(r.get(0)).isEqualTo("DATE"));
    // what the Flight SQL JDBC driver reads is answered (the conformance suite calls every
    // DatabaseMetaData method); an id Strata does not answer is left out, not an error
    assertThat(rows(flight.getSqlInfo(new SqlInfo[] {SqlInfo.SQL_ANSI92_SUPPORTED_LEVEL}, auth)))
        .hasSize(1);
    assertThat(rows(flight.getSqlInfo(
        new SqlInfo[] {SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT_MIN_VERSION}, auth))).isEmpty();
  }

  @Test
  void metadataThroughTheJdbcDriver() throws SQLException {
    try (Connection c = jdbc()) {
      DatabaseMetaData md = c.getMetaData();
      assertThat(md.getDatabaseProductName()).isEqualTo("Strata");
      assertThat(md.isReadOnly()).isTrue();
      assertThat(md.getIdentifierQuoteString()).isEqualTo("\"");
      assertThat(md.getSQLKeywords()).contains("MEASURE");
      assertThat(md.getNumericFunctions()).contains("ABS");
      assertThat(strings(md.getCatalogs(), 1)).contains("strata", "demo");
      assertThat(strings(md.getSchemas("strata", null), 1)).containsExactly("semantic");
      assertThat(strings(md.getTables("strata", "semantic", "%", null), 3))
          .contains("orders", "customers", "sales");
      assertThat(strings(md.getTableTypes(), 1)).containsExactly("TABLE", "VIEW");
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = md.getColumns("strata", "semantic", "orders", "%")) {
        while (rs.next()) {
          columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE"));
        }
      }
      assertThat(columns).contains("status:" + java.sql.Types.VARCHAR,
          "count:" + java.sql.Types.BIGINT);
      assertThat(strings(md.getPrimaryKeys("strata", "semantic", "orders"), 4))
          .containsExactly("order_id");
    }
  }

  // --------------------------------------------------------------------------- answers

  @Test
  void semanticSelectEqualsRestAndSqlServiceThroughBothClients() throws SQLException {
    List<List<String>> rest = rest("{\"measures\":[\"orders.count\"],\"dimensions\":"
        + "[\"orders.status\"],\"order\":{\"orders.status\":\"asc\"}}");
    List<List<String>> service = service(BY_STATUS);
    same(rest, service);
    same(rest, rows(flight.execute(BY_STATUS, auth)));
    try (Connection c = jdbc(); Statement st = c.createStatement()) {
      same(rest, rows(st.executeQuery(BY_STATUS)));
      try (ResultSet rs = st.executeQuery(BY_STATUS)) {
        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
        assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("status");
        assertThat(rs.getMetaData().getColumnType(2)).isEqualTo(java.sql.Types.BIGINT);
      }
    }
    // and what the JDBC (Avatica) endpoint answers, through Avatica's stock driver
    java.util.Properties p = new java.util.Properties();
    p.setProperty("avatica_user", "admin");
    p.setProperty("avatica_password", TestServer.ADMIN_PASSWORD);
    try (Connection c = java.sql.DriverManager.getConnection(server.avaticaUrl("protobuf"), p);
        Statement st = c.createStatement()) {
      same(rest, rows(st.executeQuery(BY_STATUS)));
    }
  }

  @Test
  void rawSqlOverADataSource() throws SQLException {
    String sql = "SELECT channel, COUNT(*) AS n, MIN(ordered_at) AS first_order"
        + " FROM demo.retail.orders GROUP BY channel ORDER BY channel";
    List<List<String>> service = service(sql);
    assertThat(service).hasSize(3);
    same(service, rows(flight.execute(sql, auth)));
    try (Connection c = jdbc(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<List<String>> viaJdbc = new ArrayList<>();
      while (rs.next()) {
        viaJdbc.add(List.of(rs.getString(1), Answers.normalise(rs.getLong(2), null)));
      }
      same(service.stream().map(r -> r.subList(0, 2)).toList(), viaJdbc);
    }
  }

  @Test
  void preparedStatementsRunTwiceWithDifferentParameters() throws Exception {
    String sql = "SELECT status, MEASURE(count) FROM semantic.orders WHERE channel = ?"
        + " AND ordered_at >= ? GROUP BY status ORDER BY status";
    List<List<String>> web = service(sql, "web", LocalDate.of(2024, 1, 1));
    List<List<String>> store = service(sql, "store", LocalDate.of(2024, 1, 1));
    assertThat(web).isNotEqualTo(store);

    // the JDBC driver binds by the parameter schema: strings
    try (Connection c = jdbc(); PreparedStatement ps = c.prepareStatement(sql)) {
      assertThat(ps.getParameterMetaData().getParameterCount()).isEqualTo(2);
      assertThat(ps.getMetaData().getColumnCount()).isEqualTo(2);
      ps.setString(1, "web");
      ps.setString(2, "2024-01-01");
      same(web, rows(ps.executeQuery()));
      ps.setString(1, "store");
      same(store, rows(ps.executeQuery()));
    }

    // FlightSqlClient binds whatever Arrow types it likes: a string and a date
    Schema params = new Schema(List.of(
        new Field("channel", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
        new Field("since", FieldType.nullable(new ArrowType.Date(DateUnit.DAY)), null)));
    try (FlightSqlClient.PreparedStatement ps = flight.prepare(sql, auth);
        VectorSchemaRoot values = VectorSchemaRoot.create(params, clientMemory)) {
      assertThat(ps.getParameterSchema().getFields()).hasSize(2);
      assertThat(ps.getResultSetSchema().getFields()).hasSize(2);
      for (String channel : List.of("web", "store")) {
        values.allocateNew();
        ((VarCharVector) values.getVector(0)).setSafe(0, new Text(channel));
        ((DateDayVector) values.getVector(1)).setSafe(0,
            (int) LocalDate.of(2024, 1, 1).toEpochDay());
        values.setRowCount(1);
        ps.setParameters(values);
        same(channel.equals("web") ? web : store, rows(ps.execute(auth)));
      }
      ps.close(auth);
    }

    // raw SQL planned by Calcite: the JDBC driver's strings compare with numbers too
    String raw = "SELECT channel, COUNT(*) AS n FROM demo.retail.orders WHERE order_id <= ?"
        + " AND status = ? GROUP BY channel ORDER BY channel";
    try (Connection c = jdbc(); PreparedStatement ps = c.prepareStatement(raw)) {
      for (String limit : List.of("100", "1000")) {
        ps.setString(1, limit);
        ps.setString(2, "completed");
        same(service(raw, Long.parseLong(limit), "completed"), rows(ps.executeQuery()));
      }
    }

    // a statement without parameters, prepared and run twice
    try (FlightSqlClient.PreparedStatement ps = flight.prepare(
        "SELECT channel, COUNT(*) FROM demo.retail.orders GROUP BY channel ORDER BY channel",
        auth)) {
      assertThat(ps.getResultSetSchema().getFields()).hasSize(2);
      List<List<String>> first = rows(ps.execute(auth));
      assertThat(first).hasSize(3);
      same(first, rows(ps.execute(auth)));
      ps.close(auth);
    }
  }

  // --------------------------------------------------------------------------- volume

  @Test
  void aMillionRowsStreamUnderBackPressure() throws Exception {
    FlightInfo info = flight.execute("SELECT id, k, label FROM big.main.t", auth);
    long rows = 0;
    long sum = 0;
    try (FlightStream s = flight.getStream(info.getEndpoints().get(0).getTicket(), auth)) {
      assertThat(s.next()).isTrue();
      rows += s.getRoot().getRowCount();
      sum += sum((BigIntVector) s.getRoot().getVector("id"));
      // the client pauses: the server waits instead of pushing the rest into gRPC's buffers
      Thread.sleep(1000);
      assertThat(endpoint.openResults()).as("the stream waits for the client").isEqualTo(1);
      while (s.next()) {
        rows += s.getRoot().getRowCount();
        sum += sum((BigIntVector) s.getRoot().getVector("id"));
      }
    }
    assertThat(rows).isEqualTo(BIG_ROWS);
    assertThat(sum).isEqualTo(BIG_ROWS * (BIG_ROWS - 1) / 2);

    try (Connection c = jdbc(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM big.main.t")) {
      long n = 0;
      long total = 0;
      while (rs.next()) {
        n++;
        total += rs.getLong(1);
      }
      assertThat(n).isEqualTo(BIG_ROWS);
      assertThat(total).isEqualTo(BIG_ROWS * (BIG_ROWS - 1) / 2);
    }
  }

  // --------------------------------------------------------------------------- cancel

  @Test
  void aQueryCancelledWhileItRunsStopsAtTheWarehouse() throws Exception {
    io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        call.call(() -> flight.execute("SELECT MEASURE(matches) FROM semantic.slow", auth));
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    await("the slow query runs", () -> !queries().running().isEmpty());
    call.cancel(null);
    Throwable t = outcome.get(30, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(FlightRuntimeException.class);
    assertThat(((FlightRuntimeException) t).status().code()).isEqualTo(FlightStatusCode.CANCELLED);
    long cancelled = System.nanoTime();
    await("the query leaves the running list", () -> queries().running().isEmpty());
    assertThat(System.nanoTime() - cancelled).isLessThan(TimeUnit.SECONDS.toNanos(10));
    JsonNode log = server.admin().get("/api/v1/queries?limit=20").json();
    assertThat(log.toString()).contains("semantic.slow");
    boolean logged = false;
    for (JsonNode e : log.isArray() ? log : log.path("entries")) {
      if (e.path("queryText").asText().startsWith("SELECT MEASURE(matches)")) {
        assertThat(e.path("errorCode").asText()).isEqualTo("CANCELLED");
        assertThat(e.path("endpoint").asText()).isEqualTo("flight");
        logged = true;
      }
    }
    assertThat(logged).as(log.toString()).isTrue();
  }

  @Test
  void cancelFlightInfoAndJdbcCancelStopAStreamingQuery() throws Exception {
    String sql = "SELECT id, k FROM semantic.big";
    FlightInfo info = flight.execute(sql, auth);
    try (FlightStream s = flight.getStream(info.getEndpoints().get(0).getTicket(), auth)) {
      assertThat(s.next()).isTrue();
      assertThat(queries().running()).hasSize(1);
      CancelFlightInfoResult r = flight.cancelFlightInfo(new CancelFlightInfoRequest(info), auth);
      assertThat(r.getStatus()).isEqualTo(CancelStatus.CANCELLED);
      assertThatThrownBy(() -> {
        while (s.next()) {
          // what the server sent before it stopped
        }
      }).isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.CANCELLED));
    }
    await("the cancelled query leaves the running list", () -> queries().running().isEmpty());
    // a ticket that was cancelled is gone
    assertThatThrownBy(() -> rows(info)).isInstanceOf(FlightRuntimeException.class)
        .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
            .isEqualTo(FlightStatusCode.NOT_FOUND));

    try (Connection c = jdbc(); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery(sql);
      assertThat(rs.next()).isTrue();
      await("the JDBC query runs", () -> queries().running().size() == 1);
      st.cancel();
      await("the JDBC query leaves the running list", () -> queries().running().isEmpty());
      assertThatThrownBy(() -> {
        while (rs.next()) {
          // rows received before the cancel
        }
      }).isInstanceOf(SQLException.class);
    }
  }

  // --------------------------------------------------------------------------- errors

  @Test
  void badSqlIsInvalidArgumentWithItsPosition() throws SQLException {
    assertThatThrownBy(() -> flight.execute("SELECT nope FROM semantic.orders", auth))
        .isInstanceOf(FlightRuntimeException.class)
        .hasMessageContaining("no column 'nope'").hasMessageContaining("line 1, column 8")
        .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
            .isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> flight.prepare("SELECT FROM WHERE", auth))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("line 1, column")
        .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
            .isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    try (Connection c = jdbc(); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.executeQuery("SELECT nope FROM semantic.orders"))
          .isInstanceOf(SQLException.class).hasMessageContaining("line 1, column 8");
      // the connection still works
      assertThat(rows(st.executeQuery("SELECT 1 AS x"))).containsExactly(List.of("1.000000"));
    }
  }

  @Test
  void writesAreRefused() throws SQLException {
    assertThatThrownBy(() -> flight.execute("CREATE TABLE t (x INT)", auth))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("read-only")
        .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
            .isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> flight.executeUpdate("DELETE FROM demo.retail.orders", auth))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("read-only")
        .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
            .isEqualTo(FlightStatusCode.UNIMPLEMENTED));
    assertThatThrownBy(() -> flight.beginTransaction(auth))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining("read-only");
    try (Connection c = jdbc(); Statement st = c.createStatement()) {
      for (String ddl : List.of("DROP TABLE demo.retail.orders",
          "INSERT INTO demo.retail.orders VALUES (1)")) {
        assertThatThrownBy(() -> st.execute(ddl)).as(ddl).isInstanceOf(SQLException.class)
            .hasMessageContaining("read-only");
      }
    }
    Response count = server.admin().post("/api/v1/sql",
        "{\"sql\":\"SELECT COUNT(*) AS n FROM demo.retail.orders\"}");
    assertThat(count.status()).as(count.toString()).isEqualTo(200);
    assertThat(count.json().path("data").get(0).get(0).asLong()).isPositive();
  }

  // --------------------------------------------------------------------------- auth

  @Test
  void wrongCredentialsAreUnauthenticated() {
    try (FlightClient other = FlightClient.builder(clientMemory, location()).build()) {
      assertThatThrownBy(() -> other.authenticateBasicToken("admin", "wrong"))
          .isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
      FlightSqlClient sql = new FlightSqlClient(other);
      for (String token : List.of("strata_pat_not-a-token", "not-a-generated-token")) {
        assertThatThrownBy(() -> sql.execute("SELECT 1", bearer(token))).as(token)
            .isInstanceOf(FlightRuntimeException.class)
            .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
                .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
      }
      assertThatThrownBy(() -> sql.getCatalogs())
          .isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> DriverManager.getConnection(url() + "&user=admin&password=wrong"))
        .isInstanceOf(SQLException.class);
  }

  @Test
  void apiTokensAreBearerTokens() throws Exception {
    Response created = server.admin().post("/api/v1/tokens", Map.of("name", "flight-test"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String secret = created.json().path("secret").asText();
    assertThat(secret).startsWith("strata_pat_");
    try (FlightClient other = FlightClient.builder(clientMemory, location()).build()) {
      FlightSqlClient sql = new FlightSqlClient(other);
      same(service(BY_STATUS), rows(sql, sql.execute(BY_STATUS, bearer(secret)),
          bearer(secret)));
    }
    try (Connection c = DriverManager.getConnection(url() + "&token=" + secret);
        Statement st = c.createStatement()) {
      same(service(BY_STATUS), rows(st.executeQuery(BY_STATUS)));
    }
    // revoked: refused
    long id = created.json().path("token").path("id").asLong();
    assertThat(server.admin().delete("/api/v1/tokens/" + id).status()).isIn(200, 204);
    try (FlightClient other = FlightClient.builder(clientMemory, location()).build()) {
      FlightSqlClient sql = new FlightSqlClient(other);
      assertThatThrownBy(() -> sql.execute("SELECT 1", bearer(secret)))
          .isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    }
  }

  /**
   * The endpoint remembers who a peer is between calls (no metadata read per call), but a user
   * disabled through this server is refused on the very next call, with the token it has.
   */
  @Test
  void aUserDisabledThroughThisServerIsRefusedAtTheNextCall() throws Exception {
    Response user = server.admin().post("/api/v1/users", Map.of("username", "flight-dis",
        "password", "flight-dis-secret-1", "role", "viewer"));
    assertThat(user.status()).as(user.toString()).isIn(200, 201);
    long id = user.json().path("id").asLong();
    try (FlightClient other = FlightClient.builder(clientMemory, location()).build()) {
      CallOption token = other.authenticateBasicToken("flight-dis", "flight-dis-secret-1")
          .orElseThrow();
      FlightSqlClient sql = new FlightSqlClient(other);
      for (int i = 0; i < 3; i++) { // remembered from the first call on
        same(service(BY_STATUS), rows(sql, sql.execute(BY_STATUS, token), token));
      }
      Response disabled = server.admin().send("PUT", "/api/v1/users/" + id, "application/json",
          "{\"disabled\": true}");
      assertThat(disabled.status()).as(disabled.toString()).isEqualTo(200);
      assertThatThrownBy(() -> sql.execute(BY_STATUS, token))
          .isInstanceOf(FlightRuntimeException.class)
          .satisfies(e -> assertThat(((FlightRuntimeException) e).status().code())
              .isEqualTo(FlightStatusCode.UNAUTHENTICATED));
    }
  }

  // --------------------------------------------------------------------------- helpers

  Location location() {
    return Location.forGrpcInsecure("127.0.0.1", endpoint.port());
  }

  String url() {
    return "jdbc:arrow-flight-sql://127.0.0.1:" + endpoint.port() + "?useEncryption=false";
  }

  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(url() + "&user=admin&password="
        + TestServer.ADMIN_PASSWORD);
  }

  static CallOption bearer(String token) {
    return new CredentialCallOption(new BearerCredentialWriter(token));
  }

  QueryService queries() {
    return server.context().getBean(QueryService.class);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  static long sum(BigIntVector v) {
    long s = 0;
    for (int i = 0; i < v.getValueCount(); i++) {
      s += v.get(i);
    }
    return s;
  }

  static void same(List<List<String>> expected, List<List<String>> actual) {
    String problem = Answers.compare(expected, actual, Set.of(), true);
    assertThat(problem).as("expected:\n" + Answers.show(expected) + "actual:\n"
        + Answers.show(actual)).isNull();
    assertThat(actual).isNotEmpty();
  }

  List<List<String>> rows(FlightInfo info) {
    return rows(flight, info, auth);
  }

  static List<List<String>> rows(FlightSqlClient sql, FlightInfo info, CallOption auth) {
    List<List<String>> out = new ArrayList<>();
    for (List<Object> row : raw(sql, info, auth)) {
      List<String> values = new ArrayList<>();
      row.forEach(v -> values.add(Answers.normalise(v, null)));
      out.add(values);
    }
    return out;
  }

  List<List<Object>> raw(FlightInfo info) {
    return raw(flight, info, auth);
  }

  static List<List<Object>> raw(FlightSqlClient sql, FlightInfo info, CallOption auth) {
    List<List<Object>> out = new ArrayList<>();
    for (FlightEndpoint e : info.getEndpoints()) {
      try (FlightStream s = sql.getStream(e.getTicket(), auth)) {
        while (s.next()) {
          VectorSchemaRoot root = s.getRoot();
          for (int r = 0; r < root.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : root.getFieldVectors()) {
              Object o = v.getObject(r);
              row.add(o instanceof Text t ? t.toString()
                  : v instanceof VarBinaryVector && o != null ? (byte[]) o : o);
            }
            out.add(row);
          }
        }
      } catch (FlightRuntimeException ex) {
        throw ex;
      } catch (Exception ex) {
        throw new AssertionError(ex);
      }
    }
    return out;
  }

  List<String> column(FlightInfo info, int column) {
    return rows(info).stream().map(r -> r.get(column)).toList();
  }

  static List<List<String>> rows(ResultSet rs) throws SQLException {
    try (rs) {
      List<List<String>> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(Answers.normalise(rs.getObject(i), null));
        }
        out.add(row);
      }
      return out;
    }
  }

  static List<String> strings(ResultSet rs, int column) throws SQLException {
    try (rs) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(column));
      }
      return out;
    }
  }

  List<List<String>> service(String sql, Object... params) {
    SqlService service = server.context().getBean(SqlService.class);
    try (SqlCursor c = service.execute(service.prepare(sql, SecurityContext.internal("admin")), List.of(params),
        new SqlSession(SecurityContext.internal("admin"), "test"))) {
      List<List<String>> out = new ArrayList<>();
      while (c.next()) {
        VectorSchemaRoot b = c.batch();
        for (int r = 0; r < b.getRowCount(); r++) {
          List<String> row = new ArrayList<>();
          for (FieldVector v : b.getFieldVectors()) {
            Object o = v.getObject(r);
            row.add(Answers.normalise(o instanceof Text t ? t.toString() : o, null));
          }
          out.add(row);
        }
      }
      return out;
    }
  }

  List<List<String>> rest(String query) {
    return server.answer(query);
  }

}
