package io.strata.server.cluster;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Operation;
import java.util.Map;

/**
 * Probes for a load balancer and an orchestrator, open to anyone: {@code /health/ready} (send
 * this node work: 200, or 503 while it starts or drains) and {@code /health/live} (the process
 * answers: always 200 while it runs). {@code /health} stays Micronaut's aggregate health.
 */
@Controller("/health")
public class HealthController {
  private final Readiness readiness;

  public HealthController(Readiness readiness) {
    this.readiness = readiness;
  }

  @Operation(summary = "Readiness: 200 when this node takes work, 503 while starting or draining")
  @Get("/ready")
  public HttpResponse<Map<String, String>> ready() {
    Readiness.State s = readiness.state();
    Map<String, String> body = Map.of("status", s.name().toLowerCase(java.util.Locale.ROOT),
        "node", readiness.nodeId());
    return s == Readiness.State.READY ? HttpResponse.ok(body)
        : HttpResponse.<Map<String, String>>status(HttpStatus.SERVICE_UNAVAILABLE).body(body);
  }

  @Operation(summary = "Liveness: 200 while the process answers (draining included)")
  @Get("/live")
  public HttpResponse<Map<String, String>> live() {
    return HttpResponse.ok(Map.of("status", "live", "node", readiness.nodeId()));
  }
}
