package io.strata.server;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import java.util.Map;

/**
 * Starts the Strata server (called by {@code strata serve}). All wiring lives in
 * {@link ServerFactory}; start-up work (admin user, demo, models) in
 * {@link io.strata.server.bootstrap.Bootstrap}.
 */
@OpenAPIDefinition(
    info = @Info(title = "Strata", version = "v1",
        description = "Semantic layer and query-acceleration server: semantic queries, models, "
            + "data sources, users and tokens.",
        license = @License(name = "Apache-2.0")))
@SecurityScheme(name = "basic", type = SecuritySchemeType.HTTP, scheme = "basic")
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
public final class StrataServer {
  private StrataServer() {}

  /** Starts the server and returns its running context; extra properties override the rest. */
  public static ApplicationContext start(Map<String, Object> properties, String... args) {
    return Micronaut.build(args)
        .mainClass(StrataServer.class)
        .banner(false)
        .properties(properties)
        .start();
  }

  /**
   * Starts a job worker (called by {@code strata worker}): the same beans without the embedded
   * HTTP server, so it answers no requests.
   */
  public static ApplicationContext startWorker(Map<String, Object> properties) {
    return ApplicationContext.builder()
        .mainClass(StrataServer.class)
        .banner(false)
        .properties(properties)
        .start();
  }

  public static void main(String[] args) {
    start(Map.of(), args);
  }
}
