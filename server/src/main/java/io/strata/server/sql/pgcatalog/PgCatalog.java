package io.strata.server.sql.pgcatalog;

import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SqlTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.impl.ScalarFunctionImpl;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * Strata as Postgres clients introspect it: the {@code pg_catalog} and
 * {@code information_schema} schemas emulated from the tables a user may query, the Postgres
 * functions introspection queries call, and the rewriting of Postgres SQL into SQL Calcite
 * validates. The one entry point of this package; {@code SqlService} calls it.
 *
 * <p>What a client sees: database {@value #DATABASE}; schema {@code semantic} with a table per
 * semantic model and a view per semantic view (members as columns, member descriptions as
 * column comments, {@code primary_key} as a primary key); each data source's schema as
 * {@code datasource.schema} ({@code "demo.retail"}); and the catalog's own tables. A table or
 * column the user may not query is absent from every catalog table.
 */
public final class PgCatalog {
  public static final String PG_CATALOG = "pg_catalog";
  public static final String INFORMATION_SCHEMA = "information_schema";
  public static final String SEMANTIC = "semantic";
  /** The one database (Strata's SQL catalog name). */
  public static final String DATABASE = "strata";
  static final int DATABASE_OID = 16384;
  /** The role that owns every object. */
  public static final String OWNER = "strata";
  /**
   * The Postgres version Strata answers as (the wire endpoint's {@code server_version}):
   * clients choose their introspection queries by it, and these are the ones tested.
   */
  public static final String SERVER_VERSION = "14.0";
  public static final String VERSION = "PostgreSQL " + SERVER_VERSION
      + " (Strata semantic layer) on x86_64-pc-linux-gnu, 64-bit";
  /** {@code pg_settings}: what clients read of the server's configuration. */
  public static final Map<String, String> SETTINGS = settings();

  private PgCatalog() {}

  private static Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("server_version", SERVER_VERSION);
    s.put("server_version_num", "140000");
    s.put("server_encoding", "UTF8");
    s.put("client_encoding", "UTF8");
    s.put("DateStyle", "ISO, MDY");
    s.put("IntervalStyle", "postgres");
    s.put("TimeZone", "UTC");
    s.put("integer_datetimes", "on");
    s.put("standard_conforming_strings", "on");
    s.put("search_path", SEMANTIC);
    s.put("default_transaction_read_only", "on");
    s.put("transaction_isolation", "read committed");
    s.put("default_transaction_isolation", "read committed");
    s.put("max_identifier_length", "63");
    s.put("max_index_keys", "32");
    s.put("lc_collate", "C.UTF-8");
    s.put("lc_ctype", "C.UTF-8");
    return java.util.Collections.unmodifiableMap(s);
  }

  /**
   * Postgres text rewritten into what Calcite's Babel parser reads (see {@link PgText}); call
   * before parsing a Postgres session's statement.
   */
  public static String text(String sql) {
    return PgText.rewrite(sql);
  }

  /**
   * A parsed Postgres statement rewritten for Calcite (see {@link PgRewrite}).
   *
   * @param user who runs it: {@code current_user}
   */
  public static SqlNode rewrite(SqlNode statement, String user) {
    return PgRewrite.rewrite(statement, user);
  }

  /** Whether the statement names {@code pg_catalog} or {@code information_schema}. */
  public static boolean referencedBy(SqlNode statement) {
    boolean[] found = {false};
    statement.accept(new SqlBasicVisitor<Void>() {
      @Override
      public Void visit(SqlIdentifier id) {
        String first = id.names.get(0).toLowerCase(Locale.ROOT);
        if (first.equals(PG_CATALOG) || first.equals(INFORMATION_SCHEMA)) {
          found[0] = true;
        }
        return null;
      }
    });
    return found[0];
  }

  /**
   * Adds Postgres's functions to a statement's root schema; with {@code tables}, also the
   * {@code pg_catalog} and {@code information_schema} schemas of what {@code user} may query
   * ({@code tables} is read once, when the statement first scans a catalog table).
   */
  public static void addTo(SchemaPlus root, Supplier<List<SqlTable>> tables, String user) {
    functions(root);
    if (tables == null) {
      return;
    }
    Supplier<PgModel> model = memoize(() -> {
      PgModel m = new PgModel(user, tables.get(), system());
      PgFunctions.remember(m);
      return m;
    });
    Map<String, Table> pg = new LinkedHashMap<>();
    PgTables.PG_CATALOG.forEach((name, def) -> pg.put(name, PgTables.table(def, model)));
    PgTables.HIDDEN.forEach((name, def) -> pg.put(name, PgTables.table(def, model)));
    Map<String, Table> info = new LinkedHashMap<>();
    PgTables.INFORMATION_SCHEMA.forEach((name, def) -> info.put(name,
        PgTables.table(def, model)));
    functions(root.add(PG_CATALOG, schema(pg)));
    root.add(INFORMATION_SCHEMA, schema(info));
  }

  private static void functions(SchemaPlus schema) {
    schema.add("format_type", ScalarFunctionImpl.create(PgFunctions.class, "formatType"));
    schema.add("pg_encoding_to_char",
        ScalarFunctionImpl.create(PgFunctions.class, "pgEncodingToChar"));
    schema.add("date_trunc", ScalarFunctionImpl.create(PgFunctions.class, "dateTrunc"));
    schema.add("array_to_string",
        ScalarFunctionImpl.create(PgFunctions.class, "arrayToString"));
    schema.add("strata$indexdef", ScalarFunctionImpl.create(PgFunctions.class, "indexDef"));
    schema.add("strata$vector_has", ScalarFunctionImpl.create(PgFunctions.class, "vectorHas"));
    schema.add("quote_ident", ScalarFunctionImpl.create(PgFunctions.class, "quoteIdent"));
    schema.add("current_setting",
        ScalarFunctionImpl.create(PgFunctions.class, "currentSetting"));
    for (int n = 2; n <= 4; n++) {
      schema.add("strata$format" + n, ScalarFunctionImpl.create(PgFunctions.class, "format" + n));
    }
    schema.add("strata$regclass_part",
        ScalarFunctionImpl.create(PgFunctions.class, "regclassPart"));
    schema.add("strata$vector_at", ScalarFunctionImpl.create(PgFunctions.class, "vectorAt"));
    schema.add("strata$vector_length",
        ScalarFunctionImpl.create(PgFunctions.class, "vectorLength"));
  }

  /** The catalog's own tables, as they appear in pg_class and pg_attribute. */
  private static Map<String, Map<String, List<SqlColumn>>> system() {
    Map<String, Map<String, List<SqlColumn>>> out = new LinkedHashMap<>();
    Map<String, List<SqlColumn>> pg = new LinkedHashMap<>();
    PgTables.PG_CATALOG.forEach((name, def) -> pg.put(name, PgTables.sqlColumns(def)));
    Map<String, List<SqlColumn>> info = new LinkedHashMap<>();
    PgTables.INFORMATION_SCHEMA.forEach((name, def) -> info.put(name,
        PgTables.sqlColumns(def)));
    out.put(PG_CATALOG, pg);
    out.put(INFORMATION_SCHEMA, info);
    return out;
  }

  private static Schema schema(Map<String, Table> tables) {
    return new AbstractSchema() {
      @Override
      protected Map<String, Table> getTableMap() {
        return tables;
      }
    };
  }

  private static <T> Supplier<T> memoize(Supplier<T> s) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = s.get();
        }
        return value;
      }
    };
  }
}
