package io.strata.server.sql.pgcatalog;

import io.strata.server.sql.SqlColumn;
import io.strata.server.sql.pgcatalog.PgModel.Attribute;
import io.strata.server.sql.pgcatalog.PgModel.Constraint;
import io.strata.server.sql.pgcatalog.PgModel.Namespace;
import io.strata.server.sql.pgcatalog.PgModel.Relation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.ScannableTable;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The tables of {@code pg_catalog} and {@code information_schema}: each a column list (the
 * columns introspection queries read, in Postgres's order) and its rows computed from a
 * {@link PgModel}. Scannable only: Calcite filters and joins them, and they are small.
 */
final class PgTables {
  /** A column of a catalog table. */
  record Col(String name, SqlTypeName type) {}

  /** A catalog table's columns and rows. */
  record Def(String name, List<Col> columns, Function<PgModel, List<Object[]>> rows) {}

  static final Map<String, Def> PG_CATALOG = new LinkedHashMap<>();
  static final Map<String, Def> INFORMATION_SCHEMA = new LinkedHashMap<>();
  /**
   * Helper tables the rewritten statements read ({@code pg_get_indexdef} and
   * {@code pg_get_constraintdef} become subqueries of these); not listed in {@code pg_class}.
   */
  static final Map<String, Def> HIDDEN = new LinkedHashMap<>();
  static final String INDEXDEF = "strata$indexdef";
  static final String CONSTRAINTDEF = "strata$constraintdef";
  /** {@code generate_series(a, b)} in a FROM clause reads its rows from here. */
  static final String INTEGERS = "strata$integers";
  static final int INTEGERS_MAX = 4096;
  /** {@code pg_get_keywords()}: the words pgjdbc's getSQLKeywords lists. */
  static final String KEYWORDS = "strata$keywords";
  /** 1..32 (max_index_keys): the positions in an int2vector, for set-returning rewrites. */
  static final String SERIES = "strata$series";

  private PgTables() {}

  /**
   * Columns as "name type, ...": I integer, T text, B boolean, F real, L bigint, Z timestamp.
   */
  private static List<Col> columns(String spec) {
    List<Col> out = new ArrayList<>();
    for (String c : spec.split(",")) {
      String[] p = c.trim().split("\\s+");
      SqlTypeName t = switch (p[1]) {
        case "I" -> SqlTypeName.INTEGER;
        case "T" -> SqlTypeName.VARCHAR;
        case "B" -> SqlTypeName.BOOLEAN;
        case "F" -> SqlTypeName.REAL;
        case "L" -> SqlTypeName.BIGINT;
        case "Z" -> SqlTypeName.TIMESTAMP;
        default -> throw new IllegalArgumentException(c);
      };
      out.add(new Col(p[0], t));
    }
    return List.copyOf(out);
  }

  private static void pg(String name, String spec, Function<PgModel, List<Object[]>> rows) {
    PG_CATALOG.put(name, new Def(name, columns(spec), rows));
  }

  private static void info(String name, String spec, Function<PgModel, List<Object[]>> rows) {
    INFORMATION_SCHEMA.put(name, new Def(name, columns(spec), rows));
  }

  private static Function<PgModel, List<Object[]>> none() {
    return m -> List.of();
  }

  private static Object[] row(Object... values) {
    return values;
  }

  /** A relation's columns as SQL sees them, for the catalog's own tables. */
  static List<SqlColumn> sqlColumns(Def d) {
    List<SqlColumn> out = new ArrayList<>();
    for (Col c : d.columns()) {
      out.add(new SqlColumn(c.name(), c.type().getJdbcOrdinal(), c.type().getName(), true, 0, 0,
          null));
    }
    return out;
  }

  /** An int2vector's text form ({@code indkey}: "1 2"). */
  private static String vector(int[] keys) {
    StringBuilder b = new StringBuilder();
    for (int k : keys) {
      b.append(b.length() == 0 ? "" : " ").append(k);
    }
    return b.toString();
  }

  /** An int2[]'s text form ({@code conkey}: "{1,2}"). */
  private static String array(int[] keys) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < keys.length; i++) {
      b.append(i == 0 ? "" : ",").append(keys[i]);
    }
    return b.append('}').toString();
  }

  /** The receive function of each type ({@code pg_type.typreceive}) by name, with its OID. */
  private static final Map<String, Integer> RECEIVE = receiveFunctions();

  private static Map<String, Integer> receiveFunctions() {
    Map<String, Integer> out = new LinkedHashMap<>();
    int oid = 9500;
    for (PgTypes.PgType t : PgTypes.ALL.values()) {
      String name = receiveName(t);
      if (!out.containsKey(name)) {
        out.put(name, oid++);
      }
    }
    return out;
  }

  private static String receiveName(PgTypes.PgType t) {
    return t.name().startsWith("_") ? "array_recv" : t.name() + "recv";
  }

  private static int receiveOid(PgTypes.PgType t) {
    return RECEIVE.get(receiveName(t));
  }

  private static boolean user(Relation r) {
    return r.namespace().oid() != PgModel.PG_CATALOG_NS
        && r.namespace().oid() != PgModel.INFORMATION_SCHEMA_NS;
  }

  private static String sqlType(Attribute a) {
    return PgTypes.formatType(a.type(), -1);
  }

  static {
    pg("pg_namespace", "oid I, nspname T, nspowner I, nspacl T", m -> {
      List<Object[]> out = new ArrayList<>();
      for (Namespace n : m.namespaces) {
        out.add(row(n.oid(), n.name(), PgModel.OWNER_OID, null));
      }
      return out;
    });
    pg("pg_class", "oid I, relname T, relnamespace I, reltype I, reloftype I, relowner I,"
        + " relam I, relfilenode I, reltablespace I, relpages I, reltuples F, relallvisible I,"
        + " reltoastrelid I, relhasindex B, relisshared B, relpersistence T, relkind T,"
        + " relnatts I, relchecks I, relhasrules B, relhastriggers B, relhassubclass B,"
        + " relrowsecurity B, relforcerowsecurity B, relispopulated B, relreplident T,"
        + " relispartition B, relrewrite I, relfrozenxid I, relminmxid I, relacl T,"
        + " reloptions T, relpartbound T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Relation r : m.relations) {
            boolean index = r.kind() == 'i';
            out.add(row(r.oid(), r.name(), r.namespace().oid(), 0, 0, PgModel.OWNER_OID,
                index ? PgModel.BTREE_AM : r.kind() == 'r' ? PgModel.HEAP_AM : 0, 0, 0, 0,
                -1f, 0, 0, !r.primaryKey().isEmpty(), false, "p", String.valueOf(r.kind()),
                index ? r.keys().length : r.attributes().size(), 0, false, false, false,
                false, false, true, "d", false, 0, 0, 0, null, null, null));
          }
          return out;
        });
    pg("pg_attribute", "attrelid I, attname T, atttypid I, attstattarget I, attlen I,"
        + " attnum I, attndims I, attcacheoff I, atttypmod I, attbyval B, attstorage T,"
        + " attalign T, attnotnull B, atthasdef B, atthasmissing B, attidentity T,"
        + " attgenerated T, attisdropped B, attislocal B, attinhcount I, attcollation I,"
        + " attacl T, attoptions T, attfdwoptions T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Relation r : m.relations) {
            List<Attribute> atts = r.attributes();
            if (r.kind() == 'i') {
              atts = new ArrayList<>();
              for (int k : r.keys()) {
                Attribute a = r.indexOf().attributes().get(k - 1);
                atts.add(new Attribute(a.name(), atts.size() + 1, a.type(), a.typmod(), true,
                    null));
              }
            }
            for (Attribute a : atts) {
              int len = PgTypes.length(a.type());
              boolean text = a.type() == PgTypes.VARCHAR || a.type() == PgTypes.BPCHAR
                  || a.type() == PgTypes.TEXT;
              out.add(row(r.oid(), a.name(), a.type(), -1, len, a.num(), 0, -1, a.typmod(),
                  len > 0 && len <= 8, len > 0 ? "p" : "x", len == 8 ? "d" : "i", a.notNull(),
                  false, false, "", "", false, true, 0, text ? 100 : 0, null, null, null));
            }
          }
          return out;
        });
    pg("pg_type", "oid I, typname T, typnamespace I, typowner I, typlen I, typbyval B,"
        + " typtype T, typcategory T, typispreferred B, typisdefined B, typdelim T,"
        + " typrelid I, typsubscript T, typelem I, typarray I, typinput T, typoutput T,"
        + " typreceive I, typsend T, typmodin T, typmodout T, typanalyze T, typalign T,"
        + " typstorage T, typnotnull B, typbasetype I, typtypmod I, typndims I,"
        + " typcollation I, typdefaultbin T, typdefault T, typacl T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (PgTypes.PgType t : PgTypes.ALL.values()) {
            boolean array = t.name().startsWith("_");
            String io = array ? "array" : t.name();
            boolean text = t.oid() == PgTypes.VARCHAR || t.oid() == PgTypes.BPCHAR
                || t.oid() == PgTypes.TEXT || t.oid() == PgTypes.NAME;
            out.add(row(t.oid(), t.name(), PgModel.PG_CATALOG_NS, PgModel.OWNER_OID, t.length(),
                t.length() > 0 && t.length() <= 8, "b", t.category(), false, true, ",", 0,
                array ? "array_subscript_handler" : "-", t.element(), t.array(), io + "in",
                io + "out", receiveOid(t), io + "send", "-", "-", "-",
                t.length() == 8 ? "d" : "i", t.length() > 0 ? "p" : "x", false, 0, -1, 0,
                text ? 100 : 0, null, null, null));
          }
          return out;
        });
    pg("pg_proc", "oid I, proname T, pronamespace I, proowner I, prolang I, procost F,"
        + " prorows F, provariadic I, prosupport T, prokind T, prosecdef B, proleakproof B,"
        + " proisstrict B, proretset B, provolatile T, proparallel T, pronargs I,"
        + " pronargdefaults I, prorettype I, proargtypes T, proallargtypes T, proargmodes T,"
        + " proargnames T, proargdefaults T, protrftypes T, prosrc T, probin T,"
        + " prosqlbody T, proconfig T, proacl T", m -> {
          List<Object[]> out = new ArrayList<>();
          int oid = 9000; // Postgres's built-in functions have fixed OIDs below 16384 as well
          for (PgFunctions.Signature f : PgFunctions.SIGNATURES) {
            out.add(row(oid++, f.name(), PgModel.PG_CATALOG_NS, PgModel.OWNER_OID, 12, 1f, 0f,
                0, "-", "f", false, false, true, false, "s", "s", f.arguments().length, 0,
                f.returns(), vector(f.arguments()), null, null, null, null, null, f.name(),
                null, null, null, null));
          }
          // the types' binary receive functions, which Npgsql's type loading joins pg_type to
          // (pg_proc.oid = typreceive) and tells arrays by (proname = 'array_recv')
          for (Map.Entry<String, Integer> r : RECEIVE.entrySet()) {
            out.add(row(r.getValue(), r.getKey(), PgModel.PG_CATALOG_NS, PgModel.OWNER_OID, 12,
                1f, 0f, 0, "-", "f", false, false, true, false, "i", "s", 3, 0, PgTypes.OID,
                "2281 26 23", null, null, null, null, null, r.getKey(), null, null, null, null));
          }
          return out;
        });
    pg("pg_database", "oid I, datname T, datdba I, encoding I, datlocprovider T,"
        + " datistemplate B, datallowconn B, datconnlimit I, datfrozenxid I, datminmxid I,"
        + " dattablespace I, datcollate T, datctype T, daticulocale T, datcollversion T,"
        + " datacl T", m -> List.<Object[]>of(row(PgCatalog.DATABASE_OID, PgCatalog.DATABASE,
            PgModel.OWNER_OID, 6, "c", false, true, -1, 0, 1, 1663, "C.UTF-8", "C.UTF-8", null,
            null, null)));
    pg("pg_index", "indexrelid I, indrelid I, indnatts I, indnkeyatts I, indisunique B,"
        + " indnullsnotdistinct B, indisprimary B, indisexclusion B, indimmediate B,"
        + " indisclustered B, indisvalid B, indcheckxmin B, indisready B, indislive B,"
        + " indisreplident B, indkey T, indcollation T, indclass T, indoption T,"
        + " indexprs T, indpred T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Constraint c : m.constraints) {
            int[] zeros = new int[c.keys().length];
            out.add(row(c.index().oid(), c.table().oid(), c.keys().length, c.keys().length,
                true, false, true, false, true, false, true, false, true, true, false,
                vector(c.keys()), vector(zeros), vector(zeros), vector(zeros), null, null));
          }
          return out;
        });
    pg("pg_constraint", "oid I, conname T, connamespace I, contype T, condeferrable B,"
        + " condeferred B, convalidated B, conrelid I, contypid I, conindid I,"
        + " conparentid I, confrelid I, confupdtype T, confdeltype T, confmatchtype T,"
        + " conislocal B, coninhcount I, connoinherit B, conkey T, confkey T, conpfeqop T,"
        + " conppeqop T, conffeqop T, confdelsetcols T, conexclop T, conbin T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Constraint c : m.constraints) {
            out.add(row(c.oid(), c.name(), c.table().namespace().oid(), "p", false, false,
                true, c.table().oid(), 0, c.index().oid(), 0, 0, " ", " ", " ", true, 0, true,
                array(c.keys()), null, null, null, null, null, null, null));
          }
          return out;
        });
    pg("pg_description", "objoid I, classoid I, objsubid I, description T", m -> {
      List<Object[]> out = new ArrayList<>();
      for (Namespace n : m.namespaces) {
        if (n.description() != null) {
          out.add(row(n.oid(), PgModel.PG_NAMESPACE_OID, 0, n.description()));
        }
      }
      for (Relation r : m.relations) {
        if (r.description() != null) {
          out.add(row(r.oid(), PgModel.PG_CLASS, 0, r.description()));
        }
        for (Attribute a : r.kind() == 'i' ? List.<Attribute>of() : r.attributes()) {
          if (a.description() != null) {
            out.add(row(r.oid(), PgModel.PG_CLASS, a.num(), a.description()));
          }
        }
      }
      return out;
    });
    pg("pg_settings", "name T, setting T, unit T, category T, short_desc T, extra_desc T,"
        + " context T, vartype T, source T, min_val T, max_val T, enumvals T, boot_val T,"
        + " reset_val T, sourcefile T, sourceline I, pending_restart B", m -> {
          List<Object[]> out = new ArrayList<>();
          PgCatalog.SETTINGS.forEach((name, value) -> out.add(row(name, value, null,
              "Strata", null, null, "internal", "string", "default", null, null, null, value,
              value, null, null, false)));
          return out;
        });
    pg("pg_am", "oid I, amname T, amhandler T, amtype T", m -> List.of(
        row(PgModel.HEAP_AM, "heap", "heap_tableam_handler", "t"),
        row(PgModel.BTREE_AM, "btree", "bthandler", "i")));
    pg("pg_range", "rngtypid I, rngsubtype I, rngmultitypid I, rngcollation I, rngsubopc I,"
        + " rngcanonical T, rngsubdiff T", none());
    pg("pg_enum", "oid I, enumtypid I, enumsortorder F, enumlabel T", none());
    pg("pg_roles", "rolname T, rolsuper B, rolinherit B, rolcreaterole B, rolcreatedb B,"
        + " rolcanlogin B, rolreplication B, rolconnlimit I, rolpassword T, rolvaliduntil Z,"
        + " rolbypassrls B, rolconfig T, oid I", m -> roles(m, false));
    pg("pg_user", "usename T, usesysid I, usecreatedb B, usesuper B, userepl B,"
        + " usebypassrls B, passwd T, valuntil Z, useconfig T", m -> roles(m, true));
    pg("pg_tablespace", "oid I, spcname T, spcowner I, spcacl T, spcoptions T", m -> List.of(
        row(1663, "pg_default", PgModel.OWNER_OID, null, null),
        row(1664, "pg_global", PgModel.OWNER_OID, null, null)));
    pg("pg_attrdef", "oid I, adrelid I, adnum I, adbin T", none());
    pg("pg_inherits", "inhrelid I, inhparent I, inhseqno I, inhdetachpending B", none());
    pg("pg_collation", "oid I, collname T, collnamespace I, collowner I, collprovider T,"
        + " collisdeterministic B, collencoding I, collcollate T, collctype T", m -> List.<Object[]>of(
            row(100, "default", PgModel.PG_CATALOG_NS, PgModel.OWNER_OID, "d", true, -1, null,
                null)));
    pg("pg_sequence", "seqrelid I, seqtypid I, seqstart L, seqincrement L, seqmax L,"
        + " seqmin L, seqcache L, seqcycle B", none());
    pg("pg_policy", "oid I, polname T, polrelid I, polcmd T, polpermissive B, polroles T,"
        + " polqual T, polwithcheck T", none());
    pg("pg_trigger", "oid I, tgrelid I, tgparentid I, tgname T, tgfoid I, tgtype I,"
        + " tgenabled T, tgisinternal B", none());
    pg("pg_rewrite", "oid I, rulename T, ev_class I, ev_type T, ev_enabled T, is_instead B",
        none());
    pg("pg_extension", "oid I, extname T, extowner I, extnamespace I, extrelocatable B,"
        + " extversion T", none());
    pg("pg_depend", "classid I, objid I, objsubid I, refclassid I, refobjid I,"
        + " refobjsubid I, deptype T", none());
    // what psql's \d reads besides the table, its columns and indexes
    pg("pg_statistic_ext", "oid I, stxrelid I, stxname T, stxnamespace I, stxowner I,"
        + " stxstattarget I, stxkeys T, stxkind T", none());
    pg("pg_publication", "oid I, pubname T, pubowner I, puballtables B, pubinsert B,"
        + " pubupdate B, pubdelete B, pubtruncate B, pubviaroot B", none());
    pg("pg_publication_rel", "oid I, prpubid I, prrelid I, prqual T, prattrs T", none());
    pg("pg_publication_namespace", "oid I, pnpubid I, pnnspid I", none());
    pg("pg_foreign_table", "ftrelid I, ftserver I, ftoptions T", none());
    pg("pg_matviews", "schemaname T, matviewname T, matviewowner T, tablespace T,"
        + " hasindexes B, ispopulated B, definition T", none());
    pg("pg_tables", "schemaname T, tablename T, tableowner T, tablespace T, hasindexes B,"
        + " hasrules B, hastriggers B, rowsecurity B", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Relation r : m.relations) {
            if (r.kind() == 'r') {
              out.add(row(r.namespace().name(), r.name(), PgCatalog.OWNER, null,
                  !r.primaryKey().isEmpty(), false, false, false));
            }
          }
          return out;
        });
    pg("pg_views", "schemaname T, viewname T, viewowner T, definition T", m -> {
      List<Object[]> out = new ArrayList<>();
      for (Relation r : m.relations) {
        if (r.kind() == 'v') {
          out.add(row(r.namespace().name(), r.name(), PgCatalog.OWNER, null));
        }
      }
      return out;
    });

    info("schemata", "catalog_name T, schema_name T, schema_owner T,"
        + " default_character_set_catalog T, default_character_set_schema T,"
        + " default_character_set_name T, sql_path T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Namespace n : m.namespaces) {
            out.add(row(PgCatalog.DATABASE, n.name(), PgCatalog.OWNER, null, null, null, null));
          }
          return out;
        });
    info("tables", "table_catalog T, table_schema T, table_name T, table_type T,"
        + " self_referencing_column_name T, reference_generation T,"
        + " user_defined_type_catalog T, user_defined_type_schema T,"
        + " user_defined_type_name T, is_insertable_into T, is_typed T, commit_action T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Relation r : m.relations) {
            if (r.kind() == 'r' || r.kind() == 'v') {
              out.add(row(PgCatalog.DATABASE, r.namespace().name(), r.name(),
                  r.kind() == 'v' ? "VIEW" : "BASE TABLE", null, null, null, null, null, "NO",
                  "NO", null));
            }
          }
          return out;
        });
    info("columns", "table_catalog T, table_schema T, table_name T, column_name T,"
        + " ordinal_position I, column_default T, is_nullable T, data_type T,"
        + " character_maximum_length I, character_octet_length I, numeric_precision I,"
        + " numeric_precision_radix I, numeric_scale I, datetime_precision I,"
        + " interval_type T, interval_precision I, character_set_catalog T,"
        + " character_set_schema T, character_set_name T, collation_catalog T,"
        + " collation_schema T, collation_name T, domain_catalog T, domain_schema T,"
        + " domain_name T, udt_catalog T, udt_schema T, udt_name T, scope_catalog T,"
        + " scope_schema T, scope_name T, maximum_cardinality I, dtd_identifier T,"
        + " is_self_referencing T, is_identity T, identity_generation T, identity_start T,"
        + " identity_increment T, identity_maximum T, identity_minimum T, identity_cycle T,"
        + " is_generated T, generation_expression T, is_updatable T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Relation r : m.relations) {
            if (r.kind() != 'r' && r.kind() != 'v') {
              continue;
            }
            for (Attribute a : r.attributes()) {
              Integer length = a.typmod() >= 4 && (a.type() == PgTypes.VARCHAR
                  || a.type() == PgTypes.BPCHAR) ? Integer.valueOf(a.typmod() - 4) : null;
              Integer precision = switch (a.type()) {
                case PgTypes.INT2 -> 16;
                case PgTypes.INT4 -> 32;
                case PgTypes.INT8 -> 64;
                case PgTypes.FLOAT4 -> 24;
                case PgTypes.FLOAT8 -> 53;
                case PgTypes.NUMERIC -> a.typmod() >= 4
                    ? Integer.valueOf(((a.typmod() - 4) >> 16) & 0xffff) : null;
                default -> null;
              };
              Integer radix = precision == null ? null
                  : Integer.valueOf(a.type() == PgTypes.NUMERIC ? 10 : 2);
              Integer scale = null;
              if (a.type() == PgTypes.NUMERIC && a.typmod() >= 4) {
                scale = (a.typmod() - 4) & 0xffff;
              } else if (a.type() == PgTypes.INT2 || a.type() == PgTypes.INT4
                  || a.type() == PgTypes.INT8) {
                scale = 0;
              }
              Integer datetime = null;
              if (a.type() == PgTypes.TIMESTAMP || a.type() == PgTypes.TIME
                  || a.type() == PgTypes.TIMESTAMPTZ) {
                datetime = 6;
              } else if (a.type() == PgTypes.DATE) {
                datetime = 0;
              }
              out.add(row(PgCatalog.DATABASE, r.namespace().name(), r.name(), a.name(),
                  a.num(), null, a.notNull() ? "NO" : "YES", sqlType(a), length,
                  length == null ? null : Integer.valueOf(length * 4), precision, radix, scale, datetime, null,
                  null, null, null, null, null, null, null, null, null, null,
                  PgCatalog.DATABASE, PgCatalog.PG_CATALOG, PgTypes.ALL.get(a.type()).name(),
                  null, null, null, null, String.valueOf(a.num()), "NO", "NO", null, null, null,
                  null, null, "NO", "NEVER", null, "NO"));
            }
          }
          return out;
        });
    info("views", "table_catalog T, table_schema T, table_name T, view_definition T,"
        + " check_option T, is_updatable T, is_insertable_into T, is_trigger_updatable T,"
        + " is_trigger_deletable T, is_trigger_insertable_into T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Relation r : m.relations) {
            if (r.kind() == 'v' && user(r)) {
              out.add(row(PgCatalog.DATABASE, r.namespace().name(), r.name(), null, "NONE",
                  "NO", "NO", "NO", "NO", "NO"));
            }
          }
          return out;
        });
    info("table_constraints", "constraint_catalog T, constraint_schema T,"
        + " constraint_name T, table_catalog T, table_schema T, table_name T,"
        + " constraint_type T, is_deferrable T, initially_deferred T, enforced T,"
        + " nulls_distinct T", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Constraint c : m.constraints) {
            String ns = c.table().namespace().name();
            out.add(row(PgCatalog.DATABASE, ns, c.name(), PgCatalog.DATABASE, ns,
                c.table().name(), "PRIMARY KEY", "NO", "NO", "YES", null));
          }
          return out;
        });
    info("key_column_usage", "constraint_catalog T, constraint_schema T, constraint_name T,"
        + " table_catalog T, table_schema T, table_name T, column_name T,"
        + " ordinal_position I, position_in_unique_constraint I", m -> {
          List<Object[]> out = new ArrayList<>();
          for (Constraint c : m.constraints) {
            String ns = c.table().namespace().name();
            for (int k = 0; k < c.keys().length; k++) {
              out.add(row(PgCatalog.DATABASE, ns, c.name(), PgCatalog.DATABASE, ns,
                  c.table().name(), c.table().attributes().get(c.keys()[k] - 1).name(), k + 1,
                  null));
            }
          }
          return out;
        });
    info("constraint_column_usage", "table_catalog T, table_schema T, table_name T,"
        + " column_name T, constraint_catalog T, constraint_schema T, constraint_name T",
        m -> {
          List<Object[]> out = new ArrayList<>();
          for (Constraint c : m.constraints) {
            String ns = c.table().namespace().name();
            for (int k : c.keys()) {
              out.add(row(PgCatalog.DATABASE, ns, c.table().name(),
                  c.table().attributes().get(k - 1).name(), PgCatalog.DATABASE, ns, c.name()));
            }
          }
          return out;
        });
    info("referential_constraints", "constraint_catalog T, constraint_schema T,"
        + " constraint_name T, unique_constraint_catalog T, unique_constraint_schema T,"
        + " unique_constraint_name T, match_option T, update_rule T, delete_rule T", none());
    info("routines", "specific_catalog T, specific_schema T, specific_name T,"
        + " routine_catalog T, routine_schema T, routine_name T, routine_type T,"
        + " data_type T, routine_definition T, external_language T", none());

    HIDDEN.put(SERIES, new Def(SERIES, columns("i I"), m -> {
      List<Object[]> out = new ArrayList<>();
      for (int i = 1; i <= 32; i++) {
        out.add(row(i));
      }
      return out;
    }));
    HIDDEN.put(INTEGERS, new Def(INTEGERS, columns("i I"), m -> {
      List<Object[]> out = new ArrayList<>();
      for (int i = 0; i <= INTEGERS_MAX; i++) {
        out.add(row(i));
      }
      return out;
    }));
    // Postgres's keywords that are not SQL:2003's (what getSQLKeywords answers): the ones
    // Strata's Postgres SQL reads
    HIDDEN.put(KEYWORDS, new Def(KEYWORDS, columns("word T, catcode T, catdesc T"), m -> {
      List<Object[]> out = new ArrayList<>();
      for (String w : List.of("analyse", "analyze", "ilike", "isnull", "limit", "notnull",
          "offset", "placing", "returning", "verbose")) {
        out.add(row(w, "R", "reserved"));
      }
      return out;
    }));
    HIDDEN.put(INDEXDEF, new Def(INDEXDEF, columns("indexrelid I, col I, def T"),
        PgTables::indexDefs));
    HIDDEN.put(CONSTRAINTDEF, new Def(CONSTRAINTDEF, columns("oid I, def T"), m -> {
      List<Object[]> out = new ArrayList<>();
      for (Constraint c : m.constraints) {
        StringBuilder names = new StringBuilder();
        for (int k = 0; k < c.keys().length; k++) {
          names.append(k == 0 ? "" : ", ")
              .append(quote(c.table().attributes().get(c.keys()[k] - 1).name()));
        }
        out.add(row(c.oid(), "PRIMARY KEY (" + names + ")"));
      }
      return out;
    }));
  }

  /** A name as Postgres's deparser writes it: quoted unless lower-case letters and digits. */
  /** {@code pg_get_indexdef(index, col)}: (index oid, column 1.. or 0 for all, definition). */
  static List<Object[]> indexDefs(PgModel m) {
    List<Object[]> out = new ArrayList<>();
    for (Constraint c : m.constraints) {
      StringBuilder names = new StringBuilder();
      for (int k = 0; k < c.keys().length; k++) {
        String name = c.table().attributes().get(c.keys()[k] - 1).name();
        names.append(k == 0 ? "" : ", ").append(quote(name));
        out.add(row(c.index().oid(), k + 1, quote(name)));
      }
      out.add(row(c.index().oid(), 0, "CREATE UNIQUE INDEX " + quote(c.name()) + " ON "
          + quote(c.table().namespace().name()) + "." + quote(c.table().name())
          + " USING btree (" + names + ")"));
    }
    return out;
  }

  static String quote(String name) {
    return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static List<Object[]> roles(PgModel m, boolean users) {
    List<Object[]> out = new ArrayList<>();
    for (String name : m.user.equals(PgCatalog.OWNER) ? List.of(PgCatalog.OWNER)
        : List.of(PgCatalog.OWNER, m.user)) {
      int oid = name.equals(PgCatalog.OWNER) ? PgModel.OWNER_OID : m.userOid;
      boolean owner = oid == PgModel.OWNER_OID;
      out.add(users
          ? row(name, oid, false, owner, false, false, "********", null, null)
          : row(name, owner, true, false, false, !owner, false, -1, "********", null, false,
              null, oid));
    }
    return out;
  }

  /** A catalog table over the model's rows, computed once per statement on first scan. */
  static Table table(Def def, Supplier<PgModel> model) {
    return new CatalogTable(def, model);
  }

  private static final class CatalogTable extends AbstractTable implements ScannableTable {
    private final Def def;
    private final Supplier<PgModel> model;

    CatalogTable(Def def, Supplier<PgModel> model) {
      this.def = def;
      this.model = model;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory f) {
      RelDataTypeFactory.Builder b = f.builder();
      for (Col c : def.columns()) {
        b.add(c.name(), f.createTypeWithNullability(f.createSqlType(c.type()), true));
      }
      return b.build();
    }

    @Override
    public Enumerable<Object[]> scan(DataContext root) {
      return Linq4j.asEnumerable(def.rows().apply(model.get()));
    }
  }
}
