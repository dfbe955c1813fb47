package io.strata.semantic.model;

import java.time.Duration;

/**
 * When a model's cached results go stale: after {@code every}, or when the value of the
 * refresh-key {@code sql} changes. Used by the results cache; at most one of the two is set.
 */
public record Refresh(Duration every, String sql, Origin origin) {}
