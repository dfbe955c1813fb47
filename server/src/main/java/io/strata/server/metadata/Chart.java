package io.strata.server.metadata;

/** A chart on a dashboard: a query, how to draw it, and its place among the dashboard's charts. */
public record Chart(long id, long dashboardId, String title, String queryJson, String vizJson, int position) {
}
