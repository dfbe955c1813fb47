package io.strata.server.api;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Locale;

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
    message = message.replaceAll("\\s*at \\[Source: .*", "")
        .replace(" (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)", "").trim();
    if (status == HttpStatus.NOT_FOUND && message.equals("Page Not Found")) {
      message = "no endpoint " + context.getRequest().getMethodName() + " "
          + context.getRequest().getPath() + " (the API is under /api/v1; see /openapi/strata-v1.yml)";
    }
    String code = status.name().toUpperCase(Locale.ROOT);
    return response.contentType(MediaType.APPLICATION_JSON_TYPE).body(ApiError.of(code, message));
  }
}
