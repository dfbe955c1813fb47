package io.strata.semantic.model;

/** What a member of a model is. */
public enum MemberKind {
  DIMENSION, MEASURE, SEGMENT, METRIC
}
