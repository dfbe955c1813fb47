package io.strata.semantic.model;

/**
 * Where a rollup's rows live: {@link #LOCAL}, an embedded database each server keeps (the
 * default), or {@link #SOURCE}, a table in a schema of the model's own data source.
 */
public enum RollupStore {
  LOCAL, SOURCE
}
