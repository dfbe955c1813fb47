package io.strata.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.strata.semantic.model.ModelError;
import java.util.List;

/**
 * The JSON body of every error response: {@code {"error": {"code", "message", "location",
 * "errors"}}}. {@code code} is stable and machine-readable (UNKNOWN_MEMBER, INVALID_MODEL,
 * UNAVAILABLE, ...); {@code location} says where in the request the problem is (a JSON path such
 * as {@code measures[0]}); {@code errors} lists every model problem with its file and line.
 */
public record ApiError(Body error) {
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Body(String code, String message, String location, List<Problem> errors,
      String queryId) {}

  /** One problem in a model file. */
  public record Problem(String file, int line, int column, String message) {
    static Problem of(ModelError e) {
      return new Problem(e.position().file(), e.position().line(), e.position().column(),
          e.message());
    }
  }

  public static ApiError of(String code, String message) {
    return new ApiError(new Body(code, message, null, null, null));
  }

  public static ApiError at(String code, String message, String location) {
    return new ApiError(new Body(code, message, location, null, null));
  }
}
