package io.strata.acceleration.cache;

import io.strata.semantic.model.Model;
import io.strata.semantic.query.SemanticQuery;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How cache keys are made. A key hashes everything that decides a result: the data source and
 * its dialect, the warehouse SQL (compiled from the query normalised by {@link #normalise}, so
 * whitespace, aliases and the order of filters do not matter), bound parameters, the version of
 * every model the SQL reads, the row-level security context, the refresh-key values, and the
 * generation counters that invalidation bumps.
 */
public final class CacheKeys {
  private CacheKeys() {}

  /**
   * What the server knows about a query when it asks the cache.
   *
   * @param modelVersions the models the SQL reads, each with {@link #modelVersion(Model)}
   * @param securityContext the row-level security context the SQL was compiled under ("" for
   *     none)
   * @param refreshKeys each refresh-key SQL the models name, with its current value
   */
  public record Parts(String dataSource, String dialect, String sql, List<?> parameters,
      Map<String, String> modelVersions, String securityContext, Map<String, String> refreshKeys) {
    public Parts {
      parameters = parameters == null ? List.of() : new ArrayList<>(parameters);
      modelVersions = new TreeMap<>(modelVersions == null ? Map.of() : modelVersions);
      refreshKeys = new TreeMap<>(refreshKeys == null ? Map.of() : refreshKeys);
      securityContext = securityContext == null ? "" : securityContext;
    }

    /** The refresh-key values as one string (null when there are none). */
    public String sourceVersion() {
      return refreshKeys.isEmpty() ? null : refreshKeys.values().toString();
    }
  }

  /**
   * The query with its filters and segments in a canonical order: they are ANDed, so the order
   * in which a client wrote them does not change the result. Measures, dimensions and order stay
   * as asked: they shape the result.
   */
  public static SemanticQuery normalise(SemanticQuery q) {
    if (q.filters().size() < 2 && q.segments().size() < 2) {
      return q;
    }
    var filters = new ArrayList<>(q.filters());
    filters.sort(Comparator.comparing(Object::toString));
    var segments = new ArrayList<>(q.segments());
    segments.sort(Comparator.naturalOrder());
    return new SemanticQuery(q.measures(), q.dimensions(), q.timeDimensions(), filters, segments,
        q.order(), q.limit(), q.offset(), q.timezone());
  }

  /** A model's version: a hash of its whole definition, so any change gives a new one. */
  public static String modelVersion(Model model) {
    return sha256(model.toString()).substring(0, 16);
  }

  /**
   * The part of a key that does not change while the query's compilation stays the same: data
   * source, dialect, SQL, parameters, model versions and security context, hashed once. The
   * server keeps it with the compiled query, so that a repeated query's key costs a hash of a
   * few dozen bytes (the stem, the refresh-key values, the generations), or nothing while those
   * have not changed (see {@link ResultCache#key(Stem, Map)}).
   */
  public static final class Stem {
    private final String digest;
    private final String dataSource;
    private final List<String> models;
    private final String sqlHash;
    /**
     * The last key made from this stem: valid for the same cache while its generations and the
     * refresh keys are those it was made under.
     */
    private volatile Memo memo;

    private record Memo(Object cache, long epoch, Map<String, String> refreshKeys, CacheKey key) {}

    private Stem(String digest, String dataSource, List<String> models, String sqlHash) {
      this.digest = digest;
      this.dataSource = dataSource;
      this.models = List.copyOf(models);
      this.sqlHash = sqlHash;
    }

    public String dataSource() {
      return dataSource;
    }

    /** The models the SQL reads, in order. */
    public List<String> models() {
      return models;
    }

    CacheKey memo(Object cache, long epoch, Map<String, String> refreshKeys) {
      Memo m = memo;
      return m != null && m.cache() == cache && m.epoch() == epoch
          && m.refreshKeys().equals(refreshKeys) ? m.key() : null;
    }

    void memo(Object cache, long epoch, Map<String, String> refreshKeys, CacheKey key) {
      memo = new Memo(cache, epoch, Map.copyOf(refreshKeys), key);
    }
  }

  /** The stem of a query's key: everything of {@code p} but its refresh-key values. */
  public static Stem stem(Parts p) {
    // every variable-length part is written with its length, so no value (a client's parameter,
    // a security context) can imitate a separator and make two different keys hash the same
    StringBuilder s = new StringBuilder(p.sql().length() + 256);
    s.append("v3\u0000");
    field(s, p.dataSource());
    field(s, p.dialect());
    field(s, p.sql());
    s.append("params\u0000").append(p.parameters().size()).append('\u0000');
    for (Object param : p.parameters()) {
      field(s, param == null ? null : param.getClass().getSimpleName() + ":" + param);
    }
    s.append("models\u0000").append(p.modelVersions().size()).append('\u0000');
    p.modelVersions().forEach((m, v) -> field(field(s, m), v));
    s.append("rls\u0000");
    field(s, p.securityContext());
    return new Stem(sha256(s.toString()), p.dataSource(),
        List.copyOf(p.modelVersions().keySet()), sha256(p.sql()));
  }

  /** The key of a query's result under the given generation counters. */
  static CacheKey key(Parts p, long allGeneration, Map<String, Long> generations) {
    return key(stem(p), p.refreshKeys(), allGeneration, generations);
  }

  /**
   * The key of a stem under refresh-key values and generation counters: a hash of the stem's
   * digest and those values, so it separates everything the stem does.
   */
  static CacheKey key(Stem stem, Map<String, String> refreshKeys, long allGeneration,
      Map<String, Long> generations) {
    StringBuilder s = new StringBuilder(160);
    s.append(stem.digest).append('\u0000');
    s.append("refresh\u0000").append(refreshKeys.size()).append('\u0000');
    new TreeMap<>(refreshKeys).forEach((k, v) -> field(field(s, k), v));
    s.append("gen\u0000").append(allGeneration).append('\u0000');
    new TreeMap<>(generations).forEach((k, v) -> field(s, k).append(v).append('\u0000'));
    return new CacheKey(sha256(s.toString()), stem.dataSource, stem.models, stem.sqlHash);
  }

  private static StringBuilder field(StringBuilder s, String value) {
    return value == null
        ? s.append("-1\u0000")
        : s.append(value.length()).append('\u0000').append(value).append('\u0000');
  }

  static String sha256(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
