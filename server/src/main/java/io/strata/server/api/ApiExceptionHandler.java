package io.strata.server.api;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * Turns every exception an endpoint throws into {@link ApiErrors#response}. Micronaut asks the
 * most specific handler first, so its own handlers for request-binding errors still apply; this
 * one catches what Strata throws.
 */
@Produces
@Singleton
@Requires(classes = {ExceptionHandler.class})
public final class ApiExceptionHandler implements ExceptionHandler<RuntimeException, HttpResponse<?>> {
  @Override
  public HttpResponse<?> handle(HttpRequest request, RuntimeException exception) {
    return ApiErrors.response(exception);
  }
}
