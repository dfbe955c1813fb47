package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.TestServer;
import io.strata.server.TestServer.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the REST endpoints encode answers, against real servers: CSV cells that a spreadsheet
 * would run as formulas are neutralised (and are not when the setting is off), and a JSON answer
 * over {@code strata.query.max-json-bytes} is refused with 413 while CSV of the same query
 * streams.
 */
class RestEncodingLimitsTest {
  static final String FORMULAS = "SELECT '=HYPERLINK(\"http://evil\",\"x\")' AS a, '+1+2' AS b, '-3' AS c,"
      + " '@SUM(A1)' AS d, -5 AS n, 'plain' AS p";

  @Test
  void csvAnswersNeutraliseFormulasUnlessTurnedOff() {
    try (TestServer on = TestServer.start(Map.of())) {
      Response csv = on.admin().header("Accept", "text/csv").send("POST", "/api/v1/sql", "text/plain", FORMULAS);
      assertThat(csv.status()).isEqualTo(200);
      assertThat(csv.text().split("\r\n")[1])
          .isEqualTo("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",\"'+1+2\",\"'-3\",\"'@SUM(A1)\",-5,plain");
      // the semantic endpoint too: a dimension value starting with = is text, a negative number stays one
      Response query = on.admin().header("Accept", "text/csv").post("/api/v1/query",
          "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.status\"],\"limit\":1}");
      assertThat(query.status()).isEqualTo(200);
      assertThat(query.text()).doesNotContain("'");
    }
    try (TestServer off = TestServer.start(Map.of("strata.csv.neutralise-formulas", "false"))) {
      Response csv = off.admin().header("Accept", "text/csv").send("POST", "/api/v1/sql", "text/plain", FORMULAS);
      assertThat(csv.text().split("\r\n")[1])
          .isEqualTo("\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",+1+2,-3,@SUM(A1),-5,plain");
    }
  }

  @Test
  void jsonAnswersOverTheBudgetAre413AndCsvStillStreams() {
    try (TestServer s = TestServer.start(Map.of("strata.query.max-json-bytes", "4KB"))) {
      String big = "{\"measures\":[\"orders.count\"],\"dimensions\":[\"orders.order_id\"]}";
      Response json = s.admin().post("/api/v1/query", big);
      assertThat(json.status()).as(json.toString()).isEqualTo(413);
      assertThat(json.json().path("error").path("code").asText()).isEqualTo("ANSWER_TOO_LARGE");
      assertThat(json.json().path("error").path("message").asText())
          .contains("4096 bytes", "strata.query.max-json-bytes", "text/csv", "arrow");
      Response sql = s.admin().send("POST", "/api/v1/sql", "text/plain", "SELECT * FROM demo.retail.orders");
      assertThat(sql.status()).as(sql.toString()).isEqualTo(413);
      Response csv = s.admin().header("Accept", "text/csv").post("/api/v1/query", big);
      assertThat(csv.status()).isEqualTo(200);
      assertThat(csv.text().length()).isGreaterThan(4096);
      // small answers are unaffected, and the server keeps answering
      Response small = s.admin().post("/api/v1/query", "{\"measures\":[\"orders.count\"]}");
      assertThat(small.status()).isEqualTo(200);
    }
  }
}
