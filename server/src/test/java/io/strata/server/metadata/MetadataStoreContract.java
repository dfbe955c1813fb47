package io.strata.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every store against a real database. Subclasses supply an empty database of one vendor; the schema is
 * migrated once per class and the tables emptied before each test.
 *
 * <p>Instants are kept to the microsecond on every vendor: values written are truncated to microseconds
 * and read back exactly, as UTC, whatever the JVM's default time zone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MetadataStoreContract {

    private static final String[] TABLES_CHILDREN_FIRST = {
        "strata_dashboard_favourites", "strata_charts", "strata_dashboards", "strata_api_tokens", "strata_sessions", "strata_users",
        "strata_model_versions", "strata_models", "strata_data_sources", "strata_query_log"};

    MetadataConfig config;
    final io.strata.server.secret.SecretKey key = io.strata.server.secret.SecretKey.generate("test key");
    final io.strata.server.secret.SecretBox box = new io.strata.server.secret.SecretBox(key, List.of(), "the test key");
    MetadataDatabase db;
    UserStore users;
    TokenStore tokens;
    SessionStore sessions;
    ModelStore models;
    DataSourceStore dataSources;
    DashboardStore dashboards;
    QueryLogStore queryLog;

    static {
    }

    /** An empty database of the vendor under test (dropping whatever a previous run left). */
    abstract MetadataConfig emptyDatabase() throws Exception;

    abstract MetadataVendor expectedVendor();

    @BeforeAll
    void openDatabase() throws Exception {
        config = emptyDatabase();
        db = MetadataDatabase.open(config);
        users = new UserStore(db);
        tokens = new TokenStore(db);
        sessions = new SessionStore(db);
        models = new ModelStore(db);
        dataSources = new DataSourceStore(db, box);
        dashboards = new DashboardStore(db);
        queryLog = new QueryLogStore(db);
    }

    @AfterAll
    void closeDatabase() {
        if (queryLog != null) {
            queryLog.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void emptyTables() throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            for (String table : TABLES_CHILDREN_FIRST) {
                st.executeUpdate("DELETE FROM " + table);
            }
        }
    }

    // ------------------------------------------------------------------------------ migrations

    @Test
    void migrationsApplyOnEmptyDatabaseAndReopeningMigratesNothing() throws SQLException {
        assertThat(db.vendor()).isEqualTo(expectedVendor());
        List<String> applied = appliedMigrations(db);
        assertThat(applied).isEqualTo(migrationFiles());
        User kept = users.create("kept", "h", Role.VIEWER);

        try (MetadataDatabase again = MetadataDatabase.open(config)) {
            assertThat(appliedMigrations(again)).isEqualTo(applied);
            assertThat(new UserStore(again).find("kept")).contains(kept);
        }
        // the first pool is unaffected by the second one closing
        assertThat(users.find(kept.id())).contains(kept);
    }

    /** Every migration file's version, in order, as applied successfully: {@code 1:true}, ... */
    private static List<String> migrationFiles() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(
                MetadataStoreContract.class.getResource("/db/migration").toURI()))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
                    .sorted().map(v -> v + ":true").toList();
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> appliedMigrations(MetadataDatabase d) throws SQLException {
        // versioned migrations only (on H2 Flyway also records a SCHEMA marker row without a version)
        String q = d.vendor() == MetadataVendor.MYSQL ? "`" : "\"";
        List<String> rows = new ArrayList<>();
        try (Connection c = d.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + q + "version" + q + ", " + q + "success" + q + " FROM "
                     + q + MetadataDatabase.HISTORY_TABLE + q + " WHERE " + q + "version" + q + " IS NOT NULL"
                     + " ORDER BY " + q + "installed_rank" + q)) {
            while (rs.next()) {
                rows.add(rs.getString(1) + ":" + rs.getBoolean(2));
            }
        }
        return rows;
    }

    // ------------------------------------------------------------------------------ users

    @Test
    void usersCrud() {
        User bob = users.create("bob", "hash-1", Role.EDITOR);
        User alice = users.create("alice", "hash-2", Role.ADMIN);
        assertThat(bob.id()).isPositive();
        assertThat(bob.createdAt()).isEqualTo(bob.createdAt().truncatedTo(ChronoUnit.MICROS));
        assertThat(users.find("bob")).contains(bob);
        assertThat(users.find(bob.id())).contains(bob);
        assertThat(users.find("nobody")).isEmpty();
        assertThat(users.find(-1L)).isEmpty();
        assertThat(users.list()).containsExactly(alice, bob);
        assertThat(users.count()).isEqualTo(2);

        User changed = users.update(bob.id(), "hash-3", null, null);
        assertThat(changed).isEqualTo(new User(bob.id(), "bob", "hash-3", Role.EDITOR, false, bob.createdAt()));
        changed = users.update(bob.id(), null, Role.VIEWER, true);
        assertThat(changed).isEqualTo(new User(bob.id(), "bob", "hash-3", Role.VIEWER, true, bob.createdAt()));
        assertThat(users.update(bob.id(), null, null, null)).isEqualTo(changed);
        assertThat(users.find("bob")).contains(changed);

        users.delete(bob.id());
        assertThat(users.find("bob")).isEmpty();
        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void scramVerifiersFollowTheirUsersPassword() {
        ScramVerifierStore verifiers = new ScramVerifierStore(db);
        User carol = users.create("carol", "hash-1", Role.VIEWER);
        assertThat(verifiers.find(carol)).isEmpty();
        verifiers.put(carol, "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5");
        verifiers.put(carol, "SCRAM-SHA-256$4096:c2FsdA==$b2V5:b2V5"); // replaces the first
        assertThat(verifiers.find(carol)).contains("SCRAM-SHA-256$4096:c2FsdA==$b2V5:b2V5");
        // a changed password makes it stale without anyone deleting it
        User changed = users.update(carol.id(), "hash-2", null, null);
        assertThat(verifiers.find(changed)).isEmpty();
        verifiers.put(changed, "SCRAM-SHA-256$4096:c2FsdA==$c2V5:c2V5");
        assertThat(verifiers.find(changed)).contains("SCRAM-SHA-256$4096:c2FsdA==$c2V5:c2V5");
        users.delete(carol.id()); // and it goes with its user
        User again = users.create("carol", "hash-2", Role.VIEWER);
        assertThat(verifiers.find(again)).isEmpty();
    }

    @Test
    void usernamesAreUniqueAndCaseSensitive() {
        users.create("bob", "h", Role.VIEWER);
        assertThatThrownBy(() -> users.create("bob", "other", Role.ADMIN))
                .isInstanceOf(ConflictException.class)
                .hasMessage("user 'bob' already exists");
        // the same on every vendor (MySQL tables use a binary collation)
        users.create("Bob", "h", Role.VIEWER);
        assertThat(users.list()).extracting(User::username).containsExactly("Bob", "bob");
    }

    @Test
    void missingUsersAreNotFound() {
        assertThatThrownBy(() -> users.update(987654321L, "h", null, null))
                .isInstanceOf(NotFoundException.class).hasMessage("user 987654321 does not exist");
        assertThatThrownBy(() -> users.delete(987654321L))
                .isInstanceOf(NotFoundException.class).hasMessage("user 987654321 does not exist");
        assertThatThrownBy(() -> tokens.create(987654321L, "t", "st_", "hash", null))
                .isInstanceOf(NotFoundException.class).hasMessage("user 987654321 does not exist");
        assertThatThrownBy(() -> sessions.create(987654321L, "hash", Instant.now().plusSeconds(60)))
                .isInstanceOf(NotFoundException.class).hasMessage("user 987654321 does not exist");
        assertThatThrownBy(() -> dashboards.create("d", null, "{}", 987654321L))
                .isInstanceOf(NotFoundException.class).hasMessage("user 987654321 does not exist");
    }

    @Test
    void deletingUserDeletesTheirTokensAndSessions() throws SQLException {
        User bob = users.create("bob", "h", Role.EDITOR);
        User eve = users.create("eve", "h", Role.EDITOR);
        tokens.create(bob.id(), "ci", "st_aaa", "bob-token-1", null);
        tokens.create(bob.id(), "laptop", "st_bbb", "bob-token-2", null);
        ApiToken eves = tokens.create(eve.id(), "ci", "st_ccc", "eve-token", null);
        Instant later = Instant.now().plus(Duration.ofHours(1));
        sessions.create(bob.id(), "bob-session-1", later);
        sessions.create(bob.id(), "bob-session-2", later);
        sessions.create(eve.id(), "eve-session", later);

        users.delete(bob.id());

        assertThat(tokens.list()).containsExactly(eves);
        assertThat(tokens.findByHash("bob-token-1")).isEmpty();
        assertThat(sessions.findByHash("bob-session-1", Instant.now())).isEmpty();
        assertThat(sessions.findByHash("eve-session", Instant.now())).isPresent();
        assertThat(countWhere("strata_sessions", "user_id", bob.id())).isZero();
        assertThat(countWhere("strata_api_tokens", "user_id", bob.id())).isZero();
    }

    @Test
    void deletingUserWhoOwnsDashboardsIsRefused() {
        User bob = users.create("bob", "h", Role.EDITOR);
        Dashboard d = dashboards.create("Sales", null, "{}", bob.id());
        assertThatThrownBy(() -> users.delete(bob.id()))
                .isInstanceOf(ConflictException.class)
                .hasMessage("user 'bob' owns 1 dashboard; delete or reassign them first, or disable the user instead");
        assertThat(users.find(bob.id())).isPresent();
        dashboards.delete(d.id());
        users.delete(bob.id());
        assertThat(users.find(bob.id())).isEmpty();
    }

    // ------------------------------------------------------------------------------ tokens

    @Test
    void tokensCrudAndExpiry() {
        User bob = users.create("bob", "h", Role.EDITOR);
        Instant now = Instant.now();
        ApiToken forever = tokens.create(bob.id(), "ci", "st_live", "hash-forever", null);
        ApiToken expired = tokens.create(bob.id(), "old", "st_old", "hash-expired", now.minus(Duration.ofMinutes(1)));
        ApiToken expiring = tokens.create(bob.id(), "soon", "st_soon", "hash-soon", now.plus(Duration.ofHours(1)));

        assertThat(forever.expiresAt()).isNull();
        assertThat(forever.lastUsedAt()).isNull();
        assertThat(tokens.findByHash("hash-forever")).contains(forever);
        assertThat(tokens.findByHash("hash-soon")).contains(expiring);
        assertThat(tokens.findByHash("hash-expired")).isEmpty();
        assertThat(tokens.findByHash("hash-soon", expiring.expiresAt())).isEmpty();
        assertThat(tokens.findByHash("no-such-hash")).isEmpty();
        assertThat(tokens.list()).containsExactly(forever, expired, expiring);
        assertThat(tokens.listForUser(bob.id())).containsExactly(forever, expired, expiring);
        assertThat(tokens.listForUser(bob.id() + 1000)).isEmpty();

        Instant used = Instant.parse("2025-01-02T03:04:05.678901234Z");
        tokens.touch(forever.id(), used);
        assertThat(tokens.findByHash("hash-forever").orElseThrow().lastUsedAt())
                .isEqualTo(Instant.parse("2025-01-02T03:04:05.678901Z"));
        tokens.touch(987654321L, used); // a token deleted meanwhile: nothing happens

        assertThatThrownBy(() -> tokens.create(bob.id(), "again", "st_x", "hash-forever", null))
                .isInstanceOf(ConflictException.class)
                .hasMessage("an API token with the same hash as 'again' already exists");

        tokens.delete(expired.id());
        assertThat(tokens.list()).extracting(ApiToken::id).containsExactly(forever.id(), expiring.id());
        assertThatThrownBy(() -> tokens.delete(expired.id()))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("API token " + expired.id() + " does not exist");
    }

    // ------------------------------------------------------------------------------ sessions

    @Test
    void sessionsExpire() {
        User bob = users.create("bob", "h", Role.VIEWER);
        Instant now = Instant.parse("2030-06-01T12:00:00Z");
        Session s1 = sessions.create(bob.id(), "s1", now.plus(Duration.ofMinutes(30)));
        Session s2 = sessions.create(bob.id(), "s2", now.plus(Duration.ofMinutes(90)));
        sessions.create(bob.id(), "s3", now.minus(Duration.ofMinutes(1)));

        assertThat(sessions.findByHash("s1", now)).contains(s1);
        assertThat(sessions.findByHash("s1", s1.expiresAt())).isEmpty();
        assertThat(sessions.findByHash("s3", now)).isEmpty();
        assertThat(sessions.findByHash("nope", now)).isEmpty();

        assertThat(sessions.deleteExpired(now)).isEqualTo(1);
        assertThat(sessions.deleteExpired(now.plus(Duration.ofHours(1)))).isEqualTo(1);
        assertThat(sessions.findByHash("s1", now)).isEmpty();
        assertThat(sessions.findByHash("s2", now)).contains(s2);

        sessions.delete("s2");
        sessions.delete("s2"); // signing out twice is fine
        assertThat(sessions.findByHash("s2", now)).isEmpty();
        sessions.create(bob.id(), "s4", now.plus(Duration.ofDays(1)));
        assertThatThrownBy(() -> sessions.create(bob.id(), "s4", now))
                .isInstanceOf(ConflictException.class).hasMessage("a session with the same hash already exists");
    }

    // ------------------------------------------------------------------------------ models

    @Test
    void savingKeepsVersionsAndSkipsUnchangedFiles() {
        long r0 = models.revision();
        List<ModelVersion> first = models.save(Map.of("orders", "o: 1", "customers", "c: 1"), "alice");
        assertThat(first).extracting(ModelVersion::name, ModelVersion::version, ModelVersion::deleted)
                .containsExactly(tuple("customers", 1, false), tuple("orders", 1, false));
        assertThat(first.get(0).author()).isEqualTo("alice");
        long r1 = models.revision();
        assertThat(r1).isGreaterThan(r0);

        List<ModelVersion> second = models.save(Map.of("orders", "o: 2", "customers", "c: 1"), "bob");
        assertThat(second).extracting(ModelVersion::name, ModelVersion::version).containsExactly(tuple("orders", 2));
        long r2 = models.revision();
        assertThat(r2).isGreaterThan(r1);

        assertThat(models.save(Map.of("orders", "o: 2"), "bob")).isEmpty();
        assertThat(models.save(Map.of(), "bob")).isEmpty();
        assertThat(models.revision()).isEqualTo(r2);

        assertThat(models.history("orders")).extracting(ModelVersion::version, ModelVersion::yaml, ModelVersion::author)
                .containsExactly(tuple(2, "o: 2", "bob"), tuple(1, "o: 1", "alice"));
        assertThat(models.history("nope")).isEmpty();
        assertThat(models.current("orders")).contains(second.get(0));
        assertThat(models.current("nope")).isEmpty();
        assertThat(models.version("orders", 1)).hasValueSatisfying(v -> assertThat(v.yaml()).isEqualTo("o: 1"));
        assertThat(models.version("orders", 3)).isEmpty();
        assertThat(models.currentAll()).extracting(ModelVersion::name, ModelVersion::version)
                .containsExactly(tuple("customers", 1), tuple("orders", 2));
        assertThat(models.currentAll().get(0)).isEqualTo(first.get(0));
    }

    @Test
    void replaceAllMarksMissingModelsDeleted() {
        models.save(Map.of("a", "a: 1", "b", "b: 1", "c", "c: 1"), "alice");
        long before = models.revision();

        List<ModelVersion> written = models.replaceAll(Map.of("a", "a: 1", "d", "d: 1"), "bob");

        assertThat(written).extracting(ModelVersion::name, ModelVersion::version, ModelVersion::deleted)
                .containsExactly(tuple("b", 2, true), tuple("c", 2, true), tuple("d", 1, false));
        assertThat(models.revision()).isGreaterThan(before);
        assertThat(models.currentAll()).extracting(ModelVersion::name).containsExactly("a", "d");
        assertThat(models.current("b")).isEmpty();
        assertThat(models.history("b")).extracting(ModelVersion::version, ModelVersion::deleted, ModelVersion::author)
                .containsExactly(tuple(2, true, "bob"), tuple(1, false, "alice"));

        long after = models.revision();
        assertThat(models.replaceAll(Map.of("a", "a: 1", "d", "d: 1"), "bob")).isEmpty();
        assertThat(models.revision()).isEqualTo(after);

        // bringing a deleted model back, even with its old text, is a new version
        assertThat(models.replaceAll(Map.of("a", "a: 1", "b", "b: 1"), "carol"))
                .extracting(ModelVersion::name, ModelVersion::version, ModelVersion::deleted)
                .containsExactly(tuple("b", 3, false), tuple("d", 2, true));
        assertThat(models.replaceAll(Map.of(), "carol")).extracting(ModelVersion::name).containsExactly("a", "b");
        assertThat(models.currentAll()).isEmpty();
    }

    @Test
    void deletingModelKeepsHistory() {
        models.save(Map.of("orders", "o: 1"), "alice");
        models.save(Map.of("orders", "o: 2"), "alice");
        long before = models.revision();

        ModelVersion deletion = models.delete("orders", "bob");

        assertThat(deletion).extracting(ModelVersion::name, ModelVersion::version, ModelVersion::yaml,
                ModelVersion::author, ModelVersion::deleted).containsExactly("orders", 3, "", "bob", true);
        assertThat(models.revision()).isGreaterThan(before);
        assertThat(models.current("orders")).isEmpty();
        assertThat(models.currentAll()).isEmpty();
        assertThat(models.history("orders")).extracting(ModelVersion::version).containsExactly(3, 2, 1);
        assertThat(models.history("orders").get(0)).isEqualTo(deletion);
        assertThat(models.version("orders", 3)).contains(deletion);

        assertThatThrownBy(() -> models.delete("orders", "bob"))
                .isInstanceOf(NotFoundException.class).hasMessage("model 'orders' does not exist");
        assertThatThrownBy(() -> models.delete("never", "bob"))
                .isInstanceOf(NotFoundException.class).hasMessage("model 'never' does not exist");

        assertThat(models.save(Map.of("orders", "o: 2"), "carol"))
                .extracting(ModelVersion::version, ModelVersion::deleted).containsExactly(tuple(4, false));
        assertThat(models.current("orders")).hasValueSatisfying(v -> assertThat(v.yaml()).isEqualTo("o: 2"));
    }

    @Test
    void modelNamesAreValidated() {
        assertThatThrownBy(() -> models.save(Map.of(" a", "x"), "bob")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model name ' a' starts or ends with white space");
        assertThatThrownBy(() -> models.save(Map.of("", "x"), "bob")).isInstanceOf(IllegalArgumentException.class);
        Map<String, String> nullYaml = new LinkedHashMap<>();
        nullYaml.put("a", null);
        assertThatThrownBy(() -> models.save(nullYaml, "bob")).isInstanceOf(NullPointerException.class)
                .hasMessage("YAML of model 'a' is null");
    }

    @Test
    void largeModelsRoundTrip() {
        String yaml = "x: " + "y".repeat(300_000) + "\nunicode: \"h\u00e9llo \ud83d\ude00\"";
        models.save(Map.of("big", yaml), null);
        assertThat(models.current("big")).hasValueSatisfying(v -> {
            assertThat(v.yaml()).isEqualTo(yaml);
            assertThat(v.author()).isNull();
        });
    }

    /** Two "servers" (pools), two threads each, saving the same model at once. */
    @Test
    void concurrentSavesOfOneModelGetConsecutiveVersions() throws Exception {
        int threads = 4;
        int savesPerThread = 5;
        long before = models.revision();
        try (MetadataDatabase otherServer = MetadataDatabase.open(config)) {
            ModelStore[] stores = {models, new ModelStore(otherServer)};
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<Integer>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        List<Integer> versions = new ArrayList<>();
                        for (int i = 0; i < savesPerThread; i++) {
                            List<ModelVersion> written = stores[thread % 2].save(
                                    Map.of("shared", "thread: " + thread + "\nsave: " + i,
                                            "own-" + thread, "save: " + i), "thread-" + thread);
                            assertThat(written).extracting(ModelVersion::name).contains("shared");
                            versions.add(written.stream().filter(v -> v.name().equals("shared")).findFirst()
                                    .orElseThrow().version());
                        }
                        return versions;
                    }));
                }
                Set<Integer> all = new HashSet<>();
                for (Future<List<Integer>> f : results) {
                    List<Integer> versions = f.get(60, TimeUnit.SECONDS);
                    assertThat(versions).isSorted();
                    all.addAll(versions);
                }
                int total = threads * savesPerThread;
                assertThat(all).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
                assertThat(models.history("shared")).extracting(ModelVersion::version)
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, total).map(i -> total + 1 - i).boxed().toList());
                for (int t = 0; t < threads; t++) {
                    assertThat(models.current("own-" + t)).hasValueSatisfying(v ->
                            assertThat(v.version()).isEqualTo(savesPerThread));
                }
                assertThat(models.revision()).isEqualTo(before + total);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------------------------ data sources

    @Test
    void dataSourcesCrud() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("sslmode", "require");
        props.put("applicationName", "strata \"quoted\" \u00e9");
        props.put("a", "");
        long r0 = dataSources.revision();
        DataSourceRecord input = new DataSourceRecord("warehouse", "postgres", "jdbc:postgresql://db/wh", "reader",
                "s3cret", props, 8, 30_000, Instant.EPOCH, Instant.EPOCH);

        DataSourceRecord created = dataSources.create(input);

        assertThat(created.createdAt()).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
        assertThat(created.updatedAt()).isEqualTo(created.createdAt());
        assertThat(created).usingRecursiveComparison().ignoringFields("createdAt", "updatedAt").isEqualTo(input);
        DataSourceRecord found = dataSources.find("warehouse").orElseThrow();
        assertThat(found).isEqualTo(created);
        assertThat(found.properties().keySet()).containsExactly("sslmode", "applicationName", "a");
        assertThat(found.toString()).doesNotContain("s3cret");
        assertThat(dataSources.revision()).isGreaterThan(r0);

        DataSourceRecord duck = dataSources.create(new DataSourceRecord("duck", "duckdb", "jdbc:duckdb:", null, null,
                null, 1, 1_000, null, null));
        assertThat(duck.properties()).isEmpty();
        assertThat(dataSources.find("duck")).contains(duck);
        assertThat(dataSources.list()).extracting(DataSourceRecord::name).containsExactly("duck", "warehouse");

        assertThatThrownBy(() -> dataSources.create(input))
                .isInstanceOf(ConflictException.class).hasMessage("data source 'warehouse' already exists");

        long r1 = dataSources.revision();
        DataSourceRecord updated = dataSources.update(new DataSourceRecord("warehouse", "postgres",
                "jdbc:postgresql://db2/wh", "writer", null, Map.of("sslmode", "disable"), 4, 5_000, null, null));
        assertThat(updated.createdAt()).isEqualTo(created.createdAt());
        assertThat(updated.updatedAt()).isAfterOrEqualTo(created.updatedAt());
        assertThat(updated.url()).isEqualTo("jdbc:postgresql://db2/wh");
        assertThat(updated.password()).isNull();
        assertThat(updated.properties()).isEqualTo(Map.of("sslmode", "disable"));
        assertThat(updated.poolSize()).isEqualTo(4);
        assertThat(updated.connectionTimeoutMs()).isEqualTo(5_000);
        assertThat(dataSources.find("warehouse")).contains(updated);
        assertThat(dataSources.revision()).isGreaterThan(r1);

        assertThatThrownBy(() -> dataSources.update(new DataSourceRecord("nope", "duckdb", "jdbc:duckdb:", null, null,
                null, 1, 1, null, null)))
                .isInstanceOf(NotFoundException.class).hasMessage("data source 'nope' does not exist");

        dataSources.delete("warehouse");
        assertThat(dataSources.find("warehouse")).isEmpty();
        assertThatThrownBy(() -> dataSources.delete("warehouse"))
                .isInstanceOf(NotFoundException.class).hasMessage("data source 'warehouse' does not exist");
        assertThat(dataSources.list()).containsExactly(duck);
    }

    /** The stored row of a data source, as any JDBC client of the metadata database reads it. */
    private String rawRow(String name) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(config.url(), config.user(), config.password());
                PreparedStatement ps = c.prepareStatement("SELECT * FROM strata_data_sources WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row of " + name).isTrue();
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    b.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append('\n');
                }
                return b.toString();
            }
        }
    }

    private void rawUpdate(String sql, String... values) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(config.url(), config.user(), config.password());
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void dataSourceSecretsAreEncryptedAtRestAndRotate() throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("sslmode", "require");
        props.put("sslpassword", "prop-s3cret");
        props.put("apiToken", "tok-s3cret");
        DataSourceRecord input = new DataSourceRecord("vault", "postgres",
                "jdbc:postgresql://db/wh?user=u&password=url-s3cret", "reader", "pw-s3cret", props, 8, 30_000, null, null);
        DataSourceRecord created = dataSources.create(input);
        assertThat(created.password()).isEqualTo("pw-s3cret");
        String row = rawRow("vault");
        assertThat(row).doesNotContain("s3cret").contains("enc:v1:" + key.id() + ":").contains("require");
        DataSourceRecord found = dataSources.find("vault").orElseThrow();
        assertThat(found.password()).isEqualTo("pw-s3cret");
        assertThat(found.url()).isEqualTo(input.url());
        assertThat(found.properties()).isEqualTo(props);
        // two encryptions of one value differ (random IV)
        dataSources.update(found);
        assertThat(rawRow("vault")).isNotEqualTo(row).doesNotContain("s3cret");

        // a row an older version wrote in plaintext is encrypted by sealAll, and still reads the same
        rawUpdate("UPDATE strata_data_sources SET password = ?, url = ? WHERE name = ?",
                "legacy-s3cret", "jdbc:postgresql://u:userinfo-s3cret@db/wh", "vault");
        assertThat(rawRow("vault")).contains("legacy-s3cret");
        assertThat(dataSources.sealAll()).isEqualTo(2);
        assertThat(rawRow("vault")).doesNotContain("s3cret");
        assertThat(dataSources.find("vault").orElseThrow().password()).isEqualTo("legacy-s3cret");
        assertThat(dataSources.find("vault").orElseThrow().url()).isEqualTo("jdbc:postgresql://u:userinfo-s3cret@db/wh");
        assertThat(dataSources.sealAll()).isZero();

        // rotation: everything re-encrypted under the new key; the old key alone no longer opens it
        io.strata.server.secret.SecretKey next = io.strata.server.secret.SecretKey.generate("next key");
        DataSourceStore rotated = new DataSourceStore(db, box.rotatedTo(next));
        assertThat(rotated.sealAll()).isEqualTo(4);
        String after = rawRow("vault");
        assertThat(after).doesNotContain("s3cret").doesNotContain("enc:v1:" + key.id()).contains("enc:v1:" + next.id() + ":");
        DataSourceStore newOnly = new DataSourceStore(db, new io.strata.server.secret.SecretBox(next, List.of(), "next"));
        assertThat(newOnly.find("vault").orElseThrow().properties()).isEqualTo(props);
        assertThatThrownBy(() -> dataSources.find("vault"))
                .isInstanceOf(io.strata.server.secret.SecretKeyException.class)
                .hasMessageContaining("key " + next.id()).hasMessageContaining("the test key")
                .hasMessageNotContaining("s3cret");
        // a wrong key fails sealAll without changing anything
        DataSourceStore wrong = new DataSourceStore(db, new io.strata.server.secret.SecretBox(
                io.strata.server.secret.SecretKey.generate("wrong"), List.of(), "wrong"));
        assertThatThrownBy(wrong::sealAll).isInstanceOf(io.strata.server.secret.SecretKeyException.class);
        assertThat(rawRow("vault")).isEqualTo(after);
        // a ciphertext moved to another row does not decrypt there (bound to its row and field)
        newOnly.create(new DataSourceRecord("vault2", "postgres", "jdbc:postgresql://db/wh", null, "other", null, 1, 1_000, null, null));
        String sealed = after.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("password=")).findFirst().orElseThrow()
                .substring("password=".length());
        rawUpdate("UPDATE strata_data_sources SET password = ? WHERE name = ?", sealed, "vault2");
        assertThatThrownBy(() -> newOnly.find("vault2")).isInstanceOf(io.strata.server.secret.SecretKeyException.class)
                .hasMessageContaining("vault2");
        newOnly.delete("vault2");
        newOnly.delete("vault");
    }

    // ------------------------------------------------------------------------------ dashboards

    @Test
    void dashboardsAndCharts() throws SQLException {
        User bob = users.create("bob", "h", Role.EDITOR);
        Dashboard sales = dashboards.create("Sales", "Weekly numbers", "{\"cols\":12}", bob.id());
        Dashboard ops = dashboards.create("Ops", null, null, bob.id());
        assertThat(dashboards.find(sales.id())).contains(sales);
        assertThat(dashboards.find(ops.id())).contains(ops);
        assertThat(dashboards.list()).containsExactly(ops, sales);
        assertThat(dashboards.find(987654321L)).isEmpty();

        Dashboard renamed = dashboards.update(sales.id(), "Sales (EU)", "d", "{\"cols\":6}");
        assertThat(renamed).extracting(Dashboard::id, Dashboard::name, Dashboard::description, Dashboard::layoutJson,
                Dashboard::ownerId, Dashboard::createdAt).containsExactly(sales.id(), "Sales (EU)", "d", "{\"cols\":6}",
                bob.id(), sales.createdAt());
        assertThat(renamed.updatedAt()).isAfterOrEqualTo(sales.updatedAt());

        Chart second = dashboards.addChart(sales.id(), "Revenue", "{\"q\":1}", "{\"type\":\"bar\"}", 2);
        Chart first = dashboards.addChart(sales.id(), "Orders", "{\"q\":2}", "{\"type\":\"line\"}", 1);
        Chart other = dashboards.addChart(ops.id(), "Latency", "{}", "{}", 0);
        assertThat(dashboards.charts(sales.id())).containsExactly(first, second);

        Chart moved = dashboards.updateChart(second.id(), "Revenue (EUR)", "{\"q\":3}", "{\"type\":\"area\"}", 0);
        assertThat(moved).isEqualTo(new Chart(second.id(), sales.id(), "Revenue (EUR)", "{\"q\":3}",
                "{\"type\":\"area\"}", 0));
        assertThat(dashboards.charts(sales.id())).containsExactly(moved, first);

        dashboards.deleteChart(first.id());
        assertThat(dashboards.charts(sales.id())).containsExactly(moved);
        assertThatThrownBy(() -> dashboards.deleteChart(first.id()))
                .isInstanceOf(NotFoundException.class).hasMessage("chart " + first.id() + " does not exist");
        assertThatThrownBy(() -> dashboards.updateChart(first.id(), "t", "{}", "{}", 0))
                .isInstanceOf(NotFoundException.class).hasMessage("chart " + first.id() + " does not exist");
        assertThatThrownBy(() -> dashboards.addChart(987654321L, "t", "{}", "{}", 0))
                .isInstanceOf(NotFoundException.class).hasMessage("dashboard 987654321 does not exist");
        assertThatThrownBy(() -> dashboards.update(987654321L, "x", null, null))
                .isInstanceOf(NotFoundException.class).hasMessage("dashboard 987654321 does not exist");

        dashboards.delete(sales.id());
        assertThat(dashboards.find(sales.id())).isEmpty();
        assertThat(dashboards.charts(sales.id())).isEmpty();
        assertThat(countWhere("strata_charts", "dashboard_id", sales.id())).isZero();
        assertThat(dashboards.charts(ops.id())).containsExactly(other);
        assertThatThrownBy(() -> dashboards.delete(sales.id()))
                .isInstanceOf(NotFoundException.class).hasMessage("dashboard " + sales.id() + " does not exist");
    }

    @Test
    void favouritesArePerUserIdempotentAndGoWithTheirDashboardOrUser() throws SQLException {
        FavouriteStore favourites = new FavouriteStore(db);
        User bob = users.create("bob", "h", Role.EDITOR);
        User ann = users.create("ann", "h", Role.VIEWER);
        Dashboard a = dashboards.create("A", null, "{}", bob.id());
        Dashboard b = dashboards.create("B", null, "{}", bob.id());
        favourites.add(ann.id(), b.id());
        favourites.add(ann.id(), a.id());
        favourites.add(ann.id(), a.id()); // again: no change
        favourites.add(bob.id(), a.id());
        assertThat(favourites.of(ann.id())).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(favourites.of(bob.id())).containsExactly(a.id());
        assertThatThrownBy(() -> favourites.add(ann.id(), 987654321L))
                .isInstanceOf(NotFoundException.class).hasMessage("dashboard 987654321 does not exist");

        favourites.remove(ann.id(), b.id());
        favourites.remove(ann.id(), b.id()); // not marked: nothing
        assertThat(favourites.of(ann.id())).containsExactly(a.id());

        dashboards.delete(a.id());
        assertThat(favourites.of(ann.id())).isEmpty();
        assertThat(favourites.of(bob.id())).isEmpty();
        favourites.add(ann.id(), b.id());
        users.delete(ann.id());
        assertThat(countWhere("strata_dashboard_favourites", "dashboard_id", b.id())).isZero();
    }

    @Test
    void deletingDashboardCascadesChartsInTheDatabaseToo() throws SQLException {
        User bob = users.create("bob", "h", Role.EDITOR);
        Dashboard d = dashboards.create("D", null, "{}", bob.id());
        dashboards.addChart(d.id(), "a", "{}", "{}", 0);
        dashboards.addChart(d.id(), "b", "{}", "{}", 1);
        // bypass the store: the foreign key itself cascades
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM strata_dashboards WHERE id = ?")) {
            ps.setLong(1, d.id());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(countWhere("strata_charts", "dashboard_id", d.id())).isZero();
    }

    @Test
    void aDashboardIsStoredWithAllItsChartsOrNotAtAll() throws SQLException {
        User bob = users.create("bob", "h", Role.EDITOR);
        List<DashboardStore.NewChart> charts = new java.util.ArrayList<>();
        for (int i = 0; i < 39; i++) {
            charts.add(new DashboardStore.NewChart("chart " + i, "{}", "{}", i));
        }
        // the 40th chart's title is longer than the column (VARCHAR(1024)): the database refuses it
        charts.add(new DashboardStore.NewChart("t".repeat(5000), "{}", "{}", 39));
        assertThatThrownBy(() -> dashboards.create("Forty", null, "{}", bob.id(), charts))
                .isInstanceOf(MetadataException.class);
        assertThat(dashboards.list()).extracting(Dashboard::name).doesNotContain("Forty");
        assertThat(countRows("strata_charts")).isZero();
        assertThat(countRows("strata_dashboards")).isZero();

        charts.set(39, new DashboardStore.NewChart("chart 39", "{}", "{}", 39));
        Dashboard d = dashboards.create("Forty", null, "{}", bob.id(), charts);
        assertThat(dashboards.charts(d.id())).hasSize(40);

        // replacing: a failing chart leaves name and all 40 charts as they were
        List<DashboardStore.NewChart> two = List.of(new DashboardStore.NewChart("a", "{\"q\":1}", "{}", 0),
                new DashboardStore.NewChart("t".repeat(5000), "{}", "{}", 1));
        assertThatThrownBy(() -> dashboards.replace(d.id(), "Two", null, "{}", two))
                .isInstanceOf(MetadataException.class);
        assertThat(dashboards.find(d.id()).orElseThrow().name()).isEqualTo("Forty");
        assertThat(dashboards.charts(d.id())).hasSize(40);

        Dashboard replaced = dashboards.replace(d.id(), "Two", "x", "{}", List.of(two.get(0),
                new DashboardStore.NewChart("b", "{}", "{}", 1)));
        assertThat(replaced.name()).isEqualTo("Two");
        assertThat(dashboards.charts(d.id())).extracting(Chart::title, Chart::queryJson)
                .containsExactly(tuple("a", "{\"q\":1}"),
                        tuple("b", "{}"));
        assertThatThrownBy(() -> dashboards.replace(987654321L, "x", null, null, List.of()))
                .isInstanceOf(NotFoundException.class).hasMessage("dashboard 987654321 does not exist");
    }

    // ------------------------------------------------------------------------------ query log

    @Test
    void queryLogKeepsNewestFirstAndTruncatesLongTexts() {
        Instant t0 = Instant.parse("2025-03-01T10:00:00.000001Z");
        QueryLogEntry oldest = entry("q1", t0, "SELECT 1", null, null);
        QueryLogEntry middle = entry("q2", t0.plusSeconds(60), "SELECT 2", "WH001", "boom");
        String hugeSql = "SELECT '" + "x".repeat(200_000) + "'";
        QueryLogEntry newest = new QueryLogEntry("q3", null, "/api/sql", "q".repeat(200_000), hugeSql, "warehouse",
                t0.plusSeconds(120), 1, 2, 3, 6, 10, 1024, "memory", "E".repeat(500), "e".repeat(200_000));
        queryLog.append(oldest);
        queryLog.append(middle);
        queryLog.append(newest);

        List<QueryLogEntry> recent = queryLog.recent(2);
        assertThat(recent).hasSize(2);
        QueryLogEntry got = recent.get(0);
        assertThat(got.queryId()).isEqualTo("q3");
        assertThat(got.sql()).hasSize(QueryLogStore.MAX_TEXT).isEqualTo(hugeSql.substring(0, QueryLogStore.MAX_TEXT));
        assertThat(got.queryText()).hasSize(QueryLogStore.MAX_TEXT);
        assertThat(got.error()).hasSize(QueryLogStore.MAX_TEXT);
        assertThat(got.errorCode()).hasSize(128);
        assertThat(got.username()).isNull();
        assertThat(got.cacheTier()).isEqualTo("memory");
        assertThat(got.startedAt()).isEqualTo(t0.plusSeconds(120));
        assertThat(got).usingRecursiveComparison().ignoringFields("queryText", "sql", "errorCode", "error").isEqualTo(newest);
        assertThat(recent.get(1)).isEqualTo(middle);
        assertThat(queryLog.recent(10)).containsExactly(recent.get(0), middle, oldest);
        assertThat(queryLog.recent(0)).isEmpty();

        assertThat(queryLog.deleteOlderThan(t0.plusSeconds(60))).isEqualTo(1);
        assertThat(queryLog.recent(10)).extracting(QueryLogEntry::queryId).containsExactly("q3", "q2");
    }

    @Test
    void queryLogDropsNulCharactersAndNeverSplitsSurrogatePairs() {
        String text = "a\u0000b" + "x".repeat(QueryLogStore.MAX_TEXT - 3) + "\ud83d\ude00tail";
        queryLog.append(entry("q", Instant.now(), text, null, null));
        String stored = queryLog.recent(1).get(0).sql();
        assertThat(stored).startsWith("abx").doesNotContain("\u0000").hasSize(QueryLogStore.MAX_TEXT - 1);
        assertThat(Character.isHighSurrogate(stored.charAt(stored.length() - 1))).isFalse();
    }

    @Test
    void queryLogWritesBehindInTheOrderAppendedAndAReadSeesEverythingAppendedBefore() {
        Instant t = Instant.parse("2025-03-01T10:00:00Z");
        List<String> appended = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String id = "o" + i;
            assertThat(queryLog.append(entry(id, t, "SELECT " + i, null, null))).isTrue();
            appended.add(id);
        }
        // same start time: the tie is broken by insertion order, newest first
        List<String> read = queryLog.recent(5_000).stream().map(QueryLogEntry::queryId).toList();
        Collections.reverse(appended);
        assertThat(read).containsExactlyElementsOf(appended);
    }

    @Test
    void closingTheQueryLogWritesWhatIsQueuedAndThenRefusesMore() throws SQLException {
        QueryLogStore own = new QueryLogStore(db);
        for (int i = 0; i < 500; i++) {
            own.append(entry("c" + i, Instant.now(), "SELECT 1", null, null));
        }
        own.close();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM strata_query_log WHERE query_id LIKE 'c%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(500);
        }
        assertThat(own.append(entry("late", Instant.now(), "SELECT 1", null, null))).isFalse();
        assertThat(own.dropped()).isEqualTo(1);
    }

    private static QueryLogEntry entry(String id, Instant startedAt, String sql, String errorCode, String error) {
        return new QueryLogEntry(id, "bob", "/api/query", "{\"metrics\":[\"revenue\"]}", sql, "warehouse",
                startedAt.truncatedTo(ChronoUnit.MICROS), 100, 2_000, 300, 2_400, 42, 4_096, null, errorCode, error);
    }

    // ------------------------------------------------------------------------------ time

    /**
     * Instants are stored as UTC and read back to the microsecond whatever the JVM's zone: 07:30Z on
     * 2024-03-10 is 02:30 in New York, a local time that does not exist (the DST gap), and 05:30Z on
     * 2024-11-03 is 01:30, which exists twice; a zone-dependent conversion would shift either.
     */
    @Test
    void instantsRoundTripInUtcWhateverTheDefaultZone() throws SQLException {
        TimeZone saved = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
            Instant gap = Instant.parse("2024-03-10T07:30:00.123456789Z");
            Instant overlap = Instant.parse("2024-11-03T05:30:00.5Z");
            User bob = users.create("bob", "h", Role.VIEWER);
            Session s = sessions.create(bob.id(), "tz-1", gap);
            Session s2 = sessions.create(bob.id(), "tz-2", overlap);
            ApiToken token = tokens.create(bob.id(), "t", "st_", "tz-token", overlap);
            queryLog.append(entry("tz", gap, "SELECT 1", null, null));

            Instant gapMicros = Instant.parse("2024-03-10T07:30:00.123456Z");
            assertThat(s.expiresAt()).isEqualTo(gapMicros);
            assertThat(sessions.findByHash("tz-1", gap.minusSeconds(1))).contains(s);
            assertThat(sessions.findByHash("tz-2", overlap.minusSeconds(1))).contains(s2);
            assertThat(s2.expiresAt()).isEqualTo(overlap);
            assertThat(tokens.findByHash("tz-token", overlap.minusNanos(1000))).contains(token);
            assertThat(queryLog.recent(1).get(0).startedAt()).isEqualTo(gapMicros);
            // the column holds the UTC wall-clock time
            assertThat(rawTimestamp("strata_sessions", "expires_at", "session_hash", "tz-1"))
                    .isEqualTo(LocalDateTime.parse("2024-03-10T07:30:00.123456"));

            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
            assertThat(sessions.findByHash("tz-1", gap.minusSeconds(1))).contains(s);
            assertThat(sessions.findByHash("tz-2", overlap.minusSeconds(1))).contains(s2);
            assertThat(users.find(bob.id())).contains(bob);
            try (MetadataDatabase fresh = MetadataDatabase.open(config)) { // connections made in another zone
                assertThat(new SessionStore(fresh).findByHash("tz-1", gap.minusSeconds(1))).contains(s);
                assertThat(new TokenStore(fresh).findByHash("tz-token", overlap.minusSeconds(1))).contains(token);
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    private LocalDateTime rawTimestamp(String table, String column, String keyColumn, String key) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM " + table + " WHERE " + keyColumn + " = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getObject(1, LocalDateTime.class);
            }
        }
    }

    private long countWhere(String table, String column, long value) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE " + column + " = ?")) {
            ps.setLong(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long countRows(String table) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
