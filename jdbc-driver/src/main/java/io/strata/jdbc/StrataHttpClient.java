package io.strata.jdbc;

import org.apache.calcite.avatica.ConnectionConfig;
import org.apache.calcite.avatica.remote.AvaticaCommonsHttpClientImpl;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.HttpHeaders;

import java.net.URL;
import java.util.concurrent.TimeUnit;

/**
 * Avatica's HTTP client, sending the credentials with every request.
 *
 * <p>Avatica's client answers authentication challenges: the first request of each connection
 * goes out without credentials, and a token is only sent after a
 * {@code 401 WWW-Authenticate: Bearer} challenge. This one sends {@code Authorization: Basic}
 * or {@code Bearer} up front (pre-emptively), so a connection costs one round trip less and
 * works with a server whose 401 names only one scheme. Challenges are still answered as before.
 */
public class StrataHttpClient extends AvaticaCommonsHttpClientImpl {

  /** Avatica's client factory instantiates the client with this constructor. */
  @SuppressWarnings("deprecation")
  public StrataHttpClient(URL url) {
    super(url);
  }

  @SuppressWarnings("deprecation") // setConnectTimeout, as in Avatica's own client
  @Override protected void initializeClient(PoolingHttpClientConnectionManager pool,
      ConnectionConfig config) {
    super.initializeClient(pool, config);
    final String authorization = AuthHeader.of(config);
    if (authorization == null) {
      return;
    }
    // Same client as Avatica's (shared pool, timeouts), plus the Authorization header.
    RequestConfig requestConfig = RequestConfig.custom()
        .setConnectTimeout(connectTimeout, TimeUnit.MILLISECONDS)
        .setResponseTimeout(responseTimeout, TimeUnit.MILLISECONDS)
        .build();
    this.client = HttpClients.custom()
        .setConnectionManager(pool)
        .setDefaultRequestConfig(requestConfig)
        .addRequestInterceptorFirst((request, entity, context) -> {
          if (!request.containsHeader(HttpHeaders.AUTHORIZATION)) {
            request.addHeader(HttpHeaders.AUTHORIZATION, authorization);
          }
        })
        .build();
  }
}
