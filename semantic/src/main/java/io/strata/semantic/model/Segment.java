package io.strata.semantic.model;

/** A named, reusable filter of a model (a SQL condition over its columns). */
public record Segment(String name, String filter, String description, Origin origin) {}
