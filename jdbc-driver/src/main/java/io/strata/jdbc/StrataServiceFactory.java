package io.strata.jdbc;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.ConnectionConfig;
import org.apache.calcite.avatica.remote.AvaticaHttpClient;
import org.apache.calcite.avatica.remote.RemoteService;
import org.apache.calcite.avatica.remote.Service;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Locale;

/**
 * Creates the {@link Service} a Strata connection talks through: Avatica's HTTP client (with
 * its BASIC or BEARER authentication, pooling and TLS options) and, for protobuf, a translation
 * that keeps the wire format unchanged although Avatica is relocated inside the shaded jar and
 * reads rows straight from the bytes ({@link FrameDecoder}), in a service that fetches the next
 * frame while the application reads the current one ({@link PrefetchingService}).
 *
 * <p>Plugged in through Avatica's {@code factory} connection property, which
 * {@link org.apache.calcite.avatica.remote.Driver#createMeta} consults before building its own
 * service.
 */
public final class StrataServiceFactory implements Service.Factory {

  /** Avatica's plugin loader uses this instance. */
  public static final StrataServiceFactory INSTANCE = new StrataServiceFactory();

  @Override public Service create(AvaticaConnection connection) {
    ConnectionConfig config = connection.config();
    URL url;
    try {
      url = new URI(config.url()).toURL();
    } catch (URISyntaxException | MalformedURLException e) {
      throw new IllegalArgumentException("Invalid Strata endpoint " + config.url(), e);
    }
    AvaticaHttpClient client =
        config.httpClientFactory().getClient(url, config, connection.getKerberosConnection());
    String serialization = config.serialization() == null
        ? "protobuf" : config.serialization().toLowerCase(Locale.ROOT);
    switch (serialization) {
    case "json":
      return new RemoteService(client);
    case "protobuf":
      return new PrefetchingService(client, () -> config.httpClientFactory().getClient(url,
          config, connection.getKerberosConnection()), new WireNameTranslation());
    default:
      throw new IllegalArgumentException("Unsupported serialization " + serialization);
    }
  }
}
