package io.strata.server.bootstrap;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import io.strata.demo.DemoDashboards;
import io.strata.demo.DemoData;
import io.strata.demo.DemoModels;
import io.strata.demo.LoadResult;
import io.strata.server.audit.AuditLog;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Passwords;
import io.strata.server.catalog.CatalogService;
import io.strata.server.catalog.DataSourceService;
import io.strata.server.config.StrataConfig;
import io.strata.server.dashboard.DashboardService;
import io.strata.server.security.AccessPolicy;
import io.strata.server.dashboard.InvalidDashboardException;
import io.strata.server.metadata.DataSourceRecord;
import io.strata.server.metadata.QueryLogStore;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens once when a server starts, before it takes requests: the first admin, the
 * stored data sources into their pools, the embedded demo (generated on first start), models
 * from {@code strata.models.dir}, the catalog, the demo's dashboards (first start); then the background refresh that picks up what
 * other servers change, and housekeeping (expired sessions, old query log and audit log entries).
 */
@Singleton
public final class Bootstrap implements ApplicationEventListener<StartupEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
  public static final String DEMO = "demo";

  private final StrataConfig config;
  private final UserStore users;
  private final DataSourceService dataSources;
  private final CatalogService catalog;
  private final AuthService auth;
  private final QueryLogStore queryLog;
  private final TaskScheduler scheduler;
  private final Clock clock;
  private final DashboardService dashboards;
  private final AccessPolicy access;
  private final AuditLog audit;

  public Bootstrap(StrataConfig config, UserStore users, DataSourceService dataSources,
      CatalogService catalog, AuthService auth, QueryLogStore queryLog,
      @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler, Clock clock,
      DashboardService dashboards, AccessPolicy access, AuditLog audit) {
    this.access = access;
    this.config = config;
    this.users = users;
    this.dataSources = dataSources;
    this.catalog = catalog;
    this.auth = auth;
    this.queryLog = queryLog;
    this.scheduler = scheduler;
    this.clock = clock;
    this.dashboards = dashboards;
    this.audit = audit;
  }

  @Override
  public void onApplicationEvent(StartupEvent event) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
    }
    createAdmin();
    dataSources.refreshIfChanged();
    boolean demoCreated = config.demoEnabled() && demo();
    config.modelsDir().ifPresent(this::pushModels);
    catalog.refreshIfChanged();
    if (demoCreated) {
      demoDashboards();
    }
    Duration poll = config.modelsPoll();
    if (!poll.isZero()) {
      scheduler.scheduleAtFixedRate(poll, poll, this::refresh);
    }
    scheduler.scheduleAtFixedRate(Duration.ofMinutes(1), Duration.ofHours(1), this::housekeeping);
  }

  private void refresh() {
    try {
      dataSources.refreshIfChanged();
      catalog.refreshIfChanged();
      access.refreshIfChanged();
    } catch (RuntimeException e) {
      LOG.warn("refresh from the metadata database failed: {}", e.toString());
    }
  }

  private void housekeeping() {
    try {
      int sessions = auth.purgeExpiredSessions();
      int entries = queryLog.deleteOlderThan(clock.instant().minus(config.queryLogRetention()));
      int audited = audit.purge(clock.instant().minus(config.auditRetention()));
      LOG.debug("housekeeping: {} expired sessions, {} old query log entries, {} old audit log"
          + " entries removed", sessions, entries, audited);
    } catch (RuntimeException e) {
      LOG.warn("housekeeping failed: {}", e.toString());
    }
  }

  private void createAdmin() {
    if (users.count() > 0) {
      return;
    }
    String password = config.adminPassword().orElse(null);
    if (password == null) {
      password = Passwords.secret("").substring(0, 24);
      Path file = config.dataDir().resolve("admin-password");
      writeOwnerOnly(file, password + "\n");
      LOG.warn("created user 'admin' with a generated password: {} (also written to {}, "
          + "readable only by its owner; set STRATA_ADMIN_PASSWORD to choose one)", password, file);
    } else {
      String problem = Passwords.problem(password);
      if (problem != null) {
        throw new IllegalStateException("strata.admin.password (STRATA_ADMIN_PASSWORD): " + problem);
      }
      LOG.info("created user 'admin' with the password from STRATA_ADMIN_PASSWORD");
    }
    auth.passwordSet(users.create("admin", Passwords.hash(password), Role.ADMIN), password);
    audit.record(null, "create", "user", "admin", Map.of("role", "admin", "firstStart", true));
  }

  static void writeOwnerOnly(Path file, String text) {
    try {
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system
      }
      Files.writeString(file, text, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException("could not replace " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * The embedded demo: data source {@code demo} on a DuckDB file in the data directory, the
   * retail data generated into it on first start, and the demo models when the data source is
   * new (so models a user deleted or changed later are left alone). Answers whether the data
   * source was created by this call.
   */
  private boolean demo() {
    boolean created = false;
    if (dataSources.find(DEMO).isEmpty()) {
      Path file = config.dataDir().resolve("demo.duckdb");
      dataSources.create(new DataSourceRecord(DEMO, "duckdb", "jdbc:duckdb:" + file, null, null,
          Map.of(), 4, 30_000, null, null));
      created = true;
    }
    try (Connection c = dataSources.registry().connect(DEMO)) {
      long start = System.nanoTime();
      LoadResult loaded = DemoData.ensureLoaded(c, config.demoScale());
      LOG.info("demo warehouse ready: {} ({} ms)", loaded, (System.nanoTime() - start) / 1_000_000);
    } catch (SQLException e) {
      throw new IllegalStateException("could not generate the demo data: " + e.getMessage(), e);
    }
    if (created) {
      catalog.save(DemoModels.files(), "strata", false);
      LOG.info("demo models saved: {}", DemoModels.FILES);
    }
    return created;
  }

  /**
   * The demo's dashboards, owned by the first admin: seeded with the demo data source, once, so
   * a dashboard a user deleted or changed later is left alone and a restart adds no copy. A
   * dashboard the catalog cannot answer (models from {@code strata.models.dir} replaced the
   * demo's) is left out with a warning rather than stopping the start.
   */
  private void demoDashboards() {
    long owner = users.list().stream().filter(u -> u.role() == Role.ADMIN && !u.disabled())
        .mapToLong(User::id).min().orElseThrow(() -> new IllegalStateException("no admin user to own the demo dashboards"));
    for (String file : DemoDashboards.FILES) {
      try {
        var spec = dashboards.dashboard(DashboardService.parse(DemoDashboards.json(file)));
        dashboards.create(spec, owner);
        LOG.info("demo dashboard '{}' created ({} charts)", spec.name(), spec.charts().size());
      } catch (InvalidDashboardException e) {
        LOG.warn("demo dashboard {} left out: {}", file, e.getMessage());
      }
    }
  }

  private void pushModels(Path dir) {
    Map<String, String> files = new LinkedHashMap<>();
    try (var paths = Files.list(dir)) {
      for (Path p : paths.sorted().toList()) {
        String name = p.getFileName().toString();
        if (Files.isRegularFile(p) && (name.endsWith(".yml") || name.endsWith(".yaml"))) {
          files.put(name, Files.readString(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read strata.models.dir " + dir, e);
    }
    for (var v : catalog.save(files, "strata.models.dir", false)) {
      audit.record(null, v.version() == 1 ? "create" : "update", "model", v.name(),
          Map.of("version", v.version(), "from", "strata.models.dir"));
    }
    LOG.info("models pushed from {}: {} files", dir, files.size());
  }
}
