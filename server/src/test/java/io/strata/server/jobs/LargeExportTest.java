package io.strata.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.TestServer;
import io.strata.server.TestServer.Client;
import io.strata.server.TestServer.Response;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;

/**
 * A million-row CSV export compared value by value with the same query's Arrow result (an async
 * query job), both read as streams: decimals, dates and text round-trip, and text cells that
 * look like formulas are neutralised.
 */
class LargeExportTest {
  static final int ROWS = 1_000_000;
  static final String MODEL = """
      name: big
      data_source: demo
      sql: >-
        SELECT i AS id, CASE WHEN i % 1000 = 7 THEN '=HYPERLINK(' || i || ')' ELSE 'row ' || i END AS label,
        CAST(i / 100.0 AS DECIMAL(18, 2)) AS amount, DATE '2024-01-01' + CAST(i % 366 AS INTEGER) AS sold_on
        FROM UNNEST(generate_series(0, 999999)) AS t(i)
      dimensions:
        - { name: id, type: number }
        - { name: label, type: string }
        - { name: amount, type: number }
        - { name: sold_on, type: time }
      """;
  static final String QUERY = "{\"dimensions\":[\"big.id\",\"big.label\",\"big.amount\","
      + "\"big.sold_on\"],\"order\":{\"big.id\":\"asc\"}}";

  @Test
  void aMillionRowExportEqualsTheArrowResult() throws Exception {
    try (TestServer server = TestServer.start(Map.of("strata.workers.poll-interval", "100ms",
        "strata.query.max-rows", String.valueOf(ROWS), "strata.cache.max-entry-bytes", "1MB",
        "strata.query.timeout", "5m"))) {
      Client admin = server.admin();
      Response saved = admin.send("PUT", "/api/v1/models/big", "application/yaml", MODEL);
      assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
      String export = submit(admin, "{\"kind\":\"export\",\"query\":" + QUERY + "}");
      String query = submit(admin, "{\"kind\":\"query\",\"query\":" + QUERY + "}");
      JsonNode e = finished(admin, export);
      JsonNode q = finished(admin, query);
      assertThat(e.path("state").asText()).as(e.toString()).isEqualTo("succeeded");
      assertThat(q.path("state").asText()).as(q.toString()).isEqualTo("succeeded");
      assertThat(e.path("result").path("rows").asLong()).isEqualTo(ROWS);

      HttpClient http = HttpClient.newHttpClient();
      String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:"
          + TestServer.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
      try (InputStream csvIn = stream(http, server.uri("/api/v1/jobs/" + export + "/download"),
              auth, "text/csv");
          InputStream arrowIn = stream(http, server.uri("/api/v1/jobs/" + query + "/result"),
              auth, "application/vnd.apache.arrow.stream");
          BufferedReader csv = new BufferedReader(new InputStreamReader(csvIn,
              StandardCharsets.UTF_8));
          RootAllocator allocator = new RootAllocator();
          ArrowStreamReader arrow = new ArrowStreamReader(arrowIn, allocator)) {
        assertThat(csv.readLine()).isEqualTo("big.id,big.label,big.amount,big.sold_on");
        long n = 0;
        long neutralised = 0;
        while (arrow.loadNextBatch()) {
          VectorSchemaRoot b = arrow.getVectorSchemaRoot();
          for (int row = 0; row < b.getRowCount(); row++) {
            String line = csv.readLine();
            assertThat(line).as("CSV line of row " + n).isNotNull();
            String[] f = line.split(",", -1);
            assertThat(f).as(line).hasSize(4);
            long id = ((BigIntVector) b.getVector(0)).get(row);
            String label = new String(((VarCharVector) b.getVector(1)).get(row),
                StandardCharsets.UTF_8);
            BigDecimal amount = ((DecimalVector) b.getVector(2)).getObject(row);
            long micros = ((TimeStampMicroVector) b.getVector(3)).get(row);
            LocalDateTime day = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
            assertThat(Long.parseLong(f[0])).isEqualTo(id).isEqualTo(n);
            if (label.startsWith("=")) {
              // OWASP: a quote before the text, and the cell quoted
              assertThat(f[1]).isEqualTo("\"'" + label + "\"");
              neutralised++;
            } else {
              assertThat(f[1]).isEqualTo(label);
            }
            assertThat(new BigDecimal(f[2])).isEqualByComparingTo(amount);
            assertThat(LocalDateTime.parse(f[3])).isEqualTo(day);
            assertThat(day.toLocalDate()).isEqualTo(LocalDate.of(2024, 1, 1).plusDays(n % 366));
            n++;
          }
        }
        assertThat(n).isEqualTo(ROWS);
        assertThat(neutralised).isEqualTo(ROWS / 1000);
        assertThat(csv.readLine()).isNull();
      }
    }
  }

  static InputStream stream(HttpClient http, URI uri, String auth, String accept)
      throws Exception {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri)
        .header("Authorization", auth).header("Accept", accept).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  static String submit(Client c, String body) {
    Response r = c.post("/api/v1/jobs", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    return r.json().path("id").asText();
  }

  static JsonNode finished(Client c, String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    JsonNode job = c.get("/api/v1/jobs/" + id).json();
    while (!job.path("finishedAt").isTextual()) {
      assertThat(System.nanoTime()).as(job.toString()).isLessThan(deadline);
      Thread.sleep(200);
      job = c.get("/api/v1/jobs/" + id).json();
    }
    return job;
  }
}
