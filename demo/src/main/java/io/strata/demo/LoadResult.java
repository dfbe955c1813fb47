package io.strata.demo;

import java.time.Duration;
import java.util.Map;

/**
 * Outcome of a load.
 *
 * @param loaded    false when {@code ensureLoaded} found the same dataset already there and did nothing
 * @param rowCounts rows written per table (empty when skipped)
 * @param elapsed   wall time, including generation
 */
public record LoadResult(boolean loaded, double scale, long seed, Map<DemoTable, Long> rowCounts, Duration elapsed) {
}
