package io.strata.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrkLoadTest {
  /** Debian's wrk 4.1.0 with --latency, as captured. */
  static final String OUTPUT = """
      Running 2s test @ http://127.0.0.1:18999/
        2 threads and 4 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency    11.32ms    3.14ms  25.77ms   74.46%
          Req/Sec   174.10     15.21   212.00     70.00%
        Latency Distribution
           50%   11.30ms
           75%   13.15ms
           90%   15.02ms
           99%   21.27ms
        695 requests in 2.00s, 1.99MB read
      Requests/sec:    346.84
      Transfer/sec:      1.00MB
      """;

  @Test
  void readsRequestsTimeAndPercentiles() {
    Report.Load l = WrkLoad.parse("REST (wrk)", 4, OUTPUT);
    assertThat(l.queries()).isEqualTo(695);
    assertThat(l.seconds()).isEqualTo(2.0);
    assertThat(l.qps()).isEqualTo(347.5);
    assertThat(l.latency().p50()).isEqualTo(11.30);
    assertThat(l.latency().p99()).isEqualTo(21.27);
    assertThat(l.errors()).isZero();
  }

  @Test
  void countsNon2xxAnswersAndSocketErrorsAsErrors() {
    String failing = OUTPUT.replace("Requests/sec:", "  Socket errors: connect 0, read 2, write 0,"
        + " timeout 1\n  Non-2xx or 3xx responses: 12\nRequests/sec:")
        .replace("50%   11.30ms", "50%  640.00us").replace("99%   21.27ms", "99%    1.20s");
    Report.Load l = WrkLoad.parse("REST (wrk)", 4, failing);
    assertThat(l.errors()).isEqualTo(15);
    assertThat(l.firstError()).isEqualTo("12 non-2xx answers");
    assertThat(l.latency().p50()).isEqualTo(0.64);
    assertThat(l.latency().p99()).isEqualTo(1200.0);
  }

  @Test
  void outputWithoutACountIsAnError() {
    assertThatThrownBy(() -> WrkLoad.parse("REST (wrk)", 4, "unable to connect to 127.0.0.1:1"))
        .hasMessageContaining("no request count");
  }

  @Test
  void luaStringsCannotBeClosedByTheirText() {
    assertThat(WrkLoad.lua("{\"a\": [[1]]}")).isEqualTo("[=[{\"a\": [[1]]}]=]");
    assertThat(WrkLoad.lua("plain")).isEqualTo("[[plain]]");
  }
}
