package io.strata.server.sql;

import io.strata.semantic.model.Aggregation;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.MemberKind;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.model.View;
import io.strata.semantic.query.SemanticQuery;
import io.strata.server.query.QueryCursor;
import io.strata.server.query.QueryRequest;
import io.strata.server.query.QueryService;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.arrow.vector.types.pojo.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantic schema as SQL sees it: one table per model and view, its dimensions, measures,
 * metrics and segments as columns. Column types come from the warehouse (a {@code LIMIT 0}
 * query of every dimension and measure, once per table and catalog version), so what
 * {@code DatabaseMetaData} says is what queries return; the declared member types are the
 * fallback when the warehouse cannot be asked.
 */
final class SemanticTables {
  static final String CATALOG = "strata";
  static final String SCHEMA = "semantic";
  private static final Logger LOG = LoggerFactory.getLogger(SemanticTables.class);

  /** A column of a semantic table: its SQL name, the member it shows and the member's path. */
  record Column(String name, Member member, String path) {
    MemberKind kind() {
      return member.kind();
    }

    boolean aggregated() {
      return member.aggregated();
    }

    boolean segment() {
      return member.kind() == MemberKind.SEGMENT;
    }

    boolean time() {
      return member.kind() == MemberKind.DIMENSION
          && member.dimension().type() == io.strata.semantic.model.DimensionType.TIME;
    }

    /** The measure's aggregation, or null for metrics and non-measures. */
    Aggregation agg() {
      return member.kind() == MemberKind.MEASURE ? member.measure().agg() : null;
    }

    String description() {
      return switch (member.kind()) {
        case DIMENSION -> member.dimension().description();
        case MEASURE -> member.measure().description();
        case METRIC -> member.metric().description();
        case SEGMENT -> member.segment().description();
      };
    }
  }

  /** A model or view as a table. */
  record Table(String name, boolean view, String description, String dataSource,
      List<Column> columns, List<String> primaryKey) {
    Optional<Column> column(String name) {
      for (Column c : columns) {
        if (c.name().equalsIgnoreCase(name)) {
          return Optional.of(c);
        }
      }
      return Optional.empty();
    }
  }

  private record Snapshot(SemanticCatalog catalog, Map<String, Table> tables,
      Map<String, List<SqlColumn>> types) {}

  private final Supplier<SemanticCatalog> catalogs;
  private final QueryService queries;
  private volatile Snapshot snapshot;
  /** The tables every user's view is cut from: this one, or the one it was restricted from. */
  private final SemanticTables all;
  private final SecurityContext security;

  SemanticTables(Supplier<SemanticCatalog> catalogs, QueryService queries) {
    this.catalogs = catalogs;
    this.queries = queries;
    this.all = this;
    this.security = null;
  }

  private SemanticTables(SemanticTables all, SecurityContext security) {
    this.catalogs = all.catalogs;
    this.queries = all.queries;
    this.all = all;
    this.security = security;
  }

  /**
   * The tables as {@code security} sees them: without the models and views they may not see,
   * and without the columns they may not see, so that a hidden table or column is unknown in
   * exactly the way a misspelt one is. Column types are shared with the unrestricted tables.
   */
  SemanticTables as(SecurityContext security) {
    if (security == null || security.exempt()) {
      return all;
    }
    return new SemanticTables(all, security);
  }

  /** A table as this view's user sees it, or null when they may not see it. */
  private Table visible(Table t) {
    if (security == null) {
      return t;
    }
    AccessPolicy access = queries.access();
    if (t.view() ? !access.canSeeView(security, t.name())
        : !access.canSeeModel(security, t.name())) {
      return null;
    }
    List<Column> columns = t.columns().stream()
        .filter(c -> access.canSeePath(security, c.path())).toList();
    if (columns.size() == t.columns().size()) {
      return t;
    }
    List<String> names = columns.stream().map(Column::name).toList();
    return new Table(t.name(), t.view(), t.description(), t.dataSource(), columns,
        t.primaryKey().stream().filter(names::contains).toList());
  }

  private Snapshot snapshot() {
    if (all != this) {
      return all.snapshot();
    }
    SemanticCatalog current = catalogs.get();
    Snapshot s = snapshot;
    if (s == null || s.catalog() != current) {
      s = new Snapshot(current, build(current), new ConcurrentHashMap<>());
      snapshot = s;
    }
    return s;
  }

  /** The catalog the tables were built from: leaf queries compile against the same one. */
  SemanticCatalog catalog() {
    return snapshot().catalog();
  }

  List<Table> tables() {
    List<Table> out = new ArrayList<>();
    for (Table t : snapshot().tables().values()) {
      Table v = visible(t);
      if (v != null) {
        out.add(v);
      }
    }
    return List.copyOf(out);
  }

  /** A table by name, ignoring case. */
  Optional<Table> table(String name) {
    Snapshot s = snapshot();
    Table t = s.tables().get(name.toLowerCase(Locale.ROOT));
    return Optional.ofNullable(t == null ? null : visible(t));
  }

  private static Map<String, Table> build(SemanticCatalog catalog) {
    Map<String, Table> out = new LinkedHashMap<>();
    for (Model m : catalog.models()) {
      List<Column> columns = new ArrayList<>();
      for (Member member : SemanticCatalog.members(m)) {
        columns.add(new Column(member.name(), member, m.name() + "." + member.name()));
      }
      List<String> pk = m.primaryKey() == null ? List.of() : List.of(m.primaryKey());
      out.put(m.name().toLowerCase(Locale.ROOT), new Table(m.name(), false, m.description(),
          m.dataSource(), columns, pk));
    }
    for (View v : catalog.views()) {
      List<Column> columns = new ArrayList<>();
      String dataSource = null;
      for (Map.Entry<String, String> e : catalog.viewColumns(v.name()).entrySet()) {
        Optional<Member> member = catalog.resolve(e.getValue());
        if (member.isPresent()) {
          columns.add(new Column(e.getKey(), member.get(), v.name() + "." + e.getKey()));
          dataSource = dataSource == null ? member.get().model().dataSource() : dataSource;
        }
      }
      out.putIfAbsent(v.name().toLowerCase(Locale.ROOT), new Table(v.name(), true,
          v.description(), dataSource, columns, List.of()));
    }
    return out;
  }

  /** The JDBC description of each column of a table, in order. */
  List<SqlColumn> types(Table table) {
    Snapshot s = snapshot();
    Table full = s.tables().get(table.name().toLowerCase(Locale.ROOT));
    if (full == null) {
      full = table;
    }
    Table probed = full;
    List<SqlColumn> types = s.types().computeIfAbsent(table.name(), n -> all.probe(probed));
    if (full.columns().size() == table.columns().size()) {
      return types;
    }
    List<SqlColumn> out = new ArrayList<>();
    for (Column c : table.columns()) {
      out.add(types.get(full.columns().indexOf(
          full.column(c.name()).orElseThrow())));
    }
    return out;
  }

  /** The JDBC description of one column. */
  SqlColumn type(Table table, Column column) {
    List<SqlColumn> all = types(table);
    return all.get(table.columns().indexOf(column));
  }

  private List<SqlColumn> probe(Table table) {
    List<String> dims = new ArrayList<>();
    List<String> measures = new ArrayList<>();
    for (Column c : table.columns()) {
      if (c.kind() == MemberKind.DIMENSION) {
        dims.add(c.path());
      } else if (c.aggregated() && !(c.kind() == MemberKind.METRIC
          && c.member().metric().type() == io.strata.semantic.model.MetricType.CUMULATIVE)) {
        // a cumulative metric needs a time granularity: its type is the declared one
        measures.add(c.path());
      }
    }
    Map<String, Field> fields = new LinkedHashMap<>();
    try {
      fields.putAll(probe(table, dims, measures));
    } catch (RuntimeException e) {
      LOG.debug("probing the column types of semantic.{} failed: {}", table.name(), e.toString());
      try {
        fields.putAll(probe(table, dims, List.of()));
      } catch (RuntimeException again) {
        LOG.info("column types of semantic.{} are the declared ones: the warehouse could not be"
            + " asked ({})", table.name(), again.getMessage());
      }
    }
    List<SqlColumn> out = new ArrayList<>();
    for (Column c : table.columns()) {
      Field f = fields.get(c.path());
      out.add(f != null ? ArrowSqlTypes.column(c.name(), f.getType(), c.description())
          : declared(c));
    }
    return out;
  }

  private Map<String, Field> probe(Table table, List<String> dims, List<String> measures) {
    Map<String, Field> out = new LinkedHashMap<>();
    if (dims.isEmpty() && measures.isEmpty()) {
      return out;
    }
    SemanticQuery q = new SemanticQuery(measures, dims, null, null, null, null, 0, null, null);
    try (QueryCursor cursor = queries.open(new QueryRequest(q,
        "-- column types of semantic." + table.name(), SecurityContext.internal("strata"),
        "metadata"))) {
      for (Field f : cursor.schema().getFields()) {
        out.put(f.getName(), f);
      }
    }
    return out;
  }

  /** The type a member declares, when the warehouse cannot say. */
  private static SqlColumn declared(Column c) {
    String desc = c.description();
    if (c.segment()) {
      return new SqlColumn(c.name(), Types.BOOLEAN, "BOOLEAN", true, 1, 0, desc);
    }
    if (c.kind() == MemberKind.DIMENSION) {
      return switch (c.member().dimension().type()) {
        case STRING -> new SqlColumn(c.name(), Types.VARCHAR, "VARCHAR", true, 65536, 0, desc);
        case NUMBER -> new SqlColumn(c.name(), Types.DOUBLE, "DOUBLE", true, 15, 0, desc);
        case BOOLEAN -> new SqlColumn(c.name(), Types.BOOLEAN, "BOOLEAN", true, 1, 0, desc);
        case TIME -> new SqlColumn(c.name(), Types.TIMESTAMP, "TIMESTAMP", true, 26, 6, desc);
      };
    }
    Aggregation agg = c.agg();
    if (agg == Aggregation.COUNT || agg == Aggregation.COUNT_DISTINCT
        || agg == Aggregation.COUNT_DISTINCT_APPROX) {
      return new SqlColumn(c.name(), Types.BIGINT, "BIGINT", true, 19, 0, desc);
    }
    return new SqlColumn(c.name(), Types.DOUBLE, "DOUBLE", true, 15, 0, desc);
  }
}
