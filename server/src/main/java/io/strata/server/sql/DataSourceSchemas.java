package io.strata.server.sql;

import io.strata.semantic.dialect.Dialect;
import io.strata.server.datasource.DataSourceException;
import io.strata.server.datasource.DataSourceRegistry;
import io.strata.server.datasource.DataSourceSpec;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.calcite.adapter.jdbc.JdbcConvention;
import org.apache.calcite.adapter.jdbc.JdbcSchema;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Schemas;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.dialect.DuckDBSqlDialect;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each data source as a Calcite schema whose sub-schemas are the warehouse's schemas (databases
 * on MySQL), read through Calcite's JDBC adapter so that queries on them are pushed down in
 * the warehouse's dialect. Built once per data source configuration and kept for a minute, so
 * the warehouse's catalog is not read for every query.
 *
 * <p>A data source's catalog is read lazily, only by a statement that names the data source
 * ({@link #referencedBy}) or by a metadata listing ({@link #available}), and a failure is
 * isolated: reading it throws {@link DataSourceException} {@code UNAVAILABLE} naming the data
 * source (never an empty catalog, which Calcite would report as "object not found"), nothing is
 * cached, so the next statement tries again and a warehouse that comes back works at once.
 * Metadata listings skip a data source for {@link #BACKOFF} after it failed, so a catalog
 * browser is not held up by a dead warehouse's connection timeout on every call.
 */
final class DataSourceSchemas {
  private static final Logger LOG = LoggerFactory.getLogger(DataSourceSchemas.class);
  private static final Duration TTL = Duration.ofSeconds(60);
  static final Duration BACKOFF = Duration.ofSeconds(30);
  private static final Set<String> SYSTEM = Set.of("information_schema", "pg_catalog",
      "pg_toast", "mysql", "performance_schema", "sys", "system", "temp");

  private record Entry(DataSourceSpec spec, Schema schema, long builtAt) {}

  private final DataSourceRegistry registry;
  private final Map<String, Entry> schemas = new ConcurrentHashMap<>();
  /** When (System.nanoTime) each data source's catalog last failed to load. */
  private final Map<String, Long> failedAt = new ConcurrentHashMap<>();

  DataSourceSchemas(DataSourceRegistry registry) {
    this.registry = registry;
  }

  /** Data source name to its schema, for every configured data source. */
  Map<String, Schema> all() {
    Map<String, Schema> out = new LinkedHashMap<>();
    for (String name : registry.names()) {
      schema(name).ifPresent(s -> out.put(name, s));
    }
    schemas.keySet().retainAll(registry.names());
    return out;
  }

  /**
   * The data sources a statement names (any identifier part equal to a data source's name,
   * ignoring case): the only ones whose catalogs the statement may need. Naming more is
   * harmless; an alias that happens to be a data source's name costs a catalog read.
   */
  Map<String, Schema> referencedBy(org.apache.calcite.sql.SqlNode statement) {
    Map<String, String> byLower = new java.util.HashMap<>();
    for (String n : registry.names()) {
      byLower.put(n.toLowerCase(Locale.ROOT), n);
    }
    Set<String> named = new java.util.TreeSet<>();
    if (statement != null && !byLower.isEmpty()) {
      statement.accept(new org.apache.calcite.sql.util.SqlBasicVisitor<Void>() {
        @Override
        public Void visit(org.apache.calcite.sql.SqlIdentifier id) {
          for (String part : id.names) {
            String n = byLower.get(part.toLowerCase(Locale.ROOT));
            if (n != null) {
              named.add(n);
            }
          }
          return null;
        }
      });
    }
    Map<String, Schema> out = new LinkedHashMap<>();
    for (String name : named) {
      schema(name).ifPresent(s -> out.put(name, s));
    }
    return out;
  }

  /**
   * Every configured data source but those whose catalog failed to load in the last
   * {@link #BACKOFF}: for metadata listings, which must answer while a warehouse is down.
   */
  Map<String, Schema> available() {
    long now = System.nanoTime();
    Map<String, Schema> out = new LinkedHashMap<>(all());
    out.keySet().removeIf(n -> {
      Long t = failedAt.get(n);
      return t != null && now - t < BACKOFF.toNanos();
    });
    return out;
  }

  Optional<Schema> schema(String name) {
    Optional<DataSourceSpec> spec = registry.spec(name);
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    long now = System.nanoTime();
    Entry e = schemas.get(name);
    if (e == null || !Objects.equals(e.spec(), spec.get()) || now - e.builtAt() > TTL.toNanos()) {
      e = new Entry(spec.get(), new Source(name, registry.dialect(name)), now);
      schemas.put(name, e);
    }
    return Optional.of(e.schema());
  }

  /** Forgets every cached catalog, so the next query reads the warehouses' catalogs again. */
  void refresh() {
    schemas.clear();
    failedAt.clear();
  }

  /** Calcite's DuckDB dialect writes CAST(x AS VARCHAR CHARACTER SET ...), which DuckDB refuses. */
  private static final SqlDialect DUCKDB = new DuckDBSqlDialect(DuckDBSqlDialect.DEFAULT_CONTEXT) {
    @Override
    public boolean supportsCharSet() {
      return false;
    }
  };

  static SqlDialect calciteDialect(Dialect d) {
    return switch (d) {
      case POSTGRES -> PostgresqlSqlDialect.DEFAULT;
      // Strata's own dialects where a backslash escapes in string literals: they double it
      case MYSQL, SNOWFLAKE, REDSHIFT, BIGQUERY -> d.sqlDialect().calcite();
      case DUCKDB -> DUCKDB;
    };
  }

  /** One data source: its warehouse schemas, listed on first use. */
  private final class Source extends AbstractSchema {
    private final String name;
    private final Dialect dialect;
    private volatile Map<String, Schema> subSchemas;

    Source(String name, Dialect dialect) {
      this.name = name;
      this.dialect = dialect;
    }

    @Override
    protected Map<String, Schema> getSubSchemaMap() {
      Map<String, Schema> s = subSchemas;
      if (s == null) {
        synchronized (this) {
          s = subSchemas;
          if (s == null) {
            s = list();
            subSchemas = s;
          }
        }
      }
      return s;
    }

    private Map<String, Schema> list() {
      DataSource ds = new RegistryDataSource(registry, name);
      SqlDialect sqlDialect = calciteDialect(dialect);
      // JDBC conventions find their data source at run time by this path from the root
      SchemaPlus root = CalciteSchema.createRootSchema(false, false).plus();
      SchemaPlus parent = root.add(name, new AbstractSchema());
      Map<String, Schema> out = new LinkedHashMap<>();
      try (Connection c = ds.getConnection()) {
        DatabaseMetaData md = c.getMetaData();
        if (dialect == Dialect.MYSQL) {
          try (ResultSet rs = md.getCatalogs()) {
            while (rs.next()) {
              String db = rs.getString(1);
              if (!SYSTEM.contains(db.toLowerCase(Locale.ROOT))) {
                out.put(db, jdbc(parent, ds, sqlDialect, db, db, null));
              }
            }
          }
        } else {
          String catalog = c.getCatalog();
          try (ResultSet rs = md.getSchemas(catalog, null)) {
            while (rs.next()) {
              String schema = rs.getString(1);
              String lower = schema.toLowerCase(Locale.ROOT);
              if (SYSTEM.contains(lower) || lower.startsWith("pg_")) {
                continue;
              }
              out.put(schema, jdbc(parent, ds, sqlDialect, schema, catalog, schema));
            }
          }
        }
      } catch (DataSourceException e) {
        failed();
        throw e;
      } catch (SQLException e) {
        failed();
        throw new DataSourceException(DataSourceException.Code.UNAVAILABLE, name,
            "data source '" + name + "' is unavailable: its catalog could not be read: "
                + e.getMessage(), e);
      }
      failedAt.remove(name);
      return out;
    }

    /** Nothing of a failed load is kept: the next statement builds the schema again. */
    private void failed() {
      LOG.warn("could not list the schemas of data source '{}'", name);
      failedAt.put(name, System.nanoTime());
      schemas.remove(name);
    }

    private Schema jdbc(SchemaPlus parent, DataSource ds, SqlDialect sqlDialect,
        String schemaName, String catalog, String schema) {
      Expression expression = Schemas.subSchemaExpression(parent, schemaName, JdbcSchema.class);
      JdbcConvention convention = JdbcConvention.of(sqlDialect, expression,
          name + "." + schemaName);
      return new Cached(new JdbcSchema(ds, sqlDialect, convention, catalog, schema));
    }
  }

  /**
   * A warehouse schema whose table list and row types are read once: Calcite's JDBC schema
   * reads the warehouse's catalog again for every statement (measured: most of a raw query's
   * time on DuckDB).
   */
  static final class Cached extends AbstractSchema implements org.apache.calcite.schema.Wrapper {
    private final JdbcSchema jdbc;
    private volatile Map<String, org.apache.calcite.schema.Table> tables;

    Cached(JdbcSchema jdbc) {
      this.jdbc = jdbc;
    }

    @Override
    protected Map<String, org.apache.calcite.schema.Table> getTableMap() {
      Map<String, org.apache.calcite.schema.Table> t = tables;
      if (t == null) {
        synchronized (this) {
          t = tables;
          if (t == null) {
            t = new LinkedHashMap<>();
            for (String n : jdbc.getTableNames()) {
              org.apache.calcite.schema.Table table = jdbc.getTable(n);
              if (table instanceof org.apache.calcite.adapter.jdbc.JdbcTable jt) {
                t.put(n, new CachedTable(jt));
              }
            }
            tables = t;
          }
        }
      }
      return t;
    }

    @Override
    public Expression getExpression(SchemaPlus parentSchema, String name) {
      return jdbc.getExpression(parentSchema, name);
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      return jdbc.unwrap(clazz);
    }
  }

  /** A JDBC table whose row type is read from the warehouse once. */
  static final class CachedTable extends org.apache.calcite.schema.impl.AbstractTable
      implements org.apache.calcite.schema.TranslatableTable,
      org.apache.calcite.schema.ScannableTable {
    final org.apache.calcite.adapter.jdbc.JdbcTable jdbc;
    private volatile org.apache.calcite.rel.type.RelProtoDataType rowType;

    CachedTable(org.apache.calcite.adapter.jdbc.JdbcTable jdbc) {
      this.jdbc = jdbc;
    }

    @Override
    public org.apache.calcite.rel.type.RelDataType getRowType(
        org.apache.calcite.rel.type.RelDataTypeFactory f) {
      org.apache.calcite.rel.type.RelProtoDataType p = rowType;
      if (p == null) {
        p = org.apache.calcite.rel.type.RelDataTypeImpl.proto(jdbc.getRowType(f));
        rowType = p;
      }
      return p.apply(f);
    }

    @Override
    public org.apache.calcite.rel.RelNode toRel(
        org.apache.calcite.plan.RelOptTable.ToRelContext context,
        org.apache.calcite.plan.RelOptTable table) {
      return jdbc.toRel(context, table);
    }

    @Override
    public org.apache.calcite.linq4j.Enumerable<Object[]> scan(org.apache.calcite.DataContext root) {
      return jdbc.scan(root);
    }

    @Override
    public org.apache.calcite.schema.Schema.TableType getJdbcTableType() {
      return jdbc.getJdbcTableType();
    }

    /** The JDBC table itself, whose name in the warehouse the pushed-down SQL must use. */
    @Override
    public <C> C unwrap(Class<C> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      return jdbc.unwrap(clazz);
    }
  }
}
