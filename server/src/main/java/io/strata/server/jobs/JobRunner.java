package io.strata.server.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.acceleration.cache.CacheMode;
import io.strata.semantic.query.QueryJson;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.dashboard.DashboardService;
import io.strata.server.query.ArrowBatches;
import io.strata.server.query.QueryCursor;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryService;
import io.strata.server.query.RowWriters;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import io.strata.server.sql.SqlCancel;
import io.strata.server.sql.SqlService;
import io.strata.server.sql.SqlSession;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Does the work of one job, on a worker thread, through the same {@link QueryService} and
 * {@link SqlService} as every endpoint (so limits, cache and query log are the same). Writes the
 * result one batch at a time, so memory stays bounded whatever the result's size.
 *
 * <p>Idempotent: a job run again (its worker died) writes the same result under the same name,
 * replacing the first whole.
 */
final class JobRunner {
  /** What a finished job produced. */
  record Outcome(String location, long rows, long bytes) {}

  private final QueryService queries;
  private final SqlService sql;
  private final DashboardService dashboards;
  private final ResultStore store;
  private final boolean neutraliseByDefault;
  private final AccessPolicy access;
  private final QueryRequest.Limits exportLimits;

  /**
   * @param exportLimits an export's own row cap and timeout ({@code strata.exports.*}): an
   *     export streams to a file, so it is not held to what a client's answer may hold
   */
  JobRunner(QueryService queries, SqlService sql, DashboardService dashboards, ResultStore store,
      boolean neutraliseByDefault, AccessPolicy access, QueryRequest.Limits exportLimits) {
    this.access = access;
    this.exportLimits = exportLimits;
    this.queries = queries;
    this.sql = sql;
    this.dashboards = dashboards;
    this.store = store;
    this.neutraliseByDefault = neutraliseByDefault;
  }

  /** The stored result of a query job: an Arrow IPC stream. */
  static String resultName(String jobId) {
    return jobId + ".arrows";
  }

  static String exportName(String jobId, boolean gzip) {
    return jobId + (gzip ? ".csv.gz" : ".csv");
  }

  /**
   * Runs a job. {@code canceller} is set, as soon as there is something to cancel, to what
   * cancels it (its warehouse query); {@link Jobs} calls it from its watcher thread.
   */
  Outcome run(Job job, JobRequest request, AtomicReference<Runnable> canceller,
      LongConsumer progress, JobStore claims) throws IOException {
    return switch (job.kind()) {
      case REPORT, ALERT, THUMBNAIL, ROLLUP_BUILD -> new Outcome(null,
          handler(job.kind()).run(job, request, canceller), 0);
      case QUERY -> {
        try (ArrowBatches cursor = open(job, request, canceller)) {
          yield writeArrow(job.id(), cursor, progress);
        }
      }
      case EXPORT -> {
        try (ArrowBatches cursor = open(job, request, canceller)) {
          boolean neutralise = request.neutraliseFormulas() == null ? neutraliseByDefault
              : request.neutraliseFormulas();
          yield writeCsv(exportName(job.id(), Boolean.TRUE.equals(request.gzip())), cursor,
              Boolean.TRUE.equals(request.gzip()), neutralise, progress);
        }
      }
      case WARMUP -> warmup(job, request, canceller, progress, claims);
    };
  }

  private final Map<JobKind, JobHandler> handlers = new ConcurrentHashMap<>();

  void handle(JobKind kind, JobHandler handler) {
    handlers.put(kind, handler);
  }

  private JobHandler handler(JobKind kind) {
    JobHandler h = handlers.get(kind);
    if (h == null) {
      // its handler registers while the server starts: another worker may take it, or a retry
      throw new RetryableJobException("NOT_READY", "this process cannot run " + kind.id()
          + " jobs yet", null);
    }
    return h;
  }

  /**
   * Checks a request before it is queued, so that a query that cannot compile is the client's
   * 400 now rather than a failed job later: SQL is parsed, a semantic query compiled (nothing
   * runs).
   */
  void check(JobKind kind, String owner, JobRequest request) {
    if (handlers.containsKey(kind)) {
      handler(kind).check(owner, request);
      return;
    }
    if (kind == JobKind.WARMUP) {
      dashboards.get(request.dashboardId()); // 404 for an unknown dashboard
      return;
    }
    if (request.sql() != null) {
      sql.prepare(request.sql(), as(owner));
    } else {
      queries.plan(QueryJson.parse(request.query().toString()), as(owner));
    }
  }

  /**
   * The owner's security context as it is now (their current attributes, rules and grants): a
   * job sees exactly what its owner would see asking the same query on an endpoint.
   */
  private SecurityContext as(String owner) {
    return access.context(owner).orElseThrow(() -> new io.strata.server.query.QueryExecutionException(
        io.strata.server.query.QueryExecutionException.Code.CANCELLED, null,
        "the job's owner '" + owner + "' no longer exists or is disabled"));
  }

  /**
   * The output columns of a semantic query job as its owner's query compiles now (for the
   * annotation of its JSON result); null for SQL.
   */
  List<io.strata.semantic.compile.OutputColumn> columns(Job job, JobRequest request) {
    if (request.query() == null) {
      return null;
    }
    return queries.plan(QueryJson.parse(request.query().toString()), as(job.owner())).columns();
  }

  /** Opens the job's query: semantic (run under the job's id) or SQL. */
  private ArrowBatches open(Job job, JobRequest request, AtomicReference<Runnable> canceller) {
    CacheMode cache = CacheMode.parse(request.cache(), "the job's cache option");
    QueryRequest.Limits limits = job.kind() == JobKind.EXPORT ? exportLimits : null;
    if (request.sql() != null) {
      SqlCancel cancel = new SqlCancel();
      canceller.set(cancel::cancel);
      SecurityContext owner = as(job.owner());
      return sql.execute(sql.prepare(request.sql(), owner),
          request.parameters() == null ? List.of() : request.parameters(),
          new SqlSession(owner, "job", cancel, new SqlSession.Options(cache, limits)));
    }
    SemanticQuery q = QueryJson.parse(request.query().toString());
    AtomicBoolean cancelled = new AtomicBoolean();
    canceller.set(() -> {
      cancelled.set(true);
      queries.cancel(job.id());
    });
    return queries.open(new QueryRequest(q, request.query().toString(), as(job.owner()), "job",
        job.id(), cancelled::get, cache, limits));
  }

  private Outcome writeArrow(String jobId, ArrowBatches cursor, LongConsumer progress)
      throws IOException {
    String name = resultName(jobId);
    long rows = 0;
    try (ResultStore.Writer w = store.create(name)) {
      try {
        WriteChannel out = new WriteChannel(Channels.newChannel(w.stream()));
        MessageSerializer.serialize(out, cursor.schema());
        while (cursor.next()) {
          VectorSchemaRoot batch = cursor.batch();
          try (ArrowRecordBatch rb = new VectorUnloader(batch).getRecordBatch()) {
            MessageSerializer.serialize(out, rb);
          }
          rows += batch.getRowCount();
          progress.accept(rows);
        }
        ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
      } catch (RuntimeException | IOException e) {
        w.abort();
        throw e;
      }
    }
    return new Outcome(name, rows, store.size(name));
  }

  private Outcome writeCsv(String name, ArrowBatches cursor, boolean gzip, boolean neutralise,
      LongConsumer progress) throws IOException {
    long rows = 0;
    try (ResultStore.Writer w = store.create(name)) {
      try {
        OutputStream raw = gzip ? new GZIPOutputStream(w.stream(), 64 * 1024) : w.stream();
        Writer out = new BufferedWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8),
            64 * 1024);
        RowWriters.writeCsvHeader(cursor.schema().getFields().stream().map(Field::getName)
            .toList(), out, neutralise);
        while (cursor.next()) {
          VectorSchemaRoot batch = cursor.batch();
          RowWriters.writeCsv(batch, out, neutralise);
          rows += batch.getRowCount();
          progress.accept(rows);
        }
        out.flush();
        if (raw instanceof GZIPOutputStream g) {
          g.finish();
        }
      } catch (RuntimeException | IOException e) {
        w.abort();
        throw e;
      }
    }
    return new Outcome(name, rows, store.size(name));
  }

  /**
   * Re-runs the queries of a dashboard's first view ({@link WarmupQueries}: each chart with the
   * dashboard's default filters, and the previous period of comparing number charts) with
   * {@code no-cache}, so that the results cache holds a fresh entry of each when the next viewer
   * comes. Each query is claimed for the current window first ({@link KeepWarm}); one claimed
   * already (by another warm-up, on any server) is skipped. The outcome counts the queries run.
   */
  private Outcome warmup(Job job, JobRequest request, AtomicReference<Runnable> canceller,
      LongConsumer progress, JobStore claims) {
    Plan plan = warmupPlan(request.dashboardId(), job.owner());
    Instant now = Instant.now();
    Instant window = KeepWarm.start(now, plan.window());
    long done = 0;
    AtomicBoolean cancelled = new AtomicBoolean();
    AtomicReference<String> current = new AtomicReference<>();
    canceller.set(() -> {
      cancelled.set(true);
      String running = current.get();
      if (running != null) {
        queries.cancel(running);
      }
    });
    for (int i = 0; i < plan.queries().size(); i++) {
      if (cancelled.get()) {
        throw new io.strata.server.query.QueryExecutionException(
            io.strata.server.query.QueryExecutionException.Code.CANCELLED, job.id(),
            "warm-up job " + job.id() + " was cancelled");
      }
      String key = plan.keys().get(i);
      if (!claims.claim(key, window, job.id(), now)) {
        continue; // warmed in this window already
      }
      JsonNode query = plan.queries().get(i);
      // the window in the id: the query log shows which window each warm-up run belongs to
      String queryId = job.id() + "-" + i + "@" + window.toEpochMilli();
      current.set(queryId);
      try (QueryCursor c = queries.open(new QueryRequest(QueryJson.parse(query.toString()),
          query.toString(), plan.owner(), "warmup", queryId, cancelled::get,
          CacheMode.NO_CACHE))) {
        while (c.next()) {
          // read to the end: the cursor stores the result in the cache when it gets there
        }
      } catch (RuntimeException e) {
        claims.unclaim(key, window, job.id()); // a later warm-up in this window may run it
        throw e;
      }
      done++;
      progress.accept(done);
    }
    return new Outcome(null, done, 0);
  }

  /** A dashboard's warm-up: its first view's queries, their cache keys and their window. */
  record Plan(List<JsonNode> queries, List<String> keys, Duration window,
      SecurityContext owner) {}

  /**
   * The warm-up of a dashboard for its owner, computed alike by every server: the cache key of
   * each query as it runs for the owner, and the window from their entries' lifetimes.
   */
  Plan warmupPlan(long dashboardId, String owner) {
    JsonNode dashboard = dashboards.get(dashboardId);
    SecurityContext who = as(owner);
    List<JsonNode> list = WarmupQueries.of(dashboard);
    List<String> keys = new ArrayList<>();
    List<Duration> ttls = new ArrayList<>();
    for (JsonNode q : list) {
      QueryService.CacheSlot slot = queries.cacheSlot(QueryJson.parse(q.toString()), who);
      if (slot == null) {
        keys.add(sha256(q.toString()));
      } else {
        keys.add(slot.key());
        ttls.add(slot.ttl());
      }
    }
    return new Plan(list, keys, KeepWarm.window(ttls), who);
  }

  private static String sha256(String s) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
