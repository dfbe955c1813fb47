package io.strata.acceleration.rollup;

import io.strata.semantic.model.Rollup;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.query.SemanticQuery;
import java.time.ZoneId;
import java.util.List;

/**
 * The physical shape of one rollup and the semantic query whose result is its table.
 *
 * <p>{@code baseQuery} asks for every stored column: the rollup's dimensions, its time
 * dimension at its granularity, each measure as its additive parts, its segments, in its time
 * zone; it has no date range ({@link Rollups#buildQuery} adds a partition's). It must be
 * compiled against {@code catalog}, not the model catalog: {@code catalog} is the model catalog
 * plus the synthetic part measures (such as the sum and count of an avg) the query names. The
 * compiled columns are, by position, {@code columns}.
 */
public record RollupLayout(String model, Rollup rollup, List<RollupColumn> columns,
    SemanticQuery baseQuery, SemanticCatalog catalog) {

  public RollupLayout {
    columns = List.copyOf(columns);
  }

  /** {@code model.rollup}, as messages and the REST API name it. */
  public String id() {
    return model + "." + rollup.name();
  }

  /** The zone the rollup's time column is truncated in. */
  public ZoneId zone() {
    return Rollups.zone(rollup.timezone());
  }
}
