package io.strata.semantic.model;

/**
 * A join declared by a model to another model. {@code on} is a SQL condition in which
 * {@code {model}} refers to a model's table, for example
 * {@code {orders}.customer_id = {customers}.customer_id}.
 */
public record Join(String model, Relationship relationship, String on, Origin origin) {}
