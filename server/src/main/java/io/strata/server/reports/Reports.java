package io.strata.server.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.acceleration.cache.CacheMode;
import io.strata.semantic.query.QueryException;
import io.strata.semantic.query.QueryJson;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.api.BadRequestException;
import io.strata.server.auth.AuthService;
import io.strata.server.auth.Passwords;
import io.strata.server.auth.Principal;
import io.strata.server.dashboard.DashboardService;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.jobs.Job;
import io.strata.server.jobs.JobKind;
import io.strata.server.jobs.JobRequest;
import io.strata.server.jobs.JobSchedule;
import io.strata.server.jobs.Jobs;
import io.strata.server.metadata.NotFoundException;
import io.strata.server.metadata.Role;
import io.strata.server.metadata.SessionStore;
import io.strata.server.metadata.User;
import io.strata.server.metadata.UserStore;
import io.strata.server.query.ArrowBatches;
import io.strata.server.query.QueryExecutionException;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryService;
import io.strata.server.query.RowWriters;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import io.strata.server.sql.PreparedSql;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports, alerts and thumbnails: the package's one entry point, called by
 * {@link ReportsController} and, as the {@link io.strata.server.jobs.JobHandler} of job kinds
 * {@code report}, {@code alert} and {@code thumbnail}, by the job system's workers.
 *
 * <p>A report or an alert is a row of {@code strata_reports} plus a recurring job of the job
 * system (cron and time zone), which runs it on exactly one worker; every run is a row of
 * {@code strata_report_runs} with what it found and what it sent to whom. Everything runs as the
 * owner: pages are rendered by headless Chromium under a short-lived session of the owner, and
 * queries under the owner's security context, so a recipient never sees more than the owner.
 */
public final class Reports implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reports.class);
  static final String THUMBNAILS = "thumbnails";
  static final String IMAGES = "images";
  /** A thumbnail: a 1280x800 page at a quarter of its size. */
  static final int THUMB_WIDTH = 1280;
  static final int THUMB_HEIGHT = 800;
  static final double THUMB_SCALE = 0.25;

  private final ReportStore store;
  private final Jobs jobs;
  private final DashboardService dashboards;
  private final QueryService queries;
  private final SqlService sql;
  private final AccessPolicy access;
  private final UserStore users;
  private final SessionStore sessions;
  private final AuthService auth;
  private final ReportsSettings settings;
  private final ImageCache images;
  private final Browser browser;
  private final Delivery delivery;
  private final Clock clock;
  private final Supplier<String> baseUrl;
  private final io.micrometer.core.instrument.MeterRegistry meters;
  /** Viewers recorded lately (subject and viewer), so a busy list does not write per view. */
  private final Cache<String, Boolean> remembered;
  /** First thumbnails queued lately by a request, so the asks until it is drawn queue one. */
  private final Cache<String, Boolean> requested;
  private final ThumbnailStore thumbs;
  private final io.strata.server.jobs.SignedLinks signed;

  Reports(ReportStore store, Jobs jobs, DashboardService dashboards, QueryService queries,
      SqlService sql, AccessPolicy access, UserStore users, SessionStore sessions,
      AuthService auth, ReportsSettings settings, ImageCache images, Clock clock,
      Supplier<String> baseUrl, io.micrometer.core.instrument.MeterRegistry meters,
      ThumbnailStore thumbs, io.strata.server.jobs.SignedLinks signed) {
    this.meters = meters;
    this.thumbs = thumbs;
    this.signed = signed;
    this.store = store;
    this.jobs = jobs;
    this.dashboards = dashboards;
    this.queries = queries;
    this.sql = sql;
    this.access = access;
    this.users = users;
    this.sessions = sessions;
    this.auth = auth;
    this.settings = settings;
    this.images = images;
    this.clock = clock;
    this.baseUrl = baseUrl;
    this.browser = new Browser(settings.chromium(), settings.renderTimeout());
    this.delivery = new Delivery(settings);
    this.remembered = Caffeine.newBuilder().expireAfterWrite(Duration.ofHours(1))
        .maximumSize(100_000).build();
    this.requested = Caffeine.newBuilder().expireAfterWrite(settings.renderTimeout()
        .plusSeconds(30)).maximumSize(100_000).build();
    jobs.handle(JobKind.REPORT, handler("/api/v1/reports", this::runJob));
    jobs.handle(JobKind.ALERT, handler("/api/v1/alerts", this::runJob));
    jobs.handle(JobKind.THUMBNAIL, handler("/api/v1/thumbnails", this::thumbnailJob));
    dashboards.onChange(this::changed);
    jobs.onSucceeded(this::refreshed);
  }

  /** A job kind of this package: made here only, never by a client's POST /api/v1/jobs. */
  private static io.strata.server.jobs.JobHandler handler(String where,
      java.util.function.ToLongBiFunction<Job, JobRequest> run) {
    return new io.strata.server.jobs.JobHandler() {
      @Override
      public void check(String owner, JobRequest request) {
        if (request.subject() == null) {
          throw new BadRequestException("INVALID_JOB", "kind", "these jobs are made by " + where
              + ", not submitted directly");
        }
      }

      @Override
      public long run(Job job, JobRequest request,
          java.util.concurrent.atomic.AtomicReference<Runnable> canceller) {
        return run.applyAsLong(job, request);
      }
    };
  }

  // ================================================================ definitions

  /** Every report (or alert) the caller may see: their own, or all for an admin. */
  public List<ReportStore.Report> list(ReportSpec.Kind kind, Principal who) {
    return store.list(kind, who.role() == Role.ADMIN ? null : who.username());
  }

  /** A report the caller may see, else 404 (no leak of ids). */
  public ReportStore.Report get(ReportSpec.Kind kind, String id, Principal who) {
    ReportStore.Report r = id == null ? null : store.find(id).orElse(null);
    if (r == null || r.kind() != kind
        || !(who.role() == Role.ADMIN || r.owner().equals(who.username()))) {
      throw new NotFoundException(kind.id() + " '" + id + "' does not exist");
    }
    return r;
  }

  /**
   * Checks everything (fields, cron, the dashboard or chart, the query as the owner would run
   * it, the SMTP server for email channels) before anything is saved; then schedules and saves.
   */
  public ReportStore.Report create(ReportSpec spec, Principal who) {
    check(spec, who.username());
    Instant now = clock.instant();
    String id = UUID.randomUUID().toString();
    String scheduleId = spec.active() ? schedule(spec, id, who.username()) : null;
    ReportStore.Report r = new ReportStore.Report(id, spec.kind(), who.username(), spec, "ok",
        scheduleId, null, null, now, now);
    try {
      store.insert(r);
    } catch (RuntimeException e) {
      unschedule(scheduleId, who);
      throw e;
    }
    return store.find(id).orElseThrow();
  }

  /** Replaces a definition (checked whole first); its schedule is replaced too. */
  public ReportStore.Report update(ReportSpec.Kind kind, String id, ReportSpec spec,
      Principal who) {
    ReportStore.Report old = get(kind, id, who);
    check(spec, old.owner());
    String scheduleId = spec.active() ? schedule(spec, id, old.owner()) : null;
    try {
      store.replace(id, spec, scheduleId, clock.instant());
    } catch (RuntimeException e) {
      unschedule(scheduleId, who);
      throw e;
    }
    unschedule(old.scheduleId(), who);
    return store.find(id).orElseThrow();
  }

  /** Pauses (no more scheduled runs) or resumes a report. */
  public ReportStore.Report setActive(ReportSpec.Kind kind, String id, boolean active,
      Principal who) {
    ReportStore.Report r = get(kind, id, who);
    if (r.spec().active() == active) {
      return r;
    }
    ReportSpec s = r.spec();
    ReportSpec changed = new ReportSpec(s.kind(), s.name(), s.cron(), s.timeZone(), active,
        s.channels(), s.dashboardId(), s.chartId(), s.format(), s.width(), s.height(), s.query(),
        s.sql(), s.condition(), s.gracePeriod(), s.attachChartId());
    String scheduleId = active ? schedule(changed, id, r.owner()) : null;
    store.replace(id, changed, scheduleId, clock.instant());
    unschedule(r.scheduleId(), who);
    return store.find(id).orElseThrow();
  }

  public void delete(ReportSpec.Kind kind, String id, Principal who) {
    ReportStore.Report r = get(kind, id, who);
    unschedule(r.scheduleId(), who);
    store.delete(id);
  }

  public List<ReportStore.Run> runs(ReportSpec.Kind kind, String id, Principal who, int limit) {
    get(kind, id, who);
    return store.runs(id, Math.max(1, Math.min(limit, 1000)));
  }

  /** Queues a run now that sends whatever the report would send (alerts: their current state). */
  public Job testSend(ReportSpec.Kind kind, String id, Principal who) {
    ReportStore.Report r = get(kind, id, who);
    for (int i = 0; i < r.spec().channels().size(); i++) {
      if (r.spec().channels().get(i).email()) {
        delivery.checkSmtp("channels[" + i + "]");
      }
    }
    return jobs.submit(kind == ReportSpec.Kind.REPORT ? JobKind.REPORT : JobKind.ALERT,
        r.owner(), JobRequest.about("test:" + id));
  }

  private String schedule(ReportSpec spec, String id, String owner) {
    JobKind kind = spec.kind() == ReportSpec.Kind.REPORT ? JobKind.REPORT : JobKind.ALERT;
    JobSchedule s = jobs.schedule(kind, owner, spec.cron(), spec.timeZone(),
        JobRequest.about(id));
    return s.id();
  }

  private void unschedule(String scheduleId, Principal who) {
    if (scheduleId == null) {
      return;
    }
    try {
      jobs.deleteSchedule(scheduleId, new Principal(who.userId(), who.username(), Role.ADMIN,
          who.via()));
    } catch (NotFoundException e) {
      // already gone
    }
  }

  /** The checks that need the catalog, the dashboards, the owner's access and the SMTP server. */
  private void check(ReportSpec spec, String owner) {
    Jobs.checkCron(spec.cron(), spec.timeZone());
    SecurityContext security = security(owner);
    if (spec.kind() == ReportSpec.Kind.REPORT) {
      if (spec.dashboardId() != null) {
        dashboard(spec.dashboardId(), "dashboardId");
      } else {
        JsonNode chart = chart(spec.chartId(), "chartId");
        if (spec.format().equals("text") && !chart.path("viz").path("type").asText()
            .equals("number")) {
          throw ReportSpec.bad("format", "format text sends a big-number chart's value; chart "
              + spec.chartId() + " is a " + chart.path("viz").path("type").asText() + " chart");
        }
        if (spec.format().equals("csv") || spec.format().equals("text")) {
          compile(chart.path("query"), security, "chartId");
        }
      }
    } else {
      List<String> columns;
      if (spec.sql() != null) {
        PreparedSql p;
        try {
          p = sql.prepare(spec.sql(), security);
        } catch (RuntimeException e) {
          throw new BadRequestException("INVALID_ALERT_QUERY", "sql", "the alert's SQL does not"
              + " compile: " + e.getMessage());
        }
        List<String> known = p.columns().stream().map(c -> c.name()).toList();
        columns = known.isEmpty() ? sqlColumns(spec.sql(), security) : known;
      } else {
        SemanticQuery q = compile(spec.query(), security, "query");
        columns = new ArrayList<>(q.measures());
        columns.addAll(q.dimensions());
        q.timeDimensions().forEach(t -> columns.add(t.dimension()));
      }
      if (columns.size() != 1) {
        throw new BadRequestException("ALERT_NOT_ONE_VALUE", spec.sql() != null ? "sql" : "query",
            "an alert's query must return one number (one column); this one returns "
                + columns.size() + ": " + String.join(", ", columns));
      }
      if (spec.attachChartId() != null) {
        chart(spec.attachChartId(), "attachChartId");
      }
    }
    for (int i = 0; i < spec.channels().size(); i++) {
      if (spec.channels().get(i).email()) {
        delivery.checkSmtp("channels[" + i + "]");
        break;
      }
    }
  }

  /**
   * The columns of SQL whose columns are known only once it runs (anything but a semantic
   * SELECT): the statement is opened and closed at its schema. A warehouse that cannot be reached
   * now does not stop the save: the run checks the columns again and says what it found.
   */
  private List<String> sqlColumns(String sqlText, SecurityContext security) {
    try (ArrowBatches cursor = open(null, sqlText, security)) {
      return cursor.schema().getFields().stream().map(Field::getName).toList();
    } catch (DataSourceException e) {
      LOG.info("alert SQL not checked for its columns, the warehouse is down: {}",
          e.getMessage());
      return List.of("?");
    } catch (RuntimeException e) {
      throw new BadRequestException("INVALID_ALERT_QUERY", "sql", "the alert's SQL cannot run: "
          + e.getMessage());
    }
  }

  private SemanticQuery compile(JsonNode query, SecurityContext security, String field) {
    try {
      SemanticQuery q = QueryJson.parse(query.toString());
      queries.plan(q, security);
      return q;
    } catch (QueryException | IllegalArgumentException e) {
      throw new BadRequestException("INVALID_ALERT_QUERY", field, "the query does not compile: "
          + e.getMessage());
    }
  }

  private JsonNode dashboard(long id, String field) {
    try {
      return dashboards.get(id);
    } catch (NotFoundException e) {
      throw new BadRequestException("UNKNOWN_DASHBOARD", field, "dashboard " + id
          + " does not exist");
    }
  }

  private JsonNode chart(long id, String field) {
    try {
      return dashboards.chart(id);
    } catch (NotFoundException e) {
      throw new BadRequestException("UNKNOWN_CHART", field, "chart " + id + " does not exist");
    }
  }

  private SecurityContext security(String owner) {
    return access.context(owner).orElseThrow(() -> new BadRequestException("UNKNOWN_OWNER",
        "owner", "user '" + owner + "' does not exist or is disabled"));
  }

  // ================================================================ runs (workers)

  /** A report or alert job: {@code id} (scheduled) or {@code test:id} (test-send). */
  private long runJob(Job job, JobRequest request) {
    String subject = request.subject() == null ? "" : request.subject();
    boolean test = subject.startsWith("test:");
    String id = test ? subject.substring(5) : subject;
    ReportStore.Report r = store.find(id).orElse(null);
    if (r == null || (!test && !r.spec().active())) {
      return 0; // deleted or paused since it was queued
    }
    String runId = job.id(); // idempotent: a job run again replaces its run's record
    store.runs(id, 1).stream().filter(x -> x.id().equals(runId)).findAny()
        .ifPresentOrElse(x -> { }, () -> store.insertRun(new ReportStore.Run(runId, id, job.id(),
            test, "running", null, null, null, clock.instant(), null)));
    try {
      if (r.kind() == ReportSpec.Kind.REPORT) {
        runReport(r, runId, test);
      } else {
        runAlert(r, runId, test);
      }
    } catch (RuntimeException e) {
      LOG.warn("{} {} run {} failed: {}", r.kind().id(), id, runId, e.toString());
      store.finishRun(runId, "failed", null, String.valueOf(e.getMessage()), null,
          clock.instant());
      store.recordState(id, "error", r.lastValue(), r.lastNotifiedAt());
    }
    return 1;
  }

  private String link(ReportSpec spec) {
    String base = base();
    if (spec.dashboardId() != null) {
      return base + "/dashboards/" + spec.dashboardId();
    }
    Long chart = spec.chartId() != null ? spec.chartId() : spec.attachChartId();
    if (chart != null) {
      try {
        return base + "/dashboards/" + dashboards.chart(chart).path("dashboardId").asLong();
      } catch (NotFoundException e) {
        return base;
      }
    }
    return base + (spec.kind() == ReportSpec.Kind.ALERT ? "/alerts" : "/reports");
  }

  private void runReport(ReportStore.Report r, String runId, boolean test) {
    ReportSpec s = r.spec();
    String prefix = test ? "[test] " : "";
    Message m;
    String error = null;
    try {
      m = content(r, prefix);
    } catch (ProduceException e) {
      error = e.getMessage();
      m = new Message(prefix + s.name() + ": could not be produced", "The report '" + s.name()
          + "' could not be produced this time, so nothing is attached: " + e.getMessage(),
          List.of(), link(s));
    }
    ArrayNode sent = send(m, s.channels(), runId);
    String failed = failures(sent);
    String state = error == null && failed == null ? "sent" : "failed";
    String message = error == null ? failed : failed == null ? error : error + "; " + failed;
    store.finishRun(runId, state, null, message, sent, clock.instant());
    if (!test) {
      store.recordState(r.id(), state.equals("sent") ? "ok" : "error", null, clock.instant());
    }
  }

  // ---------------------------------------------------------------- sent files

  static final String SENT = "sent";
  private static final String SENT_LINK = "report-image";
  private volatile Instant sentSwept = Instant.EPOCH;

  /**
   * Sends a run's message. When a channel is a webhook (which carries no file), each file is
   * kept for {@code strata.reports.image-link-ttl} and gets a signed link that the recipient
   * (Slack fetching an image block, a person clicking) opens without a session.
   */
  private ArrayNode send(Message m, List<Channel> channels, String runId) {
    if (!m.attachments().isEmpty() && channels.stream().anyMatch(c -> !c.email())) {
      Instant now = clock.instant();
      Instant until = now.plus(settings.imageLinkTtl());
      List<Message.Attachment> linked = new ArrayList<>();
      for (int i = 0; i < m.attachments().size(); i++) {
        Message.Attachment a = m.attachments().get(i);
        String id = runId + "-" + i;
        images.put(SENT, id, new ImageCache.Image(a.bytes(), a.mimeType(), now),
            settings.imageLinkTtl());
        linked.add(a.withUrl(base() + "/api/v1/report-images/" + id + "?"
            + signed.sign(SENT_LINK, id, "", until)));
      }
      m = m.withAttachments(linked);
      if (sentSwept.plus(Duration.ofHours(1)).isBefore(now)) {
        sentSwept = now;
        images.sweep(SENT, now.minus(settings.imageLinkTtl()));
      }
    }
    return delivery.send(m, channels);
  }

  /**
   * A file sent in a run, by its signed link (no session).
   *
   * @throws io.strata.server.jobs.SignedLinks.RefusedException a missing, changed or expired link
   * @throws NotFoundException the file is gone (swept after its link's life)
   */
  public Message.Attachment sentFile(String id, String expires, String signature) {
    signed.verify(SENT_LINK, id, "", expires, signature, "a report's or alert's file is fetched"
        + " without a session only through the whole link of the message that sent it, for"
        + " strata.reports.image-link-ttl; test-send the report for a new one");
    ImageCache.Image i = images.get(SENT, id).orElseThrow(() -> new NotFoundException(
        "the file of this link is no longer kept (strata.reports.image-link-ttl)"));
    String name = id + (i.version().equals("application/pdf") ? ".pdf"
        : i.version().equals("text/csv") ? ".csv" : ".png");
    return new Message.Attachment(name, i.version(), i.bytes());
  }

  private static String failures(ArrayNode sent) {
    List<String> f = new ArrayList<>();
    sent.forEach(d -> {
      if (!d.path("ok").asBoolean()) {
        f.add(d.path("to").asText() + " failed after " + d.path("attempts").asInt()
            + " attempts: " + d.path("error").asText());
      }
    });
    return f.isEmpty() ? null : String.join("; ", f);
  }

  /** Why a run had nothing to send: the warehouse, the query, the page. */
  static final class ProduceException extends Exception {
    ProduceException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private Message content(ReportStore.Report r, String prefix) throws ProduceException {
    ReportSpec s = r.spec();
    String when = clock.instant().toString();
    switch (s.format()) {
      case "png", "pdf" -> {
        boolean pdf = s.format().equals("pdf");
        String path = s.dashboardId() != null ? dashboardPath(s.dashboardId())
            : chartPath(s.chartId());
        String version = version(s.dashboardId() != null ? s.dashboardId() : null, s.chartId());
        byte[] bytes = image(r.owner(), path, version, s.width(), s.height(), pdf);
        String file = slug(s.name()) + (pdf ? ".pdf" : ".png");
        return new Message(prefix + s.name(), "The report '" + s.name() + "' as of " + when
            + " is attached.", List.of(new Message.Attachment(file,
                pdf ? "application/pdf" : "image/png", bytes)), link(s));
      }
      case "csv" -> {
        JsonNode chart = chartOrFail(s.chartId());
        byte[] csv = csv(chart.path("query"), r.owner());
        return new Message(prefix + s.name(), "The data of chart '" + chart.path("title").asText()
            + "' as of " + when + " is attached.", List.of(new Message.Attachment(
                slug(s.name()) + ".csv", "text/csv", csv)), link(s));
      }
      default -> {
        JsonNode chart = chartOrFail(s.chartId());
        Value v = value(chart.path("query"), null, r.owner());
        String text = chart.path("title").asText() + ": " + (v.number() == null ? "no value"
            : v.number().toPlainString());
        return new Message(prefix + s.name() + " — " + text, text + " (as of " + when + ")",
            List.of(), link(s));
      }
    }
  }

  private JsonNode chartOrFail(long id) throws ProduceException {
    try {
      return dashboards.chart(id);
    } catch (NotFoundException e) {
      throw new ProduceException("chart " + id + " no longer exists", e);
    }
  }

  private static String slug(String name) {
    String s = name.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-|-$", "");
    return s.isEmpty() ? "report" : s;
  }

  // ---------------------------------------------------------------- alerts

  private void runAlert(ReportStore.Report r, String runId, boolean test) {
    ReportSpec s = r.spec();
    Instant now = clock.instant();
    BigDecimal previous = r.lastValue() == null ? null : new BigDecimal(r.lastValue());
    Value v;
    try {
      v = value(s.query(), s.sql(), r.owner());
    } catch (ProduceException e) {
      boolean notify = test || !"error".equals(r.state()) || graceOver(r, now);
      ArrayNode sent = null;
      if (notify) {
        sent = send(new Message((test ? "[test] " : "") + "Alert '" + s.name()
            + "' could not be checked", "The alert '" + s.name() + "' could not be checked: "
            + e.getMessage(), List.of(), link(s)), s.channels(), runId);
      }
      store.finishRun(runId, "error", null, e.getMessage(), sent, now);
      if (!test) {
        store.recordState(r.id(), "error", r.lastValue(), notify ? now : r.lastNotifiedAt());
      }
      return;
    }
    String shown = v.number() == null ? "no value" : v.number().toPlainString();
    boolean holds = s.condition().holds(v.number(), previous);
    String value = v.number() == null ? null : v.number().toPlainString();
    if (test) {
      ArrayNode sent = send(alertMessage(r, "[test] ", shown, holds
          ? "the condition holds" : "the condition does not hold"), s.channels(), runId);
      String failed = failures(sent);
      store.finishRun(runId, failed == null ? "sent" : "failed", value, failed, sent, now);
      return;
    }
    if (holds) {
      boolean notify = !"triggered".equals(r.state()) || graceOver(r, now);
      if (!notify) {
        store.finishRun(runId, "silent", value, null, null, now);
        store.recordState(r.id(), "triggered", value, r.lastNotifiedAt());
        return;
      }
      ArrayNode sent = send(alertMessage(r, "", shown, "triggered"), s.channels(), runId);
      String failed = failures(sent);
      store.finishRun(runId, failed == null ? "triggered" : "failed", value, failed, sent, now);
      store.recordState(r.id(), "triggered", value, now);
      return;
    }
    if (!"ok".equals(r.state())) {
      ArrayNode sent = send(new Message("Alert '" + s.name() + "' recovered",
          "The alert '" + s.name() + "' is back to normal: the value is " + shown
              + ", and the condition (" + s.condition().describe() + ") no longer holds.",
          List.of(), link(s)), s.channels(), runId);
      String failed = failures(sent);
      store.finishRun(runId, failed == null ? "recovered" : "failed", value, failed, sent, now);
      store.recordState(r.id(), "ok", value, null);
      return;
    }
    store.finishRun(runId, "ok", value, null, null, now);
    store.recordState(r.id(), "ok", value, r.lastNotifiedAt());
  }

  private static boolean graceOver(ReportStore.Report r, Instant now) {
    return r.lastNotifiedAt() == null
        || !r.lastNotifiedAt().plus(r.spec().gracePeriod()).isAfter(now);
  }

  private Message alertMessage(ReportStore.Report r, String prefix, String shown, String what) {
    ReportSpec s = r.spec();
    List<Message.Attachment> files = new ArrayList<>();
    String note = "";
    if (s.attachChartId() != null) {
      try {
        files.add(new Message.Attachment("chart.png", "image/png", image(r.owner(),
            chartPath(s.attachChartId()), version(null, s.attachChartId()), 1280, 900, false)));
      } catch (ProduceException e) {
        note = "\n(The chart could not be attached: " + e.getMessage() + ")";
      }
    }
    return new Message(prefix + "Alert '" + s.name() + "': " + what, "The alert '" + s.name()
        + "' (" + s.condition().describe() + ") " + (what.equals("triggered") ? "triggered"
        : "was checked: " + what) + ": the value is " + shown + "." + note, files, link(s));
  }

  /** The one number of an alert's query (or a chart's first cell), null when it is empty. */
  record Value(BigDecimal number) {}

  private Value value(JsonNode query, String sqlText, String owner) throws ProduceException {
    SecurityContext security;
    try {
      security = security(owner);
    } catch (BadRequestException e) {
      throw new ProduceException(e.getMessage(), e);
    }
    try (ArrowBatches cursor = open(query, sqlText, security)) {
      if (cursor.schema().getFields().size() != 1 && sqlText != null) {
        throw new ProduceException("the query returns " + cursor.schema().getFields().size()
            + " columns: an alert needs one number", null);
      }
      while (cursor.next()) {
        VectorSchemaRoot b = cursor.batch();
        if (b.getRowCount() > 0) {
          int col = b.getFieldVectors().size() - 1; // a chart's measure comes after its dimensions
          Object o = b.getVector(col).getObject(0);
          if (o == null) {
            return new Value(null);
          }
          if (o instanceof Number n) {
            return new Value(new BigDecimal(n.toString()));
          }
          try {
            return new Value(new BigDecimal(o.toString()));
          } catch (NumberFormatException e) {
            throw new ProduceException("the query returned '" + o + "', not a number", e);
          }
        }
      }
      return new Value(null);
    } catch (DataSourceException e) {
      throw new ProduceException(warehouse(e), e);
    } catch (QueryExecutionException | QueryException e) {
      throw new ProduceException("the query failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ProduceException(unavailable(e), e);
    }
  }

  private static String warehouse(DataSourceException e) {
    return e.code() == DataSourceException.Code.UNAVAILABLE
        ? "the warehouse is unavailable: " + e.getMessage()
        : "the warehouse refused the query: " + e.getMessage();
  }

  /** A failure found under another exception: says so when it is the warehouse. */
  private static String unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DataSourceException d) {
        return warehouse(d);
      }
    }
    return "the query failed: " + e.getMessage();
  }

  private ArrowBatches open(JsonNode query, String sqlText, SecurityContext security) {
    if (sqlText != null) {
      return sql.execute(sql.prepare(sqlText, security), List.of(),
          new SqlSession(security, "report"));
    }
    SemanticQuery q = QueryJson.parse(query.toString());
    return queries.open(new QueryRequest(q, query.toString(), security, "report")
        .withCache(CacheMode.ON));
  }

  private byte[] csv(JsonNode query, String owner) throws ProduceException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArrowBatches cursor = open(query, null, security(owner))) {
      Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      RowWriters.writeCsvHeader(cursor.schema().getFields().stream().map(Field::getName)
          .toList(), w, true);
      while (cursor.next()) {
        RowWriters.writeCsv(cursor.batch(), w, true);
      }
      w.flush();
      return out.toByteArray();
    } catch (DataSourceException e) {
      throw new ProduceException(warehouse(e), e);
    } catch (IOException | RuntimeException e) {
      throw new ProduceException(unavailable(e), e);
    }
  }

  // ---------------------------------------------------------------- rendering

  private String base() {
    String b = settings.baseUrl().isEmpty() ? baseUrl.get() : settings.baseUrl();
    return b == null ? "" : b;
  }

  static String dashboardPath(long id) {
    return "/dashboards/" + id + "?embed=1";
  }

  private String chartPath(long chartId) throws ProduceException {
    long dashboard = chartOrFail(chartId).path("dashboardId").asLong();
    return "/dashboards/" + dashboard + "?embed=1&chart=" + chartId;
  }

  /** What a picture shows: the definition of its dashboard (with charts) or chart. */
  private String version(Long dashboardId, Long chartId) throws ProduceException {
    try {
      JsonNode what = dashboardId != null ? dashboards.get(dashboardId)
          : dashboards.chart(chartId);
      return sha256(what.toString()).substring(0, 32);
    } catch (NotFoundException e) {
      throw new ProduceException(e.getMessage(), e);
    }
  }

  /**
   * A report or alert image, from the images cache when the same page at the same size was
   * rendered for the same owner within {@code strata.reports.image-ttl}.
   */
  private byte[] image(String owner, String path, String version, int width, int height,
      boolean pdf) throws ProduceException {
    String key = sha256(owner + "\n" + path + "\n" + width + "x" + height + "\n"
        + (pdf ? "pdf" : "png"));
    Instant now = clock.instant();
    Optional<ImageCache.Image> hit = images.get(IMAGES, key);
    if (hit.isPresent() && hit.get().version().equals(version)
        && hit.get().renderedAt().plus(settings.imageTtl()).isAfter(now)) {
      images("cached");
      return hit.get().bytes();
    }
    byte[] bytes = render(owner, path, width, height, pdf, 1.0);
    images("rendered");
    if (!settings.imageTtl().isZero()) {
      images.put(IMAGES, key, new ImageCache.Image(bytes, version, now), settings.imageTtl());
    }
    return bytes;
  }

  private void images(String result) {
    meters.counter("strata.reports.images", "result", result).increment();
  }

  /** Renders a page of the UI as {@code owner}: a session made for this render, then ended. */
  byte[] render(String owner, String path, int width, int height, boolean pdf, double scale)
      throws ProduceException {
    User user = users.find(owner).filter(u -> !u.disabled()).orElseThrow(() ->
        new ProduceException("the owner '" + owner + "' no longer exists or is disabled", null));
    String base = base();
    if (base.isEmpty()) {
      throw new ProduceException("this process serves no UI to render: set"
          + " strata.reports.base-url to a server's address", null);
    }
    String session = Passwords.secret(AuthService.SESSION_PREFIX);
    sessions.create(user.id(), Passwords.sha256(session), clock.instant()
        .plus(settings.renderTimeout()).plusSeconds(60));
    try {
      return browser.render(new Browser.Render(base + path, AuthService.SESSION_COOKIE, session,
          width, height, pdf, scale));
    } catch (Browser.RenderException e) {
      throw new ProduceException(e.getMessage(), e);
    } catch (IOException e) {
      throw new ProduceException("the page could not be rendered: " + e.getMessage(), e);
    } finally {
      auth.logout(session);
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ================================================================ thumbnails
  //
  // A thumbnail is per viewer and rendered as that viewer (a session of theirs, in the job of
  // kind thumbnail that they own), so it shows exactly what their own page would: row-level
  // rules by user, role or attribute and grants apply without Strata having to prove that two
  // users see the same rows. strata_thumbnails (V13) lists who has a thumbnail of what; renders
  // are queued ahead of time after a change (debounced) and after a data refresh (at most every
  // strata.thumbnails.min-interval), so the list answers from the thumbnails cache.

  /** A thumbnail as a viewer gets it; {@code stale} while a newer one is being rendered. */
  public record Thumbnail(byte[] png, String version, Instant renderedAt, boolean stale) {}

  static String subject(String type, long id) {
    return type + ":" + id;
  }

  private static String thumbKey(String subject, String username) {
    return subject.replace(':', '-') + "-" + username;
  }

  /**
   * The caller's thumbnail of a dashboard or chart ({@code type} {@code dashboard} or
   * {@code chart}), rendered with what the caller may see, from the thumbnails cache: never
   * rendered on this request. When there is none yet a render is queued at once (empty: the
   * caller shows a placeholder); one of an older definition is answered {@code stale} while
   * the render its change queued is waiting.
   *
   * @throws NotFoundException for a dashboard or chart that does not exist
   */
  public Optional<Thumbnail> thumbnail(String type, long id, Principal who) {
    JsonNode what = type.equals("dashboard") ? dashboards.get(id) : dashboards.chart(id);
    String version = sha256(what.toString()).substring(0, 32);
    String subject = subject(type, id);
    Optional<ImageCache.Image> cached = images.get(THUMBNAILS,
        thumbKey(subject, who.username()));
    Instant now = clock.instant();
    if (remembered.asMap().putIfAbsent(subject + "\n" + who.username(), Boolean.TRUE) == null) {
      thumbs.remember(subject, who.username(), now);
    }
    if (cached.isEmpty()) {
      // the UI asks again every few seconds until it is drawn: not a render per ask
      if (requested.asMap().putIfAbsent(subject + "\n" + who.username(), Boolean.TRUE) == null) {
        queueRender(subject, who.username(), now);
      }
    } else if (!cached.get().version().equals(version)) {
      // its change queued a render for every viewer; this one is for a change made elsewhere
      // (another process's store) or a render that failed: a claim already held is kept
      queueRender(subject, who.username(), now.plus(settings.thumbnailDebounce()));
    }
    return cached.map(i -> new Thumbnail(i.bytes(), i.version(), i.renderedAt(),
        !i.version().equals(version)));
  }

  /** Queues one viewer's render to run at {@code runAt}, unless one is queued by then. */
  private void queueRender(String subject, String username, Instant runAt) {
    Instant lost = clock.instant().minus(settings.renderTimeout()).minus(Duration.ofMinutes(5));
    if (!thumbs.claim(subject, username, runAt, lost)) {
      return;
    }
    try {
      jobs.submit(JobKind.THUMBNAIL, username, JobRequest.about(subject), runAt);
    } catch (RuntimeException e) {
      thumbs.unclaim(subject, username);
      throw e;
    }
  }

  /**
   * A dashboard or chart was created or changed (DashboardService): every viewer's thumbnail of
   * it is rendered again after {@code strata.thumbnails.debounce} (quick edits queue one render
   * each), and the dashboard's owner gets one without asking.
   */
  void changed(long dashboardId, Long chartId) {
    Instant now = clock.instant();
    Instant runAt = now.plus(settings.thumbnailDebounce());
    String dashboard = subject("dashboard", dashboardId);
    List<String> subjects = new ArrayList<>(List.of(dashboard));
    if (chartId != null) {
      subjects.add(subject("chart", chartId));
    }
    long ownerId = dashboards.get(dashboardId).path("ownerId").asLong();
    users.find(ownerId).filter(u -> !u.disabled())
        .ifPresent(u -> thumbs.remember(dashboard, u.username(), now));
    for (ThumbnailStore.Entry e : thumbs.viewers(subjects)) {
      queueRender(e.subject(), e.username(), runAt);
    }
  }

  /**
   * A job succeeded: after a warm-up (its dashboard's cached results were refreshed) or a rollup
   * build (what reads its model may show new data), the thumbnails of those dashboards and their
   * charts are rendered again, each at most every {@code strata.thumbnails.min-interval}.
   */
  void refreshed(Job job, JobRequest request) {
    if (job.kind() == JobKind.WARMUP && request.dashboardId() != null) {
      rerender(List.of(request.dashboardId()));
    } else if (job.kind() == JobKind.ROLLUP_BUILD && request.model() != null) {
      rerender(dashboardsReading(request.model()));
    }
  }

  /**
   * The results cache was invalidated here (a model or data source changed, or an editor asked):
   * the thumbnails of the dashboards whose results were dropped are rendered again, each at most
   * every {@code strata.thumbnails.min-interval}. A data source's or the whole cache's
   * invalidation concerns every dashboard.
   */
  void cacheInvalidated(String scope) {
    try {
      if (scope.startsWith("model:")) {
        rerender(dashboardsReading(scope.substring("model:".length())));
      } else {
        List<Long> all = new ArrayList<>();
        dashboards.list().forEach(d -> all.add(d.path("id").asLong()));
        rerender(all);
      }
    } catch (RuntimeException e) {
      LOG.warn("thumbnails after the cache invalidation {} were not queued: {}", scope,
          e.toString());
    }
  }

  /** The dashboards with a chart naming a member of {@code model}. */
  private List<Long> dashboardsReading(String model) {
    List<Long> ids = new ArrayList<>();
    String member = "\"" + model + ".";
    for (JsonNode d : dashboards.list()) {
      long id = d.path("id").asLong();
      try {
        if (dashboards.get(id).path("charts").toString().contains(member)) {
          ids.add(id);
        }
      } catch (NotFoundException e) {
        // deleted meanwhile
      }
    }
    return ids;
  }

  /**
   * Draws again the thumbnails already drawn of these dashboards and their charts: a refresh
   * renews what viewers have; a thumbnail not drawn yet gets its first render from its ask.
   */
  private void rerender(List<Long> ids) {
    List<String> subjects = new ArrayList<>();
    for (long id : ids) {
      subjects.add(subject("dashboard", id));
      try {
        dashboards.get(id).path("charts").forEach(c -> subjects.add(subject("chart",
            c.path("id").asLong())));
      } catch (NotFoundException e) {
        // deleted meanwhile
      }
    }
    Instant soon = clock.instant().plus(settings.thumbnailDebounce());
    for (ThumbnailStore.Entry e : thumbs.viewers(subjects)) {
      if (e.renderedAt() == null) {
        continue;
      }
      Instant due = e.renderedAt().plus(settings.thumbnailInterval());
      queueRender(e.subject(), e.username(), due.isAfter(soon) ? due : soon);
    }
  }

  private long thumbnailJob(Job job, JobRequest request) {
    String subject = String.valueOf(request.subject());
    String[] parts = subject.split(":");
    if (parts.length != 2 || !List.of("dashboard", "chart").contains(parts[0])) {
      return 0;
    }
    String type = parts[0];
    long id = Long.parseLong(parts[1]);
    String viewer = job.owner();
    thumbs.started(subject, viewer); // a change from now on queues another render
    String version;
    String path;
    try {
      version = type.equals("dashboard") ? version(id, null) : version(null, id);
      path = type.equals("dashboard") ? dashboardPath(id) : chartPath(id);
    } catch (ProduceException e) {
      thumbs.forget(subject, null); // deleted since
      return 0;
    }
    if (users.find(viewer).filter(u -> !u.disabled()).isEmpty()) {
      thumbs.forget(subject, viewer);
      return 0;
    }
    Instant now = clock.instant();
    try {
      byte[] png = render(viewer, path, THUMB_WIDTH, THUMB_HEIGHT, false, THUMB_SCALE);
      images.put(THUMBNAILS, thumbKey(subject, viewer), new ImageCache.Image(png, version, now),
          Duration.ZERO);
      thumbs.rendered(subject, viewer, now);
      return 1;
    } catch (ProduceException e) {
      throw new IllegalStateException("thumbnail of " + type + " " + id + " as "
          + viewer + " not rendered: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    browser.close();
    images.close();
  }
}
