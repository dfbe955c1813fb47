package io.strata.server.cluster;

import io.micronaut.context.env.Environment;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.HttpServerConfiguration;
import io.strata.server.config.Setting;
import jakarta.inject.Singleton;

/**
 * Binds the HTTP server to {@code strata.bind-host} when it names one address; left at every
 * interface otherwise, so the server's own URI stays {@code localhost} (not {@code 0.0.0.0})
 * for what calls it back (report rendering, tests).
 */
@Singleton
final class HttpBindHost implements BeanCreatedEventListener<HttpServerConfiguration> {
  private final Environment env;

  HttpBindHost(Environment env) {
    this.env = env;
  }

  @Override
  public HttpServerConfiguration onCreated(BeanCreatedEvent<HttpServerConfiguration> event) {
    String host = env.getProperty(Setting.BIND_HOST.property(), String.class)
        .orElse(Setting.BIND_HOST.defaultValue()).trim();
    if (!host.isEmpty() && !host.equals(Setting.BIND_HOST.defaultValue())) {
      event.getBean().setHost(host);
    }
    return event.getBean();
  }
}
