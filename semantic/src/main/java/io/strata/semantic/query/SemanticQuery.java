package io.strata.semantic.query;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * A semantic query in the JSON form Cube users know: measures, dimensions, time dimensions with
 * granularity and date range, filters, segments, order, limit, offset and time zone. Members are
 * {@code model.member} (or {@code view.column}). Parse with {@link QueryJson#parse(String)}.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record SemanticQuery(
    List<String> measures,
    List<String> dimensions,
    List<TimeDimension> timeDimensions,
    List<Filter> filters,
    List<String> segments,
    @JsonDeserialize(using = QueryJson.OrderDeserializer.class) List<Order> order,
    Integer limit,
    Integer offset,
    String timezone) {

  public SemanticQuery {
    measures = measures == null ? List.of() : List.copyOf(measures);
    dimensions = dimensions == null ? List.of() : List.copyOf(dimensions);
    timeDimensions = timeDimensions == null ? List.of() : List.copyOf(timeDimensions);
    filters = filters == null ? List.of() : List.copyOf(filters);
    segments = segments == null ? List.of() : List.copyOf(segments);
    order = order == null ? List.of() : List.copyOf(order);
  }

  /** A time dimension, optionally truncated to a granularity and restricted to a date range. */
  public record TimeDimension(String dimension, String granularity,
      @JsonDeserialize(using = QueryJson.DateRangeDeserializer.class) DateRange dateRange) {}

  /** Sort by a member of the query, ascending or descending. */
  public record Order(String member, boolean descending) {}
}
