package io.strata.server.sql.pgcatalog;

import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.SqlTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The objects one user's Postgres catalog describes, with their OIDs: the namespaces, the
 * relations (Strata's tables and views, the primary keys' indexes, and the catalog's own
 * tables), their columns, primary keys and descriptions. Built from the tables the user may
 * query, so a table they may not see is absent from every catalog table alike.
 *
 * <p>OIDs are stable: a hash of what the object is and its name, so the OID a client cached
 * (SQLAlchemy, pgjdbc and psql look tables up by OID in a second query) still names the same
 * table in the next statement, on every server of a cluster and after a restart. The catalog's
 * own tables and namespaces keep Postgres's OIDs ({@code 'pg_class'::regclass} is 1259).
 */
final class PgModel {
  static final int PG_CATALOG_NS = 11;
  static final int SEMANTIC_NS = 2200;
  static final int INFORMATION_SCHEMA_NS = 13183;
  static final int OWNER_OID = 10;
  static final int HEAP_AM = 2;
  static final int BTREE_AM = 403;
  static final int PG_CLASS = 1259;
  static final int PG_CONSTRAINT = 2606;
  static final int PG_NAMESPACE_OID = 2615;
  private static final int FIRST_USER_OID = 16384;
  private static final Map<String, Integer> SYSTEM_OIDS = Map.ofEntries(
      Map.entry("pg_type", 1247), Map.entry("pg_attribute", 1249), Map.entry("pg_proc", 1255),
      Map.entry("pg_class", PG_CLASS), Map.entry("pg_database", 1262),
      Map.entry("pg_authid", 1260), Map.entry("pg_am", 2601), Map.entry("pg_attrdef", 2604),
      Map.entry("pg_constraint", PG_CONSTRAINT), Map.entry("pg_inherits", 2611),
      Map.entry("pg_index", 2610), Map.entry("pg_description", 2609),
      Map.entry("pg_namespace", 2615), Map.entry("pg_tablespace", 1213),
      Map.entry("pg_enum", 3501), Map.entry("pg_range", 3541));

  record Namespace(int oid, String name, String description) {}

  record Attribute(String name, int num, int type, int typmod, boolean notNull,
      String description) {}

  /**
   * A relation: {@code kind} is Postgres's relkind ({@code r} table, {@code v} view,
   * {@code i} index); an index names its table and key columns.
   */
  record Relation(int oid, String name, Namespace namespace, char kind, String description,
      List<Attribute> attributes, List<String> primaryKey, Relation indexOf, int[] keys) {}

  /** A primary key: its constraint and the index it is "enforced" by. */
  record Constraint(int oid, String name, Relation table, Relation index, int[] keys) {}

  final String user;
  final int userOid;
  final List<Namespace> namespaces = new ArrayList<>();
  final List<Relation> relations = new ArrayList<>();
  final List<Constraint> constraints = new ArrayList<>();
  private final Set<Integer> taken = new HashSet<>();
  private final Map<String, Namespace> byName = new LinkedHashMap<>();

  /**
   * @param tables the tables the user may query ({@code SqlService.tables})
   * @param system the catalog's own tables by schema, as name to columns
   */
  PgModel(String user, List<SqlTable> tables,
      Map<String, Map<String, List<SqlColumn>>> system) {
    this.user = user;
    this.userOid = user.equals(PgCatalog.OWNER) ? OWNER_OID : oid("role", user);
    namespace(PG_CATALOG_NS, PgCatalog.PG_CATALOG, "system catalog schema");
    namespace(INFORMATION_SCHEMA_NS, PgCatalog.INFORMATION_SCHEMA, null);
    namespace(SEMANTIC_NS, PgCatalog.SEMANTIC,
        "Strata's semantic models and views: dimensions, measures and metrics as columns");
    for (SqlTable t : tables) {
      String ns = schemaOf(t);
      if (!byName.containsKey(ns)) {
        namespace(oid("namespace", ns), ns, null);
      }
    }
    for (Map.Entry<String, Map<String, List<SqlColumn>>> schema : system.entrySet()) {
      Namespace ns = byName.get(schema.getKey());
      char kind = ns.oid() == PG_CATALOG_NS ? 'r' : 'v';
      for (Map.Entry<String, List<SqlColumn>> t : schema.getValue().entrySet()) {
        Integer fixed = ns.oid() == PG_CATALOG_NS ? SYSTEM_OIDS.get(t.getKey()) : null;
        int oid = fixed != null ? fixed : oid("relation", ns.name() + "." + t.getKey());
        taken.add(oid);
        relations.add(new Relation(oid, t.getKey(), ns, kind, null,
            attributes(t.getValue()), List.of(), null, null));
      }
    }
    for (SqlTable t : tables) {
      Namespace ns = byName.get(schemaOf(t));
      Relation r = new Relation(oid("relation", ns.name() + "." + t.name()), t.name(), ns,
          "VIEW".equals(t.type()) ? 'v' : 'r', t.remarks(), attributes(t.columns()),
          t.primaryKey(), null, null);
      relations.add(r);
      if (!t.primaryKey().isEmpty()) {
        int[] keys = new int[t.primaryKey().size()];
        for (int k = 0; k < keys.length; k++) {
          for (Attribute a : r.attributes()) {
            if (a.name().equalsIgnoreCase(t.primaryKey().get(k))) {
              keys[k] = a.num();
            }
          }
        }
        String name = t.name() + "_pkey";
        Relation index = new Relation(oid("relation", ns.name() + "." + name), name, ns, 'i',
            null, List.of(), List.of(), r, keys);
        relations.add(index);
        constraints.add(new Constraint(oid("constraint", ns.name() + "." + name), name, r, index,
            keys));
      }
    }
  }

  /** The namespace a table shows in: {@code semantic}, or {@code datasource.schema}. */
  static String schemaOf(SqlTable t) {
    return PgCatalog.SEMANTIC.equals(t.schema()) && PgCatalog.DATABASE.equals(t.catalog())
        ? PgCatalog.SEMANTIC : t.catalog() + "." + t.schema();
  }

  private void namespace(int oid, String name, String description) {
    taken.add(oid);
    Namespace n = new Namespace(oid, name, description);
    namespaces.add(n);
    byName.put(name, n);
  }

  private static List<Attribute> attributes(List<SqlColumn> columns) {
    List<Attribute> out = new ArrayList<>();
    int num = 1;
    for (SqlColumn c : columns) {
      PgTypes.Typed t = PgTypes.of(c);
      out.add(new Attribute(c.name(), num++, t.oid(), t.typmod(), !c.nullable(), c.remarks()));
    }
    return out;
  }

  /** A stable OID for an object: a hash of its kind and name, past Postgres's reserved range. */
  private int oid(String kind, String name) {
    CRC32 crc = new CRC32();
    crc.update((kind + ":" + name).getBytes(StandardCharsets.UTF_8));
    int span = Integer.MAX_VALUE - FIRST_USER_OID;
    int oid = FIRST_USER_OID + (int) (crc.getValue() % span);
    while (!taken.add(oid)) {
      oid = oid == Integer.MAX_VALUE ? FIRST_USER_OID : oid + 1;
    }
    return oid;
  }

  Relation relation(int oid) {
    for (Relation r : relations) {
      if (r.oid() == oid) {
        return r;
      }
    }
    return null;
  }
}
