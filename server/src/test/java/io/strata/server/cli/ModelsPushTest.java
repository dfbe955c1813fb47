package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.demo.DemoModels;
import io.strata.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata models push} against a running server, with an API token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelsPushTest {
  TestServer server;
  String token;

  @BeforeAll
  void start() {
    server = TestServer.start(Map.of());
    token = server.admin().post("/api/v1/tokens", Map.of("name", "ci")).json().path("secret").asText();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  StrataCliTest.Run push(Path dir, String... more) {
    String[] args = new String[5 + more.length];
    args[0] = "models";
    args[1] = "push";
    args[2] = dir.toString();
    args[3] = "--server=" + server.uri("/");
    args[4] = "--token=" + token;
    System.arraycopy(more, 0, args, 5, more.length);
    return StrataCliTest.run(args);
  }

  @Test
  void pushSavesChangedFilesAndTheServerAnswersFromThem(@TempDir Path dir) throws Exception {
    DemoModels.copyTo(dir);
    Path orders = dir.resolve("orders.yml");
    Files.writeString(orders, Files.readString(orders).replace("measures:\n",
        "measures:\n  - { name: pushed_count, agg: count }\n"));
    StrataCliTest.Run run = push(dir);
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("saved   orders.yml v2").contains("1 changed, 4 unchanged");
    assertThat(server.admin().post("/api/v1/query", "{\"measures\":[\"orders.pushed_count\"]}").status())
        .isEqualTo(200);
  }

  @Test
  void anInvalidDirectoryIsRefusedWithFileAndLineAndNothingIsSaved(@TempDir Path dir) throws Exception {
    DemoModels.copyTo(dir);
    Path products = dir.resolve("products.yml");
    Files.writeString(products, Files.readString(products).replace("type: string", "type: text"));
    String before = server.admin().get("/api/v1/models/products").text();
    StrataCliTest.Run run = push(dir);
    assertThat(run.status()).isEqualTo(StrataCli.INVALID);
    assertThat(run.err()).containsPattern("products\\.yml:\\d+:\\d+: .*text")
        .contains("HTTP 422");
    assertThat(server.admin().get("/api/v1/models/products").text()).isEqualTo(before);
  }

  @Test
  void aBadTokenOrNoServerIsSaidPlainly(@TempDir Path dir) throws Exception {
    DemoModels.copyTo(dir);
    StrataCliTest.Run bad = StrataCliTest.run("models", "push", dir.toString(),
        "--server=" + server.uri("/"), "--token=strata_pat_wrong");
    assertThat(bad.status()).isEqualTo(StrataCli.INVALID);
    assertThat(bad.err()).contains("HTTP 401");
    StrataCliTest.Run down = StrataCliTest.run("models", "push", dir.toString(),
        "--server=http://127.0.0.1:1", "--token=" + token);
    assertThat(down.status()).isEqualTo(StrataCli.INVALID);
    assertThat(down.err()).contains("cannot reach the server at http://127.0.0.1:1");
  }
}
