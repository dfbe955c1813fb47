package io.strata.server.config;

import java.util.Locale;

/**
 * Every setting of the server: its property name, default and meaning. This is the one list the
 * server reads its configuration from ({@link StrataConfig}) and the README's reference table is
 * checked against (SettingsDocumentedTest), so the two cannot drift apart.
 *
 * <p>Each property can be set in {@code application.yml}, as a system property, or as an
 * environment variable: {@code strata.query.max-rows} is {@code STRATA_QUERY_MAX_ROWS}.
 */
public enum Setting {
  HTTP_PORT("strata.http.port", "8080", "HTTP port of the REST API, UI, health and metrics"),
  JDBC_ENABLED("strata.jdbc.enabled", "true",
      "Serve JDBC clients (the Avatica remote driver and `jdbc:strata:`) on `strata.jdbc.port`"),
  JDBC_PORT("strata.jdbc.port", "8765",
      "Port of the JDBC (Avatica) endpoint, protobuf and JSON on the same port; 0 picks a free port"),
  JDBC_IDLE_TIMEOUT("strata.jdbc.idle-timeout", "10m",
      "A JDBC connection or open result unused for this long is closed and its query cancelled"),
  DATA_DIR("strata.data-dir", "./data",
      "Directory for the embedded metadata database, the demo warehouse and the generated admin password"),
  METADATA_URL("strata.metadata.url", "",
      "JDBC URL of the metadata database: jdbc:h2:, jdbc:postgresql: or jdbc:mysql:/jdbc:mariadb:. Empty means H2 in the data directory"),
  METADATA_USER("strata.metadata.user", "", "Metadata database user"),
  METADATA_PASSWORD("strata.metadata.password", "", "Metadata database password"),
  METADATA_POOL_SIZE("strata.metadata.pool-size", "10", "Connections in the metadata database pool"),
  ADMIN_PASSWORD("strata.admin.password", "",
      "Password of the `admin` user created on first start. Empty: a random one is generated, logged once and written to <data-dir>/admin-password"),
  DEMO_ENABLED("strata.demo.enabled", "true",
      "Generate the retail demo into an embedded DuckDB file on first start and register it as data source `demo` with its models"),
  DEMO_SCALE("strata.demo.scale", "1", "Scale of the demo data (1 = 100k orders)"),
  MODELS_DIR("strata.models.dir", "",
      "A directory of model YAML files saved on start, adding to or replacing the stored files "
          + "(validated first; an invalid set stops the start)"),
  MODELS_POLL("strata.models.poll-interval", "5s",
      "How often a server checks the metadata database for model and data-source changes made by other servers"),
  QUERY_TIMEOUT("strata.query.timeout", "60s", "Longest a warehouse query may run before it is cancelled (time waiting for the client to read excluded)"),
  QUERY_MAX_ROWS("strata.query.max-rows", "100000",
      "Most rows a query may return; a query that would return more is refused, never silently cut"),
  QUERY_BATCH_ROWS("strata.query.batch-rows", "4096", "Rows per Arrow record batch when streaming results"),
  SQL_MAX_LENGTH("strata.sql.max-length", "1000000",
      "Longest SQL statement accepted, in characters; a longer one is refused (SQL_TOO_COMPLEX)"),
  SQL_MAX_DEPTH("strata.sql.max-depth", "100",
      "Deepest nesting of expressions, parentheses and subqueries in a SQL statement (a + b + c nests once per +)"),
  SQL_MAX_IN_LIST("strata.sql.max-in-list", "1000", "Most values in one IN (...) list of a SQL statement"),
  SQL_MAX_SET_OPERATIONS("strata.sql.max-set-operations", "100",
      "Most UNION, INTERSECT and EXCEPT operations in one SQL statement"),
  QUERY_MAX_JSON_BYTES("strata.query.max-json-bytes", "64MB",
      "Largest JSON answer of `/api/v1/query` and `/api/v1/sql`, counted while it is written; a larger one is refused with 413 (Arrow and CSV answers stream and have no such limit)"),
  CSV_NEUTRALISE_FORMULAS("strata.csv.neutralise-formulas", "true",
      "In CSV answers, write text values starting with `=`, `+`, `-`, `@`, tab or CR as `'` + the text, quoted, so spreadsheets do not run them as formulas (OWASP CSV injection)"),
  QUERY_LOG_RETENTION("strata.query-log.retention", "30d", "How long query log entries are kept"),
  AUDIT_RETENTION("strata.audit.retention", "365d",
      "How long audit log entries (who changed what, lockouts) are kept"),
  SESSION_TTL("strata.auth.session-ttl", "12h",
      "Lifetime of a UI login session and of a Flight SQL bearer token (from its handshake)"),
  AUTH_FREE_FAILURES("strata.auth.throttle.free-failures", "5",
      "Failed logins of one user before each further attempt waits out an exponential back-off; 0 turns throttling off"),
  AUTH_LOCKOUT_FAILURES("strata.auth.throttle.lockout-failures", "20",
      "Failed logins of one user that lock it out for `strata.auth.throttle.lockout`"),
  AUTH_ADDRESS_FREE_FAILURES("strata.auth.throttle.address-free-failures", "20",
      "Failed logins (any user, bad tokens) from one client address before its back-off starts"),
  AUTH_ADDRESS_LOCKOUT_FAILURES("strata.auth.throttle.address-lockout-failures", "100",
      "Failed logins from one client address that lock the address out"),
  AUTH_BACKOFF("strata.auth.throttle.backoff", "1s",
      "First back-off after the free failures; it doubles with each further failure, up to the lockout"),
  AUTH_LOCKOUT("strata.auth.throttle.lockout", "15m",
      "How long a lockout lasts; failures older than this are forgotten"),
  AUTH_TRUSTED_PROXIES("strata.auth.trusted-proxies", "",
      "Comma-separated IP addresses of reverse proxies whose X-Forwarded-For names the client (REST and JDBC); empty: the socket's address is the client"),
  SHUTDOWN_GRACE("strata.shutdown.grace-period", "30s",
      "On shutdown, how long running queries may finish before they are cancelled"),
  SHUTDOWN_DRAIN_DELAY("strata.shutdown.drain-delay", "0s",
      "On SIGTERM, how long the server keeps serving while `/health/ready` answers 503, so a load balancer stops sending it work before it stops listening; then the grace period starts"),
  BIND_HOST("strata.bind-host", "0.0.0.0",
      "Address every listener binds (HTTP, JDBC, Flight SQL, Postgres wire, the worker's health port); 0.0.0.0: every interface"),
  ADVERTISED_HOST("strata.advertised-host", "",
      "Host name or address clients reach this node at, put in Flight SQL endpoints' locations; empty: none (a client redeems a ticket on the connection it asked on)"),
  NODE_ID("strata.node-id", "",
      "This node's name in `/health/ready`, logs and cluster messages; empty: host name and HTTP port"),
  FLIGHT_ENABLED("strata.flight.enabled", "true",
      "Serve Arrow Flight SQL clients (ADBC, the Flight SQL JDBC driver, pyarrow) on `strata.flight.port`"),
  FLIGHT_PORT("strata.flight.port", "8815",
      "Port of the Arrow Flight SQL endpoint (gRPC); 0 picks a free port"),
  FLIGHT_TLS_CERT("strata.flight.tls.cert", "",
      "PEM file of the Flight SQL endpoint's TLS certificate chain. Empty (with the key empty too): plaintext"),
  FLIGHT_TLS_KEY("strata.flight.tls.key", "",
      "PEM file of the private key (PKCS#8) of `strata.flight.tls.cert`"),
  PGWIRE_ENABLED("strata.pgwire.enabled", "true",
      "Serve Postgres clients (psql, pgjdbc, psycopg, BI tools) on `strata.pgwire.port`"),
  PGWIRE_PORT("strata.pgwire.port", "15432",
      "Port of the Postgres wire endpoint; 0 picks a free port. TLS uses `strata.flight.tls.cert` and `.key` when they are set"),
  PGWIRE_MAX_MESSAGE_SIZE("strata.pgwire.max-message-size", "16MB",
      "Largest Postgres protocol message accepted (a query with its parameters); a longer one is refused with an error and the connection closed"),
  CACHE_ENABLED("strata.cache.enabled", "true",
      "Serve repeated queries from the results cache (every endpoint)"),
  CACHE_L1_MAX_BYTES("strata.cache.l1.max-bytes", "256MB",
      "Memory for cached results in this server (L1, Caffeine), e.g. 256MB or 2GB; 0 turns L1 off"),
  CACHE_REDIS_URI("strata.cache.redis.uri", "",
      "Redis shared by every server (L2), e.g. redis://127.0.0.1:6379/0; empty: no L2"),
  CACHE_REDIS_PREFIX("strata.cache.redis.prefix", "strata:",
      "Prefix of every Redis key Strata writes, so deployments can share a Redis"),
  CACHE_REDIS_TIMEOUT("strata.cache.redis.timeout", "250ms",
      "Longest wait for one Redis command; past it the cache serves from L1 alone until Redis answers"),
  CACHE_MAX_ENTRY_BYTES("strata.cache.max-entry-bytes", "32MB",
      "Largest result stored (its Arrow size before compression); a larger one streams to its client uncached"),
  CACHE_DEFAULT_TTL("strata.cache.default-ttl", "10m",
      "How long a result is fresh when no model it reads sets `refresh.every`"),
  CACHE_STALE_WHILE_REVALIDATE("strata.cache.stale-while-revalidate", "1m",
      "After expiry, how long a result is still served while one background query refreshes it"),
  CACHE_STALE_IF_ERROR("strata.cache.stale-if-error", "1h",
      "After expiry, how long a result is kept to be served (marked stale) when the warehouse fails"),
  CACHE_REFRESH_KEY_INTERVAL("strata.cache.refresh-key-interval", "10s",
      "How often a model's `refresh.sql` is run, at most"),
  CACHE_COMPRESSION("strata.cache.compression", "zstd",
      "Compression of cached Arrow buffers: lz4, zstd or none"),
  CACHE_LOCK_TIMEOUT("strata.cache.lock-timeout", "30s",
      "Life of a cross-server single-flight lock unless renewed; when its holder dies another server takes over after this"),
  WORKERS_ENABLED("strata.workers.enabled", "true",
      "Run jobs in this process (`strata serve`); false: this server only enqueues them for `strata worker` processes"),
  WORKERS_THREADS("strata.workers.threads", "2", "Jobs one process runs at once"),
  WORKERS_POLL_INTERVAL("strata.workers.poll-interval", "2s",
      "How often an idle worker looks for due jobs, and a busy one for cancel requests"),
  WORKERS_HEARTBEAT_INTERVAL("strata.workers.heartbeat-interval", "30s",
      "How often a worker marks its running jobs alive; a job whose worker misses 4 heartbeats is run again by another"),
  JOBS_MAX_ATTEMPTS("strata.jobs.max-attempts", "3",
      "Runs of a job that fails for a passing reason (warehouse down, timeout) before it is marked failed"),
  JOBS_RETRY_BACKOFF("strata.jobs.retry-backoff", "10s",
      "Wait before a failed job's first retry; doubled for each further one"),
  JOBS_STORE_DIR("strata.jobs.store-dir", "",
      "Directory of job results and CSV exports, shared by every server and worker. Empty: <data-dir>/jobs"),
  JOBS_RESULT_TTL("strata.jobs.result-ttl", "24h",
      "How long a job's result or export file (and its download link) lives before it is swept"),
  EXPORTS_MAX_ROWS("strata.exports.max-rows", "50000000",
      "Most rows a CSV export job may write (its own cap instead of `strata.query.max-rows`); 0: no cap"),
  EXPORTS_TIMEOUT("strata.exports.timeout", "1h",
      "Longest an export job's query may run (instead of `strata.query.timeout`)"),
  EXPORTS_LINK_TTL("strata.exports.link-ttl", "1h",
      "Lifetime of a signed download link of an export or async query result (never past the file's own expiry)"),
  WORKERS_HEALTH_PORT("strata.workers.health-port", "8081",
      "Port of the `strata worker` process's health endpoint (`GET /health`: metadata database reachable, running jobs); 0 picks a free port, -1 turns it off"),
  ROLLUPS_ENABLED("strata.rollups.enabled", "true",
      "Build the models' rollups and answer matching queries from them; false: every query reads the source"),
  ROLLUPS_CHECK_INTERVAL("strata.rollups.check-interval", "30s",
      "How often a server looks for rollups due a build (never built, definition changed, `every` elapsed, `sql` refresh key changed)"),
  ROLLUPS_DROP_GRACE("strata.rollups.drop-grace", "1m",
      "How long a replaced rollup version's tables are kept after the switch, for queries still reading it"),
  SECRET_KEY("strata.secret.key", "",
      "Key that encrypts data-source passwords and secret properties in the metadata database: base64 of 32 random bytes (`openssl rand -base64 32`). Empty: `strata.secret.key-file`"),
  SECRET_KEY_FILE("strata.secret.key-file", "",
      "File holding that key (base64). Both empty: <data-dir>/secret.key, generated with mode 0600 on first start"),
  SECRET_KEY_PREVIOUS("strata.secret.key-previous", "",
      "Earlier keys (base64, comma-separated) still accepted for decryption while servers are rotated; values under them are re-encrypted on start"),
  REPORTS_CHROMIUM("strata.reports.chromium", "/usr/bin/chromium",
      "The headless Chromium that renders report images, PDFs and thumbnails"),
  REPORTS_BASE_URL("strata.reports.base-url", "",
      "Where that browser opens the UI, and the link in messages. Empty: this server at http://127.0.0.1:<http port>"),
  REPORTS_RENDER_TIMEOUT("strata.reports.render-timeout", "60s",
      "Longest a page may take to draw its charts before a render fails"),
  REPORTS_DELIVERY_ATTEMPTS("strata.reports.delivery-attempts", "3",
      "Tries per channel (email, webhook) before a run reports that channel failed"),
  REPORTS_RETRY_BACKOFF("strata.reports.retry-backoff", "10s",
      "Wait before the first retry of a failed channel; doubled for each next one"),
  REPORTS_IMAGE_TTL("strata.reports.image-ttl", "5m",
      "How long a rendered report or alert image is reused for the same page, size and owner"),
  THUMBNAILS_INTERVAL("strata.thumbnails.min-interval", "10m",
      "A dashboard's or chart's thumbnail is rendered again after its data's cache refreshes (warm-up, rollup build, invalidation) at most this often"),
  THUMBNAILS_DEBOUNCE("strata.thumbnails.debounce", "5s",
      "Wait after a dashboard or chart changes before its thumbnails are rendered, so that several quick edits give one render"),
  REPORTS_IMAGE_LINK_TTL("strata.reports.image-link-ttl", "7d",
      "How long the signed link to a report's or alert's image in a webhook message (fetched without a session) works"),
  SMTP_HOST("strata.smtp.host", "", "SMTP server for report and alert email; empty: email channels are refused"),
  SMTP_PORT("strata.smtp.port", "587", "SMTP port"),
  SMTP_USER("strata.smtp.user", "", "SMTP user; empty: no authentication"),
  SMTP_PASSWORD("strata.smtp.password", "", "SMTP password"),
  SMTP_TLS("strata.smtp.tls", "starttls",
      "starttls (required before auth), tls (implicit TLS, usually port 465) or none"),
  SMTP_FROM("strata.smtp.from", "strata@localhost", "Sender address of report and alert email"),
  SMTP_TIMEOUT("strata.smtp.timeout", "30s", "Connect, read and write timeout talking to the SMTP server"),
  METRICS_TOKEN("strata.metrics.token", "",
      "A bearer secret (at least 32 characters) that reads `/metrics` and nothing else, for Prometheus; empty: none");

  private final String property;
  private final String defaultValue;
  private final String description;

  Setting(String property, String defaultValue, String description) {
    this.property = property;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public String property() {
    return property;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** The environment variable Micronaut maps onto the property. */
  public String envVar() {
    return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
