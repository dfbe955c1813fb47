package io.strata.server.api;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.strata.semantic.query.QueryJson;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Micronaut's own errors (no such route, wrong method or content type, a body that is not
 * JSON) in Strata's error format, so clients parse one shape whatever went wrong.
 */
@Primary
@Singleton
public final class ApiErrorResponseProcessor implements ErrorResponseProcessor<ApiError> {
  @Override
  public MutableHttpResponse<ApiError> processResponse(ErrorContext context,
      MutableHttpResponse<?> response) {
    HttpStatus status = response.getStatus();
    String message = context.getErrors().stream().map(Error::getMessage).findFirst()
        .orElse(status.getReason());
    String location = null;
    JsonProcessingException json = jsonCause(context.getRootCause().orElse(null));
    if (json != null) {
      // a body Micronaut bound to a record: the field and what was expected, in plain words
      QueryJson.Problem p = QueryJson.describe(json);
      message = p.message();
      location = p.location();
      status = HttpStatus.BAD_REQUEST;
    } else {
      Matcher m = CONVERSION.matcher(message);
      if (m.find()) {
        location = m.group(1);
        message = m.group(1) + " cannot be '" + m.group(2) + "'" + expected(m.group(3));
      } else if (REQUIRED_BODY.matcher(message).find()) {
        message = "the request has no JSON body; send a JSON object";
      }
    }
    message = message.replaceAll("\\s*at \\[Source: .*", "")
        .replace(" (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)", "").trim();
    if (status == HttpStatus.NOT_FOUND && message.equals("Page Not Found")) {
      message = "no endpoint " + context.getRequest().getMethodName() + " "
          + context.getRequest().getPath() + " (the API is under /api/v1; see /openapi/strata-v1.yml)";
    }
    String code = status.name().toUpperCase(Locale.ROOT);
    return response.status(status).contentType(MediaType.APPLICATION_JSON_TYPE)
        .body(ApiError.at(code, message, location));
  }

  private static final Pattern CONVERSION =
      Pattern.compile("Failed to convert argument \\[(\\w+)\\] for value \\[(.*?)\\](?: due to: (.*))?");
  private static final Pattern REQUIRED_BODY = Pattern.compile("Required (Body|argument) \\[");

  /** What a path or query value should have been, from the converter's complaint. */
  private static String expected(String cause) {
    if (cause == null) {
      return "";
    }
    if (cause.contains("For input string") || cause.contains("NumberFormat")) {
      return ": expected a whole number";
    }
    return "";
  }

  private static JsonProcessingException jsonCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof JsonProcessingException j) {
        return j;
      }
    }
    return null;
  }
}
