package io.strata.server.jobs;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.CronSchedule;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strata.semantic.query.QueryException;
import io.strata.server.api.BadRequestException;
import io.strata.server.auth.Principal;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.metadata.MetadataException;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.query.QueryService;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job system's one entry point: submits, lists, cancels and schedules jobs, and (with
 * {@code strata.workers.enabled}) runs them.
 *
 * <p>The engine is db-scheduler on the metadata database ({@code strata_scheduled_tasks}): a job
 * is one execution of task {@value #TASK} whose instance id is the job id. db-scheduler picks
 * each execution on exactly one worker of all processes sharing the database (a row lock and a
 * version column), keeps a heartbeat on it, and runs it again elsewhere when its worker misses
 * four heartbeats (dead-execution detection); failed runs are rescheduled with exponential
 * back-off. A recurring schedule is one execution of task {@value #SCHEDULE_TASK} that
 * reschedules itself to its cron expression's next time, so each firing runs once in total.
 *
 * <p>{@code strata_jobs} is the user-facing record: written before {@link #submit} returns (then
 * the engine's row), moved between states only by conditional updates. Jobs are at-least-once,
 * so every kind is idempotent: a result is written under the job's name and replaces an earlier
 * attempt's whole.
 *
 * <p>Cancel reaches a running warehouse query in whichever process runs it: the cancel request is
 * a flag on the job's row that each worker polls for its running jobs every
 * {@code strata.workers.poll-interval}, and the worker then cancels the query through its
 * {@link QueryService}.
 *
 * <p>A job {@link #submitHere submitted here} is an execution of a task named for this server
 * (its host and data directory): other processes' engines do not know that name and leave it,
 * so only this server's workers run it (a local rollup build writes this server's own file).
 */
public final class Jobs implements AutoCloseable {
  static final String TASK = "strata-job";
  static final String SCHEDULE_TASK = "strata-schedule";
  private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);
  private static final int MISSED_HEARTBEATS = 4;

  private final JobsConfig config;
  private final DataSource db;
  private final JobStore store;
  private final JobRunner runner;
  private final ResultStore results;
  private final Clock clock;
  private final MeterRegistry meters;
  private final String workerName;
  private final OneTimeTask<Void> jobTask;
  /** Jobs only this process may run ({@link #submitHere}): a task name no other process knows. */
  private final OneTimeTask<Void> hereTask;
  private final CustomTask<Void> scheduleTask;
  private final SchedulerClient client;
  private final Map<String, AtomicReference<Runnable>> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService watcher;
  private volatile Scheduler scheduler;
  private volatile Map<JobKind, Long> queuedSnapshot = new EnumMap<>(JobKind.class);
  private volatile long snapshotAt;

  /** @param dataDir this process's own data directory (names the jobs only it runs) */
  Jobs(JobsConfig config, DataSource db, JobRunner runner, ResultStore results, Clock clock,
      MeterRegistry meters, java.nio.file.Path dataDir) {
    this.config = config;
    this.db = db;
    this.store = new JobStore(db);
    this.runner = runner;
    this.results = results;
    this.clock = clock;
    this.meters = meters;
    String host = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    this.workerName = host.length() > 50 ? host.substring(0, 50) : host;
    this.jobTask = Tasks.oneTime(TASK)
        .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(
            config.retryBackoff().isZero() ? Duration.ofMillis(1) : config.retryBackoff(), 2.0))
        .onDeadExecutionRevive()
        .execute((instance, context) -> execute(instance.getId(), true));
    // named for the host and data directory, so a restarted server runs what was queued for it
    this.hereTask = Tasks.oneTime(TASK + "@" + HexFormat.of().formatHex(sha256(
            host.substring(host.indexOf('@') + 1) + " " + dataDir.toAbsolutePath()))
            .substring(0, 24))
        .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(
            config.retryBackoff().isZero() ? Duration.ofMillis(1) : config.retryBackoff(), 2.0))
        .onDeadExecutionRevive()
        .execute((instance, context) -> execute(instance.getId(), true));
    this.scheduleTask = Tasks.custom(SCHEDULE_TASK, Void.class)
        .onDeadExecutionRevive()
        .execute((instance, context) -> fire(instance.getId()));
    this.client = SchedulerClient.Builder.create(db, jobTask, hereTask, scheduleTask)
        .tableName("strata_scheduled_tasks").build();
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-jobs-watcher");
      t.setDaemon(true);
      return t;
    });
    registerMetrics();
  }

  /** Sets what runs jobs of {@code kind} (reports, alerts, thumbnails, rollup builds: another package's work; once, at startup). */
  public void handle(JobKind kind, JobHandler handler) {
    runner.handle(kind, handler);
  }

  /**
   * Checks a cron expression and time zone as {@link #schedule} takes them, for a caller that
   * must check everything before it saves anything.
   *
   * @throws BadRequestException INVALID_CRON or INVALID_TIME_ZONE
   */
  public static void checkCron(String cron, String timeZone) {
    cron(cron, timeZone);
  }

  /** Starts the workers when {@code strata.workers.enabled}, and the sweep of expired results. */
  public synchronized void start() {
    if (config.workersEnabled() && scheduler == null) {
      scheduler = Scheduler.create(db, List.<Task<?>>of(jobTask, hereTask, scheduleTask))
          .tableName("strata_scheduled_tasks")
          .schedulerName(new SchedulerName.Fixed(workerName))
          .threads(config.threads())
          .pollingInterval(config.pollInterval())
          .heartbeatInterval(config.heartbeatInterval())
          .missedHeartbeatsLimit(MISSED_HEARTBEATS)
          .alwaysPersistTimestampInUTC()
          .enableImmediateExecution()
          .shutdownMaxWait(Duration.ofSeconds(30))
          .build();
      scheduler.start();
      long poll = config.pollInterval().toMillis();
      watcher.scheduleWithFixedDelay(this::checkCancels, poll, poll, TimeUnit.MILLISECONDS);
      LOG.info("job workers started: {} threads as {}", config.threads(), workerName);
    }
    watcher.scheduleWithFixedDelay(this::sweep, 1, 10, TimeUnit.MINUTES);
  }

  /**
   * Serves this worker process's health endpoint on {@code strata.workers.health-port}; null
   * when it is -1 (off). Called by {@code strata worker}, which has no other HTTP.
   */
  public WorkerHealth startHealth() throws IOException {
    return startHealth("0.0.0.0");
  }

  /** {@link #startHealth()} on the address {@code host} (strata.bind-host). */
  public WorkerHealth startHealth(String host) throws IOException {
    if (config.healthPort() < 0) {
      return null;
    }
    return WorkerHealth.start(host, config.healthPort(), db, () -> List.copyOf(running.keySet()),
        config.threads());
  }

  public boolean workersEnabled() {
    return config.workersEnabled();
  }

  public JobsConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- submitting

  /**
   * Persists a job and hands it to the engine; returns it queued. Export jobs with the same
   * query, options and models as an earlier one whose file has not expired return that one.
   */
  public Job submit(JobKind kind, String owner, JobRequest request) {
    return submit(kind, owner, request, jobTask, null);
  }

  /**
   * As {@link #submit(JobKind, String, JobRequest)}, run no earlier than {@code runAt} (null:
   * now); queued meanwhile.
   */
  public Job submit(JobKind kind, String owner, JobRequest request, Instant runAt) {
    return submit(kind, owner, request, jobTask, runAt);
  }

  /**
   * As {@link #submit}, but only this process's workers run the job (its engine task is named
   * for this process alone; other processes' engines leave it): for work on this process's own
   * files, such as a server's local rollup store. Without workers here it waits until this
   * process runs them again (never: it is lost with the process, and its requester asks again).
   */
  public Job submitHere(JobKind kind, String owner, JobRequest request) {
    return submit(kind, owner, request, hereTask, null);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Job submit(JobKind kind, String owner, JobRequest request, OneTimeTask<Void> task,
      Instant runAt) {
    runner.check(kind, owner, request);
    String parameters = request.json();
    String key = kind == JobKind.EXPORT ? cacheKey(kind, owner, parameters) : null;
    Instant now = clock.instant();
    if (key != null) {
      Job done = store.reusable(kind, key, now);
      if (done != null && done.resultLocation() != null
          && results.size(done.resultLocation()) >= 0) {
        return done;
      }
    }
    Job job = new Job(UUID.randomUUID().toString(), kind, owner, JobState.QUEUED, 0, 0, false,
        null, null, key, parameters, null, null, null, null, null, now, null, null, null);
    store.insert(job);
    try {
      client.schedule(new TaskInstance<Void>(task.getName(), job.id()),
          runAt == null || runAt.isBefore(now) ? now : runAt);
    } catch (RuntimeException e) {
      store.end(job.id(), JobState.FAILED, "NOT_QUEUED", "the job could not be queued: "
          + e.getMessage(), now);
      throw new MetadataException("job " + job.id() + " could not be queued: " + e.getMessage(),
          e);
    }
    if (scheduler != null) {
      scheduler.triggerCheckForDueExecutions();
    }
    return job;
  }

  /** The key under which an export's file is reused: who, what, and the models' revision. */
  private String cacheKey(JobKind kind, String owner, String parameters) {
    String revisions = "";
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT name, revision FROM strata_revisions ORDER BY name")) {
      StringBuilder b = new StringBuilder();
      while (rs.next()) {
        b.append(rs.getString(1)).append('=').append(rs.getLong(2)).append(';');
      }
      revisions = b.toString();
    } catch (SQLException e) {
      throw new MetadataException("cannot read the models' revision: " + e.getMessage(), e);
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((kind.id() + "\n" + owner + "\n" + revisions + "\n" + parameters)
          .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- reading, cancelling

  /** A job its caller may see: their own, or any for an admin; else 404 (no leak of ids). */
  public Job get(String id, Principal who) {
    Job job = id == null ? null : store.find(id).orElse(null);
    if (job == null || !(who.role() == Role.ADMIN || job.owner().equals(who.username()))) {
      throw new NotFoundException("job '" + id + "' does not exist");
    }
    return job;
  }

  /** A job whoever asks, or null: only for a caller that proves access otherwise (a signed link). */
  Job find(String id) {
    return id == null ? null : store.find(id).orElse(null);
  }

  /** The caller's jobs (every user's for an admin with {@code all}), newest first. */
  public List<Job> list(Principal who, boolean all, JobState state, int limit) {
    String owner = all && who.role() == Role.ADMIN ? null : who.username();
    return store.list(owner, state, Math.max(1, Math.min(limit, 1000)));
  }

  /**
   * Cancels a job: a queued one at once; a running one through its worker, which cancels its
   * warehouse query within a poll interval. A final job is returned as it is.
   */
  public Job cancel(String id, Principal who) {
    Job job = get(id, who);
    if (job.state().isFinal()) {
      return job;
    }
    if (store.requestCancel(id)) {
      Instant now = clock.instant();
      if (store.find(id).map(j -> j.state() == JobState.QUEUED).orElse(false)) {
        store.end(id, JobState.CANCELLED, "CANCELLED", "cancelled by " + who.username()
            + " before it started", now);
      }
      AtomicReference<Runnable> local = running.get(id);
      if (local != null && local.get() != null) {
        local.get().run();
      }
    }
    return store.require(id);
  }

  /**
   * The members of a semantic query job's result (titles, types, formats) as its query compiles
   * now; null for SQL, or when it no longer compiles (its models changed).
   */
  public List<io.strata.semantic.compile.OutputColumn> columns(Job job) {
    try {
      return runner.columns(job, JobRequest.parse(job.parameters()));
    } catch (RuntimeException e) {
      LOG.debug("no annotation for job {}: {}", job.id(), e.getMessage());
      return null;
    }
  }

  /** The job's stored result (Arrow stream or CSV file). */
  public InputStream openResult(Job job) throws IOException {
    if (job.resultLocation() == null) {
      throw new NotFoundException("job '" + job.id() + "' has no result"
          + (job.state() == JobState.SUCCEEDED ? " any more (it expired)" : " (it is "
          + job.state().id() + ")"));
    }
    return results.open(job.resultLocation());
  }

  // ---------------------------------------------------------------- schedules

  /**
   * Saves a recurring job and schedules its first run.
   *
   * @throws BadRequestException INVALID_CRON (field {@code cron}) or INVALID_TIME_ZONE (field
   *     {@code timeZone})
   */
  public JobSchedule schedule(JobKind kind, String owner, String cron, String timeZone,
      JobRequest request) {
    CronSchedule schedule = cron(cron, timeZone);
    runner.check(kind, owner, request);
    Instant now = clock.instant();
    JobSchedule s = new JobSchedule(UUID.randomUUID().toString(), kind, owner, cron,
        schedule.getZoneId().getId(), request.json(), now, null, null, false);
    store.insertSchedule(s);
    client.schedule(new TaskInstance<Void>(SCHEDULE_TASK, s.id()),
        schedule.getInitialExecutionTime(now));
    return s;
  }

  /**
   * Keeps a dashboard warm: a warm-up that fires now and then at the start of each of its cache
   * windows ({@link KeepWarm}), so its entries are refreshed before they expire.
   */
  public JobSchedule keepWarm(String owner, JobRequest request) {
    runner.check(JobKind.WARMUP, owner, request);
    Instant now = clock.instant();
    JobSchedule s = new JobSchedule(UUID.randomUUID().toString(), JobKind.WARMUP, owner, "",
        "UTC", request.json(), now, null, null, true);
    store.insertSchedule(s);
    client.schedule(new TaskInstance<Void>(SCHEDULE_TASK, s.id()), now);
    if (scheduler != null) {
      scheduler.triggerCheckForDueExecutions();
    }
    return s;
  }

  static CronSchedule cron(String cron, String timeZone) {
    ZoneId zone;
    try {
      zone = ZoneId.of(timeZone == null || timeZone.isBlank() ? "UTC" : timeZone.trim());
    } catch (DateTimeException e) {
      throw new BadRequestException("INVALID_TIME_ZONE", "timeZone", "timeZone '" + timeZone
          + "' is not a time zone: give a region such as Europe/Paris or America/New_York, or"
          + " UTC (" + e.getMessage() + ")");
    }
    if (cron == null || cron.isBlank()) {
      throw new BadRequestException("INVALID_CRON", "cron", "cron is missing: give six fields,"
          + " seconds first, e.g. \"0 0 7 * * MON-FRI\"");
    }
    try {
      return new CronSchedule(cron.trim(), zone);
    } catch (RuntimeException e) {
      throw new BadRequestException("INVALID_CRON", "cron", "cron '" + cron + "' is not a cron"
          + " expression: " + e.getMessage() + " (six fields, seconds first, e.g."
          + " \"0 0 7 * * MON-FRI\")");
    }
  }

  public List<JobSchedule> schedules(Principal who) {
    return store.schedules(who.role() == Role.ADMIN ? null : who.username());
  }

  public JobSchedule schedule(String id, Principal who) {
    JobSchedule s = store.findSchedule(id).orElse(null);
    if (s == null || !(who.role() == Role.ADMIN || s.owner().equals(who.username()))) {
      throw new NotFoundException("schedule '" + id + "' does not exist");
    }
    return s;
  }

  /** Deletes a schedule; its engine row stops itself at its next firing. */
  public void deleteSchedule(String id, Principal who) {
    schedule(id, who);
    store.deleteSchedule(id);
    try {
      client.cancel(new TaskInstance<Void>(SCHEDULE_TASK, id));
    } catch (RuntimeException e) {
      // running right now: it finds its schedule gone at its next firing and stops
    }
  }

  /** The jobs a schedule has run, newest first. */
  public List<Job> runs(JobSchedule s, int limit) {
    return store.bySchedule(s.id(), limit);
  }

  // ---------------------------------------------------------------- execution (workers)

  /**
   * Runs one job on this worker. With {@code retry}, a passing failure (warehouse down, timeout,
   * this worker shutting down) is thrown so that the engine runs the job again after its
   * back-off, until {@code strata.jobs.max-attempts}; anything else ends the job.
   */
  private void execute(String id, boolean retry) {
    Job job = store.find(id).orElse(null);
    if (job == null || job.state().isFinal()) {
      return;
    }
    Instant now = clock.instant();
    if (job.cancelRequested()) {
      store.end(id, JobState.CANCELLED, "CANCELLED", "cancelled before it started", now);
      return;
    }
    if (job.attempts() >= config.maxAttempts()) {
      store.end(id, JobState.FAILED, job.errorCode() == null ? "GAVE_UP" : job.errorCode(),
          "gave up after " + job.attempts() + " attempts (strata.jobs.max-attempts)"
              + (job.errorMessage() == null ? "" : "; the last failed: " + job.errorMessage()),
          now);
      return;
    }
    if (!store.start(id, workerName, now)) {
      return;
    }
    AtomicReference<Runnable> canceller = new AtomicReference<>();
    running.put(id, canceller);
    long t0 = System.nanoTime();
    JobState outcome = JobState.FAILED;
    try {
      JobRunner.Outcome o = runner.run(job, JobRequest.parse(job.parameters()), canceller,
          progress(id), store);
      Instant end = clock.instant();
      if (store.succeed(id, o.location(), o.rows(), o.bytes(), end, end.plus(config.resultTtl()))) {
        outcome = JobState.SUCCEEDED;
        succeeded(job);
      } else if (o.location() != null) {
        deleteQuietly(o.location()); // cancelled while it finished: nobody will read it
        outcome = JobState.CANCELLED;
      }
    } catch (QueryExecutionException e) {
      if (e.code() == QueryExecutionException.Code.CANCELLED
          || store.find(id).map(Job::cancelRequested).orElse(false)) {
        store.end(id, JobState.CANCELLED, "CANCELLED", e.getMessage(), clock.instant());
        outcome = JobState.CANCELLED;
      } else if (e.code() == QueryExecutionException.Code.ROW_LIMIT_EXCEEDED) {
        store.end(id, JobState.FAILED, e.code().name(), e.getMessage(), clock.instant());
      } else {
        outcome = failed(job, e.code().name(), e, retry);
      }
    } catch (DataSourceException e) {
      if (e.code() == DataSourceException.Code.UNAVAILABLE) {
        outcome = failed(job, e.code().name(), e, retry);
      } else {
        store.end(id, JobState.FAILED, e.code().name(), e.getMessage(), clock.instant());
      }
    } catch (IOException | MetadataException e) {
      outcome = failed(job, "IO_ERROR", e, retry);
    } catch (RetryableJobException e) {
      outcome = failed(job, e.code(), e, retry);
    } catch (QueryException e) {
      store.end(id, JobState.FAILED, e.code().name(), e.getMessage(), clock.instant());
    } catch (RuntimeException e) {
      // a bad request (SQL that does not parse, an unknown dashboard) fails the same every time
      store.end(id, JobState.FAILED, e instanceof io.strata.server.sql.SqlQueryException q
          ? q.code().name() : QueryService.errorCode(e), String.valueOf(e.getMessage()),
          clock.instant());
    } finally {
      running.remove(id);
      Timer.builder("strata.jobs.duration")
          .description("Jobs run by this process, by kind and outcome")
          .tag("kind", job.kind().id()).tag("state", outcome.id())
          .register(meters).record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Told, on the worker's thread, after a job of this process succeeded, with its request (the
   * reports package renders thumbnails again after a warm-up or a rollup build). A listener that
   * throws is logged; the job stays succeeded.
   */
  public interface SucceededListener {
    void succeeded(Job job, JobRequest request);
  }

  private final List<SucceededListener> succeededListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public void onSucceeded(SucceededListener listener) {
    succeededListeners.add(listener);
  }

  private void succeeded(Job job) {
    for (SucceededListener l : succeededListeners) {
      try {
        l.succeeded(job, JobRequest.parse(job.parameters()));
      } catch (RuntimeException e) {
        LOG.warn("after job {} succeeded: {}", job.id(), e.toString());
      }
    }
  }

  /** A passing failure: retried (thrown to the engine) while attempts are left, else final. */
  private JobState failed(Job job, String code, Exception e, boolean retry) {
    int attempts = job.attempts() + 1;
    if (retry && attempts < config.maxAttempts()) {
      store.retrying(job.id(), code, e.getMessage());
      LOG.warn("job {} attempt {} failed ({}), retrying: {}", job.id(), attempts, code,
          e.getMessage());
      throw new RetryLater(code + ": " + e.getMessage(), e);
    }
    store.end(job.id(), JobState.FAILED, code, e.getMessage(), clock.instant());
    return JobState.FAILED;
  }

  /** Thrown to the engine so that its failure handler reschedules the job with back-off. */
  static final class RetryLater extends RuntimeException {
    RetryLater(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Progress written at most once a second: a counter, not a load on the metadata DB. */
  private LongConsumer progress(String id) {
    long[] last = {System.nanoTime()};
    return rows -> {
      long now = System.nanoTime();
      if (now - last[0] >= 1_000_000_000L) {
        last[0] = now;
        try {
          store.progress(id, rows);
        } catch (RuntimeException e) {
          LOG.debug("progress of job {} not recorded: {}", id, e.toString());
        }
      }
    };
  }

  /** One firing of a schedule: runs its job here and now, then the next firing is set. */
  private CompletionHandler<Void> fire(String scheduleId) {
    JobSchedule s = store.findSchedule(scheduleId).orElse(null);
    if (s == null) {
      return (complete, ops) -> ops.remove(); // deleted
    }
    Instant now = clock.instant();
    Job job = new Job(UUID.randomUUID().toString(), s.kind(), s.owner(), JobState.QUEUED, 0, 0,
        false, null, s.id(), null, s.parameters(), null, null, null, null, null, now, null,
        null, null);
    try {
      store.insert(job);
      store.scheduleRan(s.id(), job.id(), now);
      execute(job.id(), false);
    } catch (RuntimeException e) {
      LOG.warn("schedule {} could not run its job: {}", scheduleId, e.toString());
    }
    if (s.keepWarm()) {
      Duration window;
      try {
        window = runner.warmupPlan(JobRequest.parse(s.parameters()).dashboardId(), s.owner())
            .window();
      } catch (RuntimeException e) {
        LOG.warn("keep-warm schedule {}: no window ({}); trying again in {}", scheduleId,
            e.getMessage(), KeepWarm.NO_CACHE);
        window = KeepWarm.NO_CACHE;
      }
      Instant next = KeepWarm.next(clock.instant(), window);
      return (complete, ops) -> ops.reschedule(complete, next);
    }
    return new CompletionHandler.OnCompleteReschedule<>(
        new CronSchedule(s.cron(), ZoneId.of(s.timeZone())));
  }

  /** Cancels the queries of this worker's jobs whose cancel was requested elsewhere. */
  private void checkCancels() {
    try {
      List<String> ids = new ArrayList<>(running.keySet());
      for (String id : store.cancelRequested(ids)) {
        AtomicReference<Runnable> c = running.get(id);
        if (c != null && c.get() != null) {
          LOG.info("cancelling job {} as requested", id);
          c.get().run();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("checking for cancelled jobs failed: {}", e.toString());
    }
  }

  /** Deletes expired results and exports; their jobs stay, without a result. */
  public int sweep() {
    int n = 0;
    try {
      for (Job j : store.expired(clock.instant(), 1000)) {
        deleteQuietly(j.resultLocation());
        store.clearResult(j.id());
        n++;
      }
      // a claim matters only within its window, as long as the shortest entry lifetime of a
      // dashboard: kept a week, longer than any refresh.every in practical use
      store.forgetClaims(clock.instant().minus(Duration.ofDays(7)));
    } catch (RuntimeException e) {
      LOG.warn("sweeping expired job results failed: {}", e.toString());
    }
    return n;
  }

  private void deleteQuietly(String name) {
    try {
      results.delete(name);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not delete job result {}: {}", name, e.toString());
    }
  }

  // ---------------------------------------------------------------- metrics

  private void registerMetrics() {
    for (JobKind k : JobKind.values()) {
      Gauge.builder("strata.jobs.queued", () -> queued().getOrDefault(k, 0L))
          .description("Jobs waiting for a worker, by kind (every process's queue: one database)")
          .tag("kind", k.id()).register(meters);
    }
    Gauge.builder("strata.jobs.running", running, Map::size)
        .description("Jobs this process is running now").register(meters);
  }

  private Map<JobKind, Long> queued() {
    long now = System.nanoTime();
    if (now - snapshotAt > 1_000_000_000L) {
      try {
        queuedSnapshot = store.countByKind(JobState.QUEUED);
      } catch (RuntimeException e) {
        LOG.debug("queue depth not read: {}", e.toString());
      }
      snapshotAt = now;
    }
    return queuedSnapshot;
  }

  /** Stops the workers (running jobs get up to 30 s, then run again elsewhere). */
  @Override
  public synchronized void close() {
    watcher.shutdownNow();
    if (scheduler != null) {
      scheduler.stop();
      scheduler = null;
    }
  }
}
