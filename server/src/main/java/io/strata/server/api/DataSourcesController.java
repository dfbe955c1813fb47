package io.strata.server.api;

import io.strata.server.audit.AuditLog;
import jakarta.inject.Inject;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.semantic.model.Model;
import io.strata.server.catalog.CatalogService;
import io.strata.server.catalog.DataSourceService;
import io.strata.server.datasource.ConnectionTest;
import io.strata.server.datasource.DataSourceKind;
import io.strata.server.datasource.PoolSettings;
import io.strata.server.metadata.ConflictException;
import io.strata.server.metadata.DataSourceRecord;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.strata.server.secret.SecretFields;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Data sources: the warehouses models read. Admins create, change and delete them; editors see
 * and test them. Credentials go in and never come out: responses say only whether a password
 * is set, and properties whose names look secret are masked.
 */
@Controller("/api/v1/datasources")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class DataSourcesController {
  /** Changes made here are recorded in the audit log. */
  @Inject
  AuditLog audit;

  /** What a secret property's value is shown as; sent back unchanged, it keeps the stored value. */
  static final String MASK = "********";

  private final DataSourceService dataSources;
  private final CatalogService catalog;

  public DataSourcesController(DataSourceService dataSources, CatalogService catalog) {
    this.dataSources = dataSources;
    this.catalog = catalog;
  }

  /**
   * What a client sends to create or change a data source. Parsed by hand rather than bound by
   * Jackson so that an unknown field, a value of the wrong type and an out-of-range number are
   * each a 400 naming the field.
   */
  public record DataSourceInput(@Nullable String name, @Nullable String kind, @Nullable String url,
      @Nullable String username, @Nullable String password,
      @Nullable Map<String, String> properties, @Nullable Integer poolSize,
      @Nullable Long connectionTimeoutMs) {
    static final List<String> FIELDS = List.of("name", "kind", "url", "username", "password",
        "properties", "poolSize", "connectionTimeoutMs");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The input in a JSON body; a 400 naming the field for anything it cannot use. */
    static DataSourceInput parse(String body) {
      JsonNode root;
      try {
        // strict: trailing text after the object is refused, as for every other body
        root = body == null || body.isBlank() ? null
            : io.strata.semantic.query.QueryJson.MAPPER.readTree(body);
      } catch (JsonProcessingException e) {
        var p = io.strata.semantic.query.QueryJson.describe(e);
        throw new BadRequestException(INVALID, p.location() == null ? "body" : p.location(),
            p.message());
      }
      if (root == null || !root.isObject()) {
        throw new BadRequestException(INVALID, null,
            "the body must be a JSON object with the fields " + String.join(", ", FIELDS));
      }
      for (var it = root.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!FIELDS.contains(f)) {
          throw new BadRequestException(INVALID, f, "unknown field '" + f + "' (a data source has "
              + String.join(", ", FIELDS) + ")");
        }
      }
      Map<String, String> properties = null;
      JsonNode p = root.get("properties");
      if (p != null && !p.isNull()) {
        if (!p.isObject()) {
          throw new BadRequestException(INVALID, "properties",
              "properties must be an object of strings, got " + type(p));
        }
        properties = new LinkedHashMap<>();
        for (var it = p.fields(); it.hasNext(); ) {
          var e = it.next();
          if (!e.getValue().isTextual()) {
            throw new BadRequestException(INVALID, "properties." + e.getKey(), "property '"
                + e.getKey() + "' must be a string, got " + type(e.getValue()));
          }
          properties.put(e.getKey(), e.getValue().textValue());
        }
      }
      Long pool = number(root, "poolSize", 1, PoolSettings.MAX_SIZE_LIMIT, "");
      Long timeout = number(root, "connectionTimeoutMs", 250, 3_600_000, " ms");
      return new DataSourceInput(text(root, "name"), text(root, "kind"), text(root, "url"),
          text(root, "username"), text(root, "password"), properties,
          pool == null ? null : pool.intValue(), timeout);
    }

    private static String text(JsonNode root, String field) {
      JsonNode n = root.get(field);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isTextual()) {
        throw new BadRequestException(INVALID, field, field + " must be a string, got " + type(n));
      }
      return n.textValue();
    }

    private static Long number(JsonNode root, String field, long min, long max, String unit) {
      JsonNode n = root.get(field);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw new BadRequestException(INVALID, field, field + " must be a whole number from "
            + min + " to " + max + unit + ", got " + type(n) + " " + n);
      }
      long v = n.longValue();
      if (v < min || v > max) {
        throw new BadRequestException(INVALID, field, field + " must be from " + min + " to "
            + max + unit + ", got " + v);
      }
      return v;
    }

    private static String type(JsonNode n) {
      return switch (n.getNodeType()) {
        case STRING -> "a string";
        case NUMBER -> "a number";
        case BOOLEAN -> "a boolean";
        case ARRAY -> "an array";
        case OBJECT -> "an object";
        default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
      };
    }
  }

  /** The error code of a data source the API cannot store. */
  static final String INVALID = "INVALID_DATA_SOURCE";

  /** What the API shows of a data source: never its password. */
  public record DataSourceView(String name, String kind, String dialect, String url,
      String username, boolean hasPassword, Map<String, String> properties, int poolSize,
      long connectionTimeoutMs, Instant createdAt, Instant updatedAt) {
    static DataSourceView of(DataSourceRecord r) {
      Map<String, String> props = new LinkedHashMap<>();
      if (r.properties() != null) {
        r.properties().forEach((k, v) -> props.put(k, SecretFields.isSecretProperty(k) ? MASK : v));
      }
      String dialect;
      try {
        dialect = DataSourceKind.parse(r.kind()).dialect().id();
      } catch (IllegalArgumentException e) {
        dialect = null;
      }
      return new DataSourceView(r.name(), r.kind(), dialect, SecretFields.maskUrl(r.url()),
          r.username(),
          r.password() != null && !r.password().isEmpty(), props, r.poolSize(),
          r.connectionTimeoutMs(), r.createdAt(), r.updatedAt());
    }
  }

  @Operation(summary = "All data sources (without credentials)")
  @Get
  public List<DataSourceView> list(HttpRequest<?> request) {
    Requests.require(request, Role.EDITOR);
    return dataSources.list().stream().map(DataSourceView::of).toList();
  }

  @Operation(summary = "One data source (without credentials)")
  @Get("/{name}")
  public DataSourceView get(HttpRequest<?> request, @PathVariable String name) {
    Requests.require(request, Role.EDITOR);
    return DataSourceView.of(find(name));
  }

  @Operation(summary = "Create a data source",
      requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content =
      @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", schema =
      @io.swagger.v3.oas.annotations.media.Schema(implementation = DataSourceInput.class))))
  @Post
  public HttpResponse<DataSourceView> create(HttpRequest<?> request,
      @Body @Nullable String body) {
    Requests.require(request, Role.ADMIN);
    DataSourceInput in = DataSourceInput.parse(body);
    DataSourceRecord saved = dataSources.create(record(in.name(), in, null));
    // not the URL: a JDBC URL may carry a password in its parameters
    Requests.audit(audit, request, "create", "data_source", saved.name(), Map.of("kind",
        saved.kind()));
    return HttpResponse.created(DataSourceView.of(saved));
  }

  @Operation(summary = "Change a data source; a missing password keeps the stored one",
      requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content =
      @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", schema =
      @io.swagger.v3.oas.annotations.media.Schema(implementation = DataSourceInput.class))))
  @Put("/{name}")
  public DataSourceView update(HttpRequest<?> request, @PathVariable String name,
      @Body @Nullable String body) {
    Requests.require(request, Role.ADMIN);
    DataSourceInput in = DataSourceInput.parse(body);
    if (in.name() != null && !in.name().equals(name)) {
      throw new BadRequestException(INVALID, "name", "a data source cannot be renamed ('"
          + name + "' to '" + in.name() + "')");
    }
    DataSourceView updated = DataSourceView.of(dataSources.update(record(name, in, find(name))));
    Requests.audit(audit, request, "update", "data_source", name, Map.of("kind",
        updated.kind(), "passwordChanged", in.password() != null));
    return updated;
  }

  @Operation(summary = "Delete a data source; refused while models read it")
  @Delete("/{name}")
  public HttpResponse<?> delete(HttpRequest<?> request, @PathVariable String name) {
    Requests.require(request, Role.ADMIN);
    find(name);
    List<String> users = catalog.catalog().models().stream()
        .filter(m -> name.equals(m.dataSource())).map(Model::name).sorted().toList();
    if (!users.isEmpty()) {
      throw new ConflictException("data source '" + name + "' is read by models "
          + String.join(", ", users) + "; delete or move them first");
    }
    dataSources.delete(name);
    Requests.audit(audit, request, "delete", "data_source", name, Map.of());
    return HttpResponse.noContent();
  }

  @Operation(summary = "Test the connection of a stored data source")
  @Post("/{name}/test")
  public ConnectionTest test(HttpRequest<?> request, @PathVariable String name) {
    Requests.require(request, Role.EDITOR);
    return dataSources.registry().test(DataSourceService.spec(find(name)));
  }

  @Operation(summary = "Test a data source before saving it",
      requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content =
      @io.swagger.v3.oas.annotations.media.Content(mediaType = "application/json", schema =
      @io.swagger.v3.oas.annotations.media.Schema(implementation = DataSourceInput.class))))
  @Post("/test")
  public ConnectionTest testNew(HttpRequest<?> request, @Body @Nullable String body) {
    Requests.require(request, Role.ADMIN);
    DataSourceInput in = DataSourceInput.parse(body);
    return dataSources.registry().test(DataSourceService.spec(record(
        in.name() == null ? "unsaved" : in.name(), in, null)));
  }

  private DataSourceRecord find(String name) {
    return dataSources.find(name).orElseThrow(() ->
        new NotFoundException("data source '" + name + "' does not exist"));
  }

  /** Properties as sent, with masked secret values sent back replaced by the stored ones. */
  private static Map<String, String> unmasked(Map<String, String> in, DataSourceRecord old) {
    Map<String, String> out = new LinkedHashMap<>(in);
    if (old != null) {
      in.forEach((k, v) -> {
        if (MASK.equals(v) && SecretFields.isSecretProperty(k) && old.properties().containsKey(k)) {
          out.put(k, old.properties().get(k));
        }
      });
    }
    return out;
  }

  /** A record from input, taking what the input leaves out from {@code old} (for updates). */
  private static DataSourceRecord record(String name, DataSourceInput in, DataSourceRecord old) {
    if (name == null || name.isBlank()) {
      throw new BadRequestException(INVALID, "name", "a data source needs a name");
    }
    if (old == null && !name.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new BadRequestException(INVALID, "name", "data source name '" + name
          + "' must start with a lower-case letter and contain only lower-case letters, digits"
          + " and '_' (at most 63 characters)");
    }
    String kind = in.kind() != null ? in.kind().toLowerCase(Locale.ROOT)
        : old != null ? old.kind() : null;
    String url = in.url() != null ? in.url() : old != null ? old.url() : null;
    if (old != null && in.url() != null && SecretFields.urlHasSecret(old.url())
        && in.url().equals(SecretFields.maskUrl(old.url()))) {
      url = old.url(); // the masked URL a GET showed, sent back: keep the stored password
    }
    if (kind == null) {
      throw new BadRequestException(INVALID, "kind", "a data source needs a kind "
          + "(duckdb, postgres, mysql, bigquery, snowflake or redshift)");
    }
    DataSourceKind parsed;
    try {
      parsed = DataSourceKind.parse(kind);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(INVALID, "kind", e.getMessage());
    }
    if (url == null || url.isBlank()) {
      throw new BadRequestException(INVALID, "url", "a data source needs a JDBC url");
    }
    if (!parsed.accepts(url)) {
      throw new BadRequestException(INVALID, "url", "a " + parsed.id() + " url must start with "
          + String.join(" or ", parsed.urlPrefixes()) + ", got '" + SecretFields.maskUrl(url)
          + "'");
    }
    DataSourceRecord r = new DataSourceRecord(name, kind, url,
        in.username() != null ? in.username() : old != null ? old.username() : null,
        in.password(),
        in.properties() != null ? unmasked(in.properties(), old)
            : old != null ? old.properties() : Map.of(),
        in.poolSize() != null ? in.poolSize() : old != null ? old.poolSize()
            : PoolSettings.defaults().maxSize(),
        in.connectionTimeoutMs() != null ? in.connectionTimeoutMs()
            : old != null ? old.connectionTimeoutMs()
            : PoolSettings.defaults().connectionTimeout().toMillis(),
        null, null);
    try {
      DataSourceService.spec(r);
    } catch (IllegalArgumentException e) {
      // what is left is about driver properties (the fields were checked above)
      throw new BadRequestException(INVALID, e.getMessage().contains("property") ? "properties"
          : null, e.getMessage());
    }
    return r;
  }
}
