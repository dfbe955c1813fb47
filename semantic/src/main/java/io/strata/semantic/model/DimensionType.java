package io.strata.semantic.model;

/** The type of a dimension, as written in a model ({@code string | number | boolean | time}). */
public enum DimensionType {
  STRING, NUMBER, BOOLEAN, TIME
}
