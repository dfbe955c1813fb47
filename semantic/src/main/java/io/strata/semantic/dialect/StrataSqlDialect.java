package io.strata.semantic.dialect;

import org.apache.calcite.sql.SqlDialect;

/** Placeholder; replaced by the real dialects. */
public abstract class StrataSqlDialect extends SqlDialect {
  protected StrataSqlDialect(Context context) {
    super(context);
  }

  static StrataSqlDialect of(Dialect d) {
    throw new UnsupportedOperationException("not yet");
  }
}
