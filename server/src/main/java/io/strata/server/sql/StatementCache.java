package io.strata.server.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.server.security.SecurityContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Statements {@link SqlService} has already parsed and translated, so that a repeated statement
 * goes straight to the query service (and from there to the results cache's key) without being
 * parsed again: parsing a semantic SELECT costs milliseconds ({@code MEASURE(x)} fails a first
 * parse and is parsed again with its reserved words quoted), translating it a little more.
 *
 * <p>What is kept, per statement text, kind of session (standard or Postgres SQL) and the user's
 * whole security context (who they are, their role and attributes, so that two users never
 * share a translation): its {@link PreparedSql} (columns and parameter count), its parsed tree
 * when it is a semantic SELECT with parameters (never handed to Calcite, whose validator
 * rewrites the trees it is given: only read, and copied by binding), its translation into a
 * semantic query for each list of parameter values it ran with, and its description (result
 * columns and parameter types, what a Postgres client's Describe asks before it binds values).
 * Only successes are kept.
 *
 * <p>Everything is dropped at once when the semantic catalog or the access policy's rules,
 * grants or attributes change (each compared by identity on every lookup, so a change made by
 * another server is seen as soon as this one reloads it), and when the data sources are
 * refreshed. Bounded (Caffeine, by entries). Thread-safe.
 */
final class StatementCache {
  /** Parameter types whose values are immutable (or are keyed by an immutable copy). */
  private static final Set<Class<?>> VALUE_TYPES = Set.of(String.class, Character.class,
      Boolean.class, Integer.class, Long.class, Short.class, Byte.class, BigInteger.class,
      BigDecimal.class, Double.class, Float.class, LocalDate.class, LocalDateTime.class,
      Instant.class, OffsetDateTime.class);

  enum Kind { PREPARED, PARSED, TRANSLATED, DESCRIBED }

  /** A bound value as a key: its type and value (a mutable date by its text and instant). */
  private record Param(Class<?> type, Object value) {}

  private record Key(Kind kind, String sql, boolean postgres, SecurityContext security,
      List<Param> params) {}

  private final long maxEntries;
  private final Supplier<SemanticCatalog> catalog;
  private final Supplier<Object> access;
  private volatile Generation generation;

  /**
   * @param maxEntries bound of the cache; 0 turns it off
   * @param catalog the current semantic catalog
   * @param access the access policy's current {@code version()}
   */
  StatementCache(long maxEntries, Supplier<SemanticCatalog> catalog, Supplier<Object> access) {
    if (maxEntries < 0) {
      throw new IllegalArgumentException("the statement cache's size must be 0 (off) or more, got "
          + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.catalog = catalog;
    this.access = access;
  }

  /**
   * The statements kept under the current catalog and access rules. A caller takes it before it
   * parses and translates, and keeps what it derived in the same one: had the catalog or the
   * rules changed meanwhile, that goes to a generation nobody looks up any more.
   */
  Generation current() {
    SemanticCatalog c = catalog.get();
    Object a = access.get();
    Generation g = generation;
    if (g == null || g.catalog != c || g.access != a) {
      synchronized (this) {
        g = generation;
        if (g == null || g.catalog != c || g.access != a) {
          g = new Generation(c, a, maxEntries);
          generation = g;
        }
      }
    }
    return g;
  }

  /** Drops everything (the data sources changed). */
  void clear() {
    synchronized (this) {
      generation = null;
    }
  }

  /** The statements kept under one catalog and one version of the access rules. */
  final class Generation {
    private final SemanticCatalog catalog;
    private final Object access;
    private final Cache<Key, Object> entries;

    private Generation(SemanticCatalog catalog, Object access, long maxEntries) {
      this.catalog = catalog;
      this.access = access;
      this.entries = maxEntries == 0 ? null
          : Caffeine.newBuilder().maximumSize(maxEntries).build();
    }

    /** What is kept for a statement, or null. */
    @SuppressWarnings("unchecked")
    <T> T get(Kind kind, String sql, boolean postgres, SecurityContext security,
        List<Object> params) {
      Key key = entries == null ? null : key(kind, sql, postgres, security, params);
      return key == null ? null : (T) entries.getIfPresent(key);
    }

    /** Keeps what was derived for a statement (nothing when its parameters cannot be keys). */
    void put(Kind kind, String sql, boolean postgres, SecurityContext security,
        List<Object> params, Object value) {
      Key key = entries == null ? null : key(kind, sql, postgres, security, params);
      if (key != null && value != null) {
        entries.put(key, value);
      }
    }

    long size() {
      return entries == null ? 0 : entries.estimatedSize();
    }
  }

  private static Key key(Kind kind, String sql, boolean postgres, SecurityContext security,
      List<Object> params) {
    if (sql == null || security == null) {
      return null;
    }
    List<Param> values = List.of();
    if (kind == Kind.TRANSLATED && params != null && !params.isEmpty()) {
      List<Param> out = new ArrayList<>(params.size());
      for (Object v : params) {
        Param p = param(v);
        if (p == null) {
          return null;
        }
        out.add(p);
      }
      values = out;
    }
    return new Key(kind, sql, postgres, security, values);
  }

  private static Param param(Object v) {
    if (v == null) {
      return new Param(null, null);
    }
    if (VALUE_TYPES.contains(v.getClass())) {
      return new Param(v.getClass(), v);
    }
    if (v instanceof java.util.Date d
        && (v.getClass() == java.util.Date.class || v.getClass() == java.sql.Date.class
            || v.getClass() == java.sql.Timestamp.class)) {
      // mutable: keyed by what binding reads of it (local date, local time to the nanosecond,
      // instant), copied
      return new Param(v.getClass(), d + "@" + d.getTime());
    }
    return null; // anything else is bound (or refused) every time
  }
}
