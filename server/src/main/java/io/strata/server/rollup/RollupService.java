package io.strata.server.rollup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strata.acceleration.cache.CacheKeys;
import io.strata.acceleration.rollup.MatchResult;
import io.strata.acceleration.rollup.Partition;
import io.strata.acceleration.rollup.RollupAvailability;
import io.strata.acceleration.rollup.RollupColumn;
import io.strata.acceleration.rollup.RollupLayout;
import io.strata.acceleration.rollup.Rollups;
import io.strata.acceleration.rollup.TimeSpan;
import io.strata.semantic.compile.CompiledQuery;
import io.strata.semantic.compile.SemanticCompiler;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.Rollup;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import io.strata.server.jobs.Job;
import io.strata.server.jobs.JobHandler;
import io.strata.server.jobs.JobKind;
import io.strata.server.jobs.JobRequest;
import io.strata.server.jobs.Jobs;
import io.strata.server.jobs.RetryableJobException;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.query.RollupRouting;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollup system's one entry point: builds rollups (as {@code rollup_build} jobs), reports
 * their status, and routes queries to them (the query service's {@link RollupRouting}).
 *
 * <p>Builds: a build takes the rollup's lock row in the metadata database (one build per
 * rollup, so per partition, across all servers), writes each partition it rebuilds into a new
 * table, reuses the tables of the others, creates the relation named with the new version over
 * them (a view in the source store; in the local store one table with their rows, which DuckDB
 * reads much faster than a UNION ALL of dozens of partitions), and then flips
 * {@code strata_rollups.serving_*} to it in one UPDATE: queries read the old version until that
 * moment and the new one from then on; a build that fails leaves the old
 * version serving, drops what it wrote, records the error and is retried by the job system.
 * The replaced version's tables are dropped {@code strata.rollups.drop-grace} later.
 *
 * <p>Scheduling: every {@code strata.rollups.check-interval}, and whenever models change, each
 * server looks for rollups due a build (never built, definition changed, {@code every} elapsed,
 * {@code sql} refresh key changed); a conditional UPDATE on the rollup's row lets one server
 * queue the job.
 *
 * <p>Matching: answered from a snapshot of {@code strata_rollups} at most a second old. A
 * version is served only while its definition (the rollup's layout and the models it reads)
 * is the current one, and only from the row of the store this server reads.
 *
 * <p>Stores: a {@code source} rollup has one status row that every server shares, and one build
 * at a time across servers (the lock row). A {@code local} rollup has one row per server (its
 * store id is {@code local@<host>:<file>}): each server builds its own copy into its own
 * DuckDB file, as a job that only this server's workers run ({@link Jobs#submitHere}), serves
 * only versions its own row names, and a rebuild on one server never changes what another
 * serves.
 */
public final class RollupService implements RollupRouting, JobHandler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RollupService.class);
  private static final Duration LOCK_TTL = Duration.ofMinutes(10);
  private static final Duration LOCK_WAIT = Duration.ofMinutes(30);
  private static final long SNAPSHOT_NANOS = 1_000_000_000L;
  private static final String SYSTEM = "strata";

  private final Supplier<SemanticCatalog> catalog;
  private final DataSourceRegistry registry;
  private final RollupStatusStore status;
  private final Jobs jobs;
  private final Clock clock;
  private final MeterRegistry meters;
  private final RollupConfig config;
  private final LocalRollupStore local;
  private final String holder;
  private final ScheduledExecutorService timer;
  private final Map<SemanticCatalog, Planner> planners = new ConcurrentHashMap<>();
  private volatile Snapshot snapshot = new Snapshot(Map.of(), 0);

  /** The rollups of one catalog and their definitions, computed once per catalog. */
  private record Planner(Rollups rollups, Map<String, String> definitions) {}

  private record Snapshot(Map<String, RollupRecord> records, long readAt) {}

  /**
   * @param node names this server (host and data directory): its local store is its own
   */
  public RollupService(Supplier<SemanticCatalog> catalog, DataSourceRegistry registry,
      org.apache.arrow.memory.BufferAllocator allocator, DataSource metadata, Jobs jobs,
      Clock clock, MeterRegistry meters, RollupConfig config, String node) {
    this.catalog = catalog;
    this.registry = registry;
    this.status = new RollupStatusStore(metadata);
    this.jobs = jobs;
    this.clock = clock;
    this.meters = meters;
    this.config = config;
    this.local = new LocalRollupStore(registry, allocator, node);
    this.holder = node.length() > 200 ? node.substring(0, 200) : node;
    registry.putInternal(DataSourceSpec.of(LocalRollupStore.DATA_SOURCE,
        io.strata.server.datasource.DataSourceKind.DUCKDB, "jdbc:duckdb:" + config.localFile()));
    jobs.handle(JobKind.ROLLUP_BUILD, this);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-rollups");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts the periodic check for due builds (the first one at once), after forgetting the
   * versions this server's status rows name but its local file does not hold (a data directory
   * replaced or emptied under the same name): those are built again, never read.
   */
  public void start() {
    if (!config.enabled()) {
      return;
    }
    verifyLocalCopies();
    long every = config.checkInterval().toMillis();
    timer.scheduleWithFixedDelay(this::checkDue, 0, every, TimeUnit.MILLISECONDS);
  }

  private void verifyLocalCopies() {
    try {
      Set<String> present = new java.util.HashSet<>(local.versions());
      for (RollupRecord r : status.list()) {
        if (r.store().equals(local.id()) && r.servingRelation() != null
            && !present.contains(name(r.servingRelation()))) {
          LOG.warn("rollup {}.{}: version {} is not in this server's local store; building it"
              + " again", r.model(), r.rollup(), r.servingVersion());
          status.unserve(r.model(), r.rollup(), r.store());
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("the local rollup store was not checked: {}", e.toString());
    }
  }

  /** The versions this server's local store holds: for tests and diagnostics. */
  List<String> localVersions() throws SQLException {
    return local.versions();
  }

  /** Models changed (here or on another server): rollups whose definition changed are due. */
  public void modelsChanged() {
    if (config.enabled()) {
      timer.execute(this::checkDue);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  // ---------------------------------------------------------------- planning

  private Planner planner(SemanticCatalog c) {
    Planner p = planners.get(c);
    if (p == null) {
      planners.clear(); // an older catalog is not asked again
      p = new Planner(new Rollups(c, clock), new ConcurrentHashMap<>());
      planners.put(c, p);
    }
    return p;
  }

  private static boolean hasRollups(SemanticCatalog c) {
    for (Model m : c.models()) {
      if (!m.rollups().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The hash of what a rollup's rows depend on: its layout (columns, base query) and the
   * versions of the models its members come from. A served version whose definition differs
   * from the current one is never read.
   */
  private String definition(Planner p, RollupLayout layout) {
    return p.definitions().computeIfAbsent(layout.id(), id -> {
      StringBuilder b = new StringBuilder();
      b.append(layout.columns()).append('\n').append(layout.baseQuery()).append('\n')
          .append(layout.rollup().store()).append('\n').append(layout.rollup().timezone());
      Set<String> models = new java.util.TreeSet<>();
      models.add(layout.model());
      for (RollupColumn col : layout.columns()) {
        if (col.member() != null && col.member().contains(".")) {
          models.add(col.member().substring(0, col.member().indexOf('.')));
        }
      }
      for (String m : models) {
        layout.catalog().model(m).or(() -> catalog.get().model(m))
            .ifPresent(model -> b.append(m).append('=').append(CacheKeys.modelVersion(model))
                .append('\n'));
      }
      return b.toString();
    }).transform(layoutPart -> sha256(layoutPart + dataSourcePart(layout)).substring(0, 32));
  }

  /**
   * The model's data source as configured now: re-pointing it (another warehouse, other data)
   * makes every rollup built from it outdated.
   */
  private String dataSourcePart(RollupLayout layout) {
    String name = layout.catalog().model(layout.model()).map(Model::dataSource).orElse("");
    return registry.spec(name).map(s -> s.kind().id() + " " + s.url() + " "
        + s.rollupSchema()).orElse("?");
  }

  // ---------------------------------------------------------------- matching

  @Override
  public Route route(SemanticCompiler compiler, SemanticQuery query) {
    SemanticCatalog c = compiler.catalog();
    if (!config.enabled() || !hasRollups(c)) {
      return Route.NONE;
    }
    Planner p = planner(c);
    // exactness depends on which engine divides: the model's warehouse or the store's
    MatchResult result = p.rollups().match(query, availability(p), this::dialectOrNull);
    if (result instanceof MatchResult.Matched m) {
      SemanticCompiler over = new SemanticCompiler(m.rollupCatalog(), clock);
      CompiledQuery restored = m.restore(over.compile(m.rewritten(), registry::dialect));
      // the models the raw query reads, not the rollup's synthetic one: row-level security
      // picks its rules by them, and the results cache invalidates by them
      List<String> models = compiler.compile(query, registry::dialect).models();
      CompiledQuery compiled = new CompiledQuery(restored.dialect(), restored.dataSource(),
          restored.sql(), restored.columns(), models);
      return new Route(compiled, m.rollupId() + "@" + m.version(), List.of());
    }
    MatchResult.NotMatched none = (MatchResult.NotMatched) result;
    return new Route(null, null, none.rejections().stream().map(Object::toString).toList());
  }

  private io.strata.semantic.dialect.Dialect dialectOrNull(String dataSource) {
    try {
      return registry.dialect(dataSource);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** What this server may read: built versions of current definitions in stores it sees. */
  private RollupAvailability availability(Planner p) {
    Map<String, RollupRecord> records = records();
    return (model, rollup) -> {
      RollupLayout layout;
      try {
        layout = p.rollups().layout(model, rollup);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      RollupRecord r = records.get(key(model, rollup, storeId(layout)));
      if (r == null || r.servingVersion() == null || r.servingRelation() == null) {
        return Optional.empty();
      }
      if (!definition(p, layout).equals(r.servingDefinition())
          || registry.spec(r.servingDataSource()).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new RollupAvailability.Built(String.valueOf(r.servingVersion()),
          r.servingRelation(), r.servingDataSource(), span(r.rangeStart(), r.rangeEnd())));
    };
  }

  private static TimeSpan span(String start, String end) {
    return new TimeSpan(start == null ? null : LocalDateTime.parse(start),
        end == null ? null : LocalDateTime.parse(end));
  }

  private Map<String, RollupRecord> records() {
    Snapshot s = snapshot;
    long now = System.nanoTime();
    if (now - s.readAt() > SNAPSHOT_NANOS) {
      try {
        Map<String, RollupRecord> map = new LinkedHashMap<>();
        for (RollupRecord r : status.list()) {
          map.put(key(r.model(), r.rollup(), r.store()), r);
        }
        s = new Snapshot(map, now);
        snapshot = s;
      } catch (RuntimeException e) {
        LOG.warn("rollup status not read ({}); keeping the last one", e.getMessage());
      }
    }
    return s.records();
  }

  private static String key(String model, String rollup, String store) {
    return model + "." + rollup + "|" + store;
  }

  private void forgetSnapshot() {
    snapshot = new Snapshot(snapshot.records(), 0);
  }

  // ---------------------------------------------------------------- status

  /** The status of every declared rollup (and of built ones no longer declared). */
  public List<RollupStatus> list() {
    SemanticCatalog c = catalog.get();
    List<RollupRecord> records = status.list();
    List<RollupStatus> out = new ArrayList<>();
    Planner p = planner(c);
    for (Model m : c.models()) {
      for (Rollup r : m.rollups()) {
        out.add(describe(p, m.name(), r, records));
      }
    }
    return out;
  }

  /** The rollups of one model. */
  public List<RollupStatus> list(String model) {
    Model m = catalog.get().model(model).orElseThrow(() ->
        new NotFoundException("model '" + model + "' does not exist"));
    Planner p = planner(catalog.get());
    List<RollupRecord> records = status.list();
    return m.rollups().stream().map(r -> describe(p, model, r, records)).toList();
  }

  /** One rollup, with its partitions. */
  public RollupStatus get(String model, String rollup) {
    Rollup r = declared(model, rollup);
    return describe(planner(catalog.get()), model, r, status.list());
  }

  private Rollup declared(String model, String rollup) {
    Model m = catalog.get().model(model).orElseThrow(() ->
        new NotFoundException("model '" + model + "' does not exist"));
    return m.rollup(rollup).orElseThrow(() -> new NotFoundException("model '" + model
        + "' has no rollup '" + rollup + "'" + (m.rollups().isEmpty() ? ""
        : " (it has " + String.join(", ", m.rollups().stream().map(Rollup::name).toList())
        + ")")));
  }

  /**
   * The status as this server sees it: the row of the store it reads (for a local rollup, its
   * own copy), and for a local rollup the copies of every server ({@code copies}).
   */
  private RollupStatus describe(Planner p, String model, Rollup r, List<RollupRecord> all) {
    String definition = null;
    String problem = null;
    String storeId = null;
    try {
      RollupLayout layout = p.rollups().layout(model, r.name());
      definition = definition(p, layout);
      storeId = storeId(layout);
    } catch (RuntimeException e) {
      problem = e.getMessage();
    }
    RollupRecord rec = null;
    List<RollupStatus.CopyStatus> copies = new ArrayList<>();
    for (RollupRecord x : all) {
      if (!x.model().equals(model) || !x.rollup().equals(r.name())) {
        continue;
      }
      if (x.store().equals(storeId)) {
        rec = x;
      }
      if (r.store() == io.strata.semantic.model.RollupStore.LOCAL
          && x.store().startsWith("local@")) {
        copies.add(new RollupStatus.CopyStatus(x.store(), x.store().equals(storeId),
            state(x, definition), x.servingVersion(), x.rows(), x.builtAt(), x.lastError(),
            x.lastErrorAt()));
      }
    }
    String state = state(rec, definition);
    List<RollupStatus.PartitionStatus> parts = List.of();
    if (rec != null && rec.servingVersion() != null) {
      parts = status.partitions(model, r.name(), rec.store(), rec.servingVersion()).stream()
          .map(x -> new RollupStatus.PartitionStatus(x.key(), x.start(), x.end(), x.rows(),
              x.bytes(), x.builtAt(), x.buildMillis())).toList();
    }
    String store = r.store().name().toLowerCase(Locale.ROOT);
    return new RollupStatus(model, r.name(), store, rec == null ? null : rec.store(), state,
        rec == null ? null : rec.servingVersion(), rec == null ? null : rec.servingRelation(),
        rec == null ? 0 : rec.rows(), rec == null ? 0 : rec.bytes(),
        rec == null ? null : rec.builtAt(), rec == null ? 0 : rec.buildMillis(),
        rec == null ? 0 : rec.builds(), rec == null ? 0 : rec.failures(),
        rec == null ? problem : rec.lastError() != null ? rec.lastError() : problem,
        rec == null ? null : rec.lastErrorAt(), rec == null ? null : rec.lastJobId(), parts,
        copies);
  }

  private static String state(RollupRecord rec, String definition) {
    if (rec == null || rec.servingVersion() == null) {
      return rec != null && rec.lastError() != null ? "failed" : "not_built";
    }
    return rec.servingDefinition() != null && rec.servingDefinition().equals(definition)
        ? "built" : "outdated";
  }

  // ---------------------------------------------------------------- requesting builds

  /**
   * Queues a build of one rollup (the REST rebuild; editor role is the caller's check).
   *
   * @param force rebuild every partition, not only the missing ones and those in the update
   *     window
   */
  public Job requestBuild(String model, String rollup, String owner, boolean force) {
    declared(model, rollup);
    Job job = submit(model, rollup, owner, force);
    try {
      String store = ensureRow(model, rollup);
      status.requested(model, rollup, store, clock.instant(), job.id());
    } catch (RuntimeException e) {
      LOG.debug("build request of {}.{} not recorded: {}", model, rollup, e.toString());
    }
    return job;
  }

  private String ensureRow(String model, String rollup) {
    Planner p = planner(catalog.get());
    RollupLayout layout = p.rollups().layout(model, rollup);
    String store = storeId(layout);
    status.ensure(model, rollup, store, definition(p, layout));
    return store;
  }

  /**
   * Queues a build: a local rollup's build writes this server's own file, so only this
   * server's workers may run it; a source rollup's build may run on any worker.
   */
  private Job submit(String model, String rollup, String owner, boolean force) {
    Planner p = planner(catalog.get());
    JobRequest request = JobRequest.rollupBuild(model, rollup, force);
    return isLocal(p.rollups().layout(model, rollup))
        ? jobs.submitHere(JobKind.ROLLUP_BUILD, owner, request)
        : jobs.submit(JobKind.ROLLUP_BUILD, owner, request);
  }

  private static boolean isLocal(RollupLayout layout) {
    return layout.rollup().store() == io.strata.semantic.model.RollupStore.LOCAL;
  }

  /** Queues a build of every rollup that is due; one server wins each (a conditional UPDATE). */
  void checkDue() {
    try {
      SemanticCatalog c = catalog.get();
      if (!hasRollups(c)) {
        return;
      }
      Planner p = planner(c);
      Instant now = clock.instant();
      for (Model m : c.models()) {
        for (Rollup r : m.rollups()) {
          try {
            String reason = due(p, m, r, now);
            if (reason != null) {
              RollupLayout layout = p.rollups().layout(m.name(), r.name());
              String store = storeId(layout);
              status.ensure(m.name(), r.name(), store, definition(p, layout));
              // at most one queued build per check interval (or lock wait) across the servers
              // reading the store (a local store: this server alone)
              Duration quiet = config.checkInterval().multipliedBy(4).compareTo(LOCK_WAIT) > 0
                  ? LOCK_WAIT : config.checkInterval().multipliedBy(4);
              if (status.claimRequest(m.name(), r.name(), store, now, now.minus(quiet), null)) {
                Job job = submit(m.name(), r.name(), SYSTEM, false);
                status.requested(m.name(), r.name(), store, now, job.id());
                LOG.info("rollup {}.{} queued for a build ({}): job {}", m.name(), r.name(),
                    reason, job.id());
              }
            }
          } catch (RuntimeException e) {
            LOG.warn("rollup {}.{} not checked: {}", m.name(), r.name(), e.getMessage());
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("checking rollups for builds failed: {}", e.toString());
    }
  }

  /** Why a rollup is due a build now, or null. */
  private String due(Planner p, Model m, Rollup r, Instant now) {
    RollupLayout layout = p.rollups().layout(m.name(), r.name());
    RollupRecord rec = status.find(m.name(), r.name(), storeId(layout)).orElse(null);
    if (rec != null && rec.requestedAt() != null
        && (rec.builtAt() == null || rec.requestedAt().isAfter(rec.builtAt()))
        && (rec.lastErrorAt() == null || rec.requestedAt().isAfter(rec.lastErrorAt()))
        && rec.requestedAt().plus(LOCK_WAIT).isAfter(now)) {
      return null; // a build was asked for and has not finished yet
    }
    if (rec == null || rec.servingVersion() == null) {
      if (rec != null && rec.lastErrorAt() != null && rec.requestedAt() != null
          && rec.lastErrorAt().isAfter(rec.requestedAt())) {
        // its job gave up; the next try waits for a model change or a manual rebuild
        return rec.lastErrorAt().plus(config.checkInterval().multipliedBy(20)).isBefore(now)
            ? "retrying after failures" : null;
      }
      return "never built";
    }
    if (!definition(p, layout).equals(rec.servingDefinition())) {
      return "definition changed";
    }
    Rollup.RollupRefresh refresh = r.refresh();
    if (refresh == null) {
      return null;
    }
    if (refresh.every() != null && rec.builtAt() != null
        && !rec.builtAt().plus(refresh.every()).isAfter(now)) {
      return "refresh every " + refresh.every();
    }
    if (refresh.sql() != null) {
      String value = refreshValue(m.dataSource(), refresh.sql());
      if (!value.equals(rec.refreshValue())) {
        return "refresh key changed";
      }
    }
    return null;
  }

  private String refreshValue(String dataSource, String sql) {
    try (Connection c = registry.connect(dataSource); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? String.valueOf(rs.getObject(1)) : "";
    } catch (SQLException e) {
      throw new DataSourceException(DataSourceException.Code.UNAVAILABLE, dataSource,
          "the refresh key of data source '" + dataSource + "' could not be read: "
              + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- building (jobs)

  @Override
  public void check(String owner, JobRequest request) {
    if (request.model() == null || request.rollup() == null) {
      throw new IllegalArgumentException("a rollup build names a model and a rollup");
    }
    declared(request.model(), request.rollup());
  }

  @Override
  public long run(io.strata.server.jobs.Job job, JobRequest request,
      AtomicReference<Runnable> canceller) {
    // a version published after the job was asked for answers it already
    return build(request.model(), request.rollup(), Boolean.TRUE.equals(request.force()),
        job.createdAt()).rows();
  }

  /** What one build did: the version published (null: none needed) and partitions written. */
  public record BuildOutcome(Long version, int partitionsBuilt, int partitionsReused,
      long rows) {}

  /**
   * Builds a rollup now, on this thread (jobs call it; tests too). Waits for the rollup's lock;
   * a build that another server finished after {@code since} makes this one do nothing.
   *
   * @throws RetryableJobException when the source or store failed (the old version serves on)
   * @throws NotFoundException for an undeclared rollup
   */
  public BuildOutcome build(String model, String rollup, boolean force, Instant since) {
    declared(model, rollup);
    Planner p = planner(catalog.get());
    RollupLayout layout = p.rollups().layout(model, rollup);
    String definition = definition(p, layout);
    Model m = catalog.get().model(model).orElseThrow();
    PartitionStore store;
    try {
      store = store(layout, m);
    } catch (RuntimeException e) {
      // a configuration problem (no rollup_schema): reported in the status, not retried
      status.ensure(model, rollup, storeId(layout), definition);
      status.failed(model, rollup, storeId(layout), e.getMessage(), clock.instant());
      forgetSnapshot();
      throw e;
    }
    String storeId = store.id();
    status.ensure(model, rollup, storeId, definition);
    // one build at a time per rollup and store: across all servers for the source store, on
    // this server for its own local copy (other servers build theirs meanwhile)
    String key = model + "." + rollup + (store == local ? "@" + storeId : "");
    lock(key);
    long t0 = System.nanoTime();
    List<String> written = new ArrayList<>();
    try {
      RollupRecord rec = status.find(model, rollup, storeId).orElseThrow();
      boolean current = rec.servingVersion() != null
          && definition.equals(rec.servingDefinition());
      if (!force && current && rec.builtAt() != null && !rec.builtAt().isBefore(since)) {
        return new BuildOutcome(null, 0, 0, 0); // built by someone else while we waited
      }
      String refreshValue = layout.rollup().refresh() != null
          && layout.rollup().refresh().sql() != null
          ? refreshValue(m.dataSource(), layout.rollup().refresh().sql()) : null;
      TimeSpan declared = declaredSpan(p.rollups(), layout, m);
      List<Partition> partitions = partitions(p.rollups(), layout, declared);
      Map<String, PartitionRecord> previous = new LinkedHashMap<>();
      if (current && !force) {
        status.partitions(model, rollup, storeId, rec.servingVersion())
            .forEach(x -> previous.put(x.key(), x));
      }
      Set<String> rebuild = new LinkedHashSet<>();
      for (Partition part : partitions) {
        if (!previous.containsKey(part.key())) {
          rebuild.add(part.key());
        }
      }
      p.rollups().toRefresh(layout, partitions).forEach(x -> rebuild.add(x.key()));
      long version = status.lastVersion(model, rollup, storeId) + 1;
      String base = baseName(model, rollup);
      SemanticCompiler compiler = new SemanticCompiler(layout.catalog(), clock);
      List<String> columns = layout.columns().stream().map(RollupColumn::name).toList();
      List<PartitionRecord> parts = new ArrayList<>();
      long rows = 0;
      long bytes = 0;
      int built = 0;
      for (Partition part : partitions) {
        PartitionRecord kept = previous.get(part.key());
        if (kept != null && !rebuild.contains(part.key())) {
          parts.add(kept);
        } else {
          String table = partitionTable(base, version, part.key());
          CompiledQuery q = compiler.compile(p.rollups().buildQuery(layout, part),
              registry::dialect);
          long p0 = System.nanoTime();
          written.add(table);
          PartitionStore.Written w = store.write(table, q.dataSource(), q.sql(), columns);
          long millis = (System.nanoTime() - p0) / 1_000_000;
          parts.add(new PartitionRecord(part.key(), str(part.span().from()),
              str(part.span().until()), store.path(table), w.rows(), w.bytes(),
              clock.instant(), millis));
          built++;
          status.extend(key, holder, clock.instant().plus(LOCK_TTL));
        }
        rows += parts.get(parts.size() - 1).rows();
        bytes += parts.get(parts.size() - 1).bytes();
      }
      String view = base + "_v" + version;
      written.add(view);
      store.createView(view, parts.stream().map(x -> name(x.relation())).toList());
      status.savePartitions(model, rollup, storeId, version, parts);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      // an open end of the build range stays open: the version holds all data on that side
      // (as of this build), which is what a query without a date range asks for
      String start = parts.isEmpty() || declared.from() == null ? null : parts.get(0).start();
      String end = parts.isEmpty() || declared.until() == null ? null
          : parts.get(parts.size() - 1).end();
      if (!status.publish(model, rollup, storeId, version, store.path(view), store.dataSource(),
          definition, start, end, refreshValue, rows, bytes, clock.instant(), millis)) {
        throw new IllegalStateException("a later version of rollup " + key
            + " was published during this build");
      }
      written.clear(); // published: from now on they are served
      forgetSnapshot();
      retire(model, rollup, version, rec, store);
      record(model, rollup, "ok", millis, rows);
      LOG.info("rollup {} version {} built: {} partitions written, {} reused, {} rows in {} ms",
          key, version, built, parts.size() - built, rows, millis);
      return new BuildOutcome(version, built, parts.size() - built, rows);
    } catch (SQLException | RuntimeException e) {
      for (String relation : written) {
        store.drop(name(store.path(relation)), relation.matches(".*_v\\d+$"));
      }
      String message = e instanceof SQLException ? "the build failed at the source or store: "
          + e.getMessage() : String.valueOf(e.getMessage());
      try {
        status.failed(model, rollup, storeId, message, clock.instant());
      } catch (RuntimeException ignored) {
        LOG.warn("the failure of rollup {} was not recorded: {}", key, ignored.toString());
      }
      forgetSnapshot();
      record(model, rollup, "failed", (System.nanoTime() - t0) / 1_000_000, 0);
      if (e instanceof NotFoundException n) {
        throw n;
      }
      throw new RetryableJobException("ROLLUP_BUILD_FAILED", "rollup " + key + ": " + message,
          e);
    } finally {
      try {
        status.unlock(key, holder);
      } catch (RuntimeException e) {
        LOG.warn("rollup lock {} not released (it expires): {}", key, e.toString());
      }
    }
  }

  /** Waits for the rollup's build lock; a build elsewhere holds it while it runs. */
  private void lock(String key) {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    while (!status.lock(key, holder, clock.instant(), clock.instant().plus(LOCK_TTL))) {
      if (System.nanoTime() > deadline) {
        throw new RetryableJobException("ROLLUP_LOCKED", "rollup " + key
            + " is being built by another server for longer than " + LOCK_WAIT, null);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetryableJobException("ROLLUP_LOCKED", "interrupted waiting for the lock of"
            + " rollup " + key, e);
      }
    }
  }

  /**
   * The partitions to hold: the build range, its open ends closed with the data's extent when
   * the rollup is partitioned.
   */
  private TimeSpan declaredSpan(Rollups rollups, RollupLayout layout, Model m)
      throws SQLException {
    Rollup.BuildRange range = layout.rollup().buildRange();
    return range != null && range.sql() != null
        ? sqlSpan(m.dataSource(), range.sql()) : rollups.buildSpan(layout);
  }

  private List<Partition> partitions(Rollups rollups, RollupLayout layout, TimeSpan declared)
      throws SQLException {
    TimeSpan span = declared;
    if (layout.rollup().partitionBy() != null && (span.from() == null || span.until() == null)) {
      TimeSpan extent = extent(layout);
      if (extent != null) {
        LocalDateTime from = span.from() != null ? span.from() : extent.from();
        LocalDateTime until = span.until() != null ? span.until() : extent.until();
        if (until.isAfter(from)) {
          span = new TimeSpan(from, until);
        }
      }
    }
    return rollups.partitions(layout, span);
  }

  /** The first and last period of data at the partition grain, or null without data. */
  private TimeSpan extent(RollupLayout layout) throws SQLException {
    SemanticQuery base = layout.baseQuery();
    if (base.timeDimensions().isEmpty()) {
      return null;
    }
    String td = base.timeDimensions().get(0).dimension();
    SemanticQuery q = new SemanticQuery(List.of(), List.of(), List.of(
        new SemanticQuery.TimeDimension(td, layout.rollup().partitionBy().lowerName(), null)),
        base.filters(), base.segments(), List.of(new SemanticQuery.Order(td, false)), null, null,
        base.timezone());
    CompiledQuery c = new SemanticCompiler(layout.catalog(), clock).compile(q,
        registry::dialect);
    LocalDateTime first = null;
    LocalDateTime last = null;
    try (Connection con = registry.connect(c.dataSource()); Statement st = con.createStatement();
        ResultSet rs = st.executeQuery(c.sql())) {
      while (rs.next()) {
        LocalDateTime t = dateTime(rs.getObject(1));
        if (t == null) {
          continue;
        }
        first = first == null || t.isBefore(first) ? t : first;
        last = last == null || t.isAfter(last) ? t : last;
      }
    }
    // the last period is whole: partitions() extends a span ending inside it to its end
    return first == null ? null : new TimeSpan(first, last.plusSeconds(1));
  }

  /** A {@code build_range.sql} answer: one row (start, end), end inclusive for dates. */
  private TimeSpan sqlSpan(String dataSource, String sql) throws SQLException {
    try (Connection c = registry.connect(dataSource); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        return TimeSpan.ALL;
      }
      Object a = rs.getObject(1);
      Object b = rs.getObject(2);
      LocalDateTime from = dateTime(a);
      LocalDateTime until = dateTime(b);
      if (until != null && (b instanceof java.sql.Date || b instanceof LocalDate)) {
        until = until.plusDays(1);
      } else if (until != null) {
        until = until.plusSeconds(1);
      }
      return new TimeSpan(from, until);
    }
  }

  private static LocalDateTime dateTime(Object o) {
    if (o == null) {
      return null;
    }
    if (o instanceof LocalDateTime t) {
      return t;
    }
    if (o instanceof LocalDate d) {
      return d.atStartOfDay();
    }
    if (o instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime();
    }
    if (o instanceof java.sql.Date d) {
      return d.toLocalDate().atStartOfDay();
    }
    if (o instanceof OffsetDateTime t) {
      return t.toLocalDateTime();
    }
    String s = o.toString().trim().replace(' ', 'T');
    return s.length() == 10 ? LocalDate.parse(s).atStartOfDay() : LocalDateTime.parse(s);
  }

  /**
   * Drops what only older versions read, after the grace period (a server may still route a
   * query to the previous version until its snapshot is renewed).
   */
  private void retire(String model, String rollup, long version, RollupRecord before,
      PartitionStore store) {
    List<String> tables = status.relationsOutside(model, rollup, store.id(), version);
    String oldView = before.servingRelation();
    boolean sameStore = before.store().equals(store.id());
    Runnable drop = () -> {
      try {
        if (oldView != null && sameStore) {
          store.drop(name(oldView), true);
        }
        for (String t : tables) {
          store.drop(name(t), false);
        }
        status.forgetVersionsBefore(model, rollup, store.id(), version);
      } catch (RuntimeException e) {
        LOG.warn("old versions of rollup {}.{} not dropped: {}", model, rollup, e.toString());
      }
    };
    if (config.dropGrace().isZero()) {
      drop.run();
    } else {
      try {
        timer.schedule(drop, config.dropGrace().toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // shutting down: the next build drops them
      }
    }
  }

  private PartitionStore store(RollupLayout layout, Model m) {
    if (layout.rollup().store() == io.strata.semantic.model.RollupStore.LOCAL) {
      return local;
    }
    DataSourceSpec spec = registry.spec(m.dataSource()).orElseThrow(() ->
        new DataSourceException(DataSourceException.Code.UNKNOWN_DATA_SOURCE, m.dataSource(),
            "rollup " + layout.id() + " has store: source but data source '" + m.dataSource()
                + "' is not configured"));
    if (spec.rollupSchema() == null) {
      throw new IllegalArgumentException("rollup " + layout.id() + " has store: source, but"
          + " data source '" + m.dataSource() + "' has no property '"
          + DataSourceSpec.ROLLUP_SCHEMA + "' naming the schema to write rollups to: set it"
          + " in the data source's properties");
    }
    return new SourceRollupStore(registry, m.dataSource(), spec.rollupSchema());
  }

  private String storeId(RollupLayout layout) {
    if (layout.rollup().store() == io.strata.semantic.model.RollupStore.LOCAL) {
      return local.id();
    }
    Model m = catalog.get().model(layout.model()).orElseThrow();
    String schema = registry.spec(m.dataSource()).map(DataSourceSpec::rollupSchema)
        .orElse(null);
    return "source:" + m.dataSource() + "." + schema;
  }

  /** The last part of a dotted relation path. */
  private static String name(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  /** {@code sr_<model>_<rollup>_<hash>}: short enough for every warehouse's identifiers. */
  static String baseName(String model, String rollup) {
    return "sr_" + slug(model + "_" + rollup, 28) + "_"
        + sha256(model + "." + rollup).substring(0, 6);
  }

  /** The table of one partition of one version. */
  static String partitionTable(String base, long version, String partitionKey) {
    return base + "_v" + version + "_" + slug(partitionKey, 20);
  }

  private static String slug(String s, int max) {
    String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    return t.length() > max ? t.substring(0, max) : t;
  }

  private static String str(LocalDateTime t) {
    return t == null ? null : t.toString();
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void record(String model, String rollup, String outcome, long millis, long rows) {
    Timer.builder("strata.rollup.builds")
        .description("Rollup builds run by this process, by rollup and outcome (ok, failed)")
        .tag("rollup", model + "." + rollup).tag("outcome", outcome)
        .register(meters).record(millis, TimeUnit.MILLISECONDS);
    Counter.builder("strata.rollup.build.rows")
        .description("Rows written into rollup stores by builds")
        .tag("rollup", model + "." + rollup)
        .register(meters).increment(rows);
  }
}
