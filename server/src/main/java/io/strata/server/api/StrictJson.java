package io.strata.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.strata.semantic.query.QueryJson;
import jakarta.inject.Singleton;

/**
 * Makes the ObjectMapper Micronaut binds request bodies with as strict as the query parser
 * ({@link QueryJson#strict}): an unknown field, {@code 1.5} for a whole number or {@code 5} for
 * a string is a 400 naming the field, never a silently different request.
 */
@Singleton
final class StrictJson implements BeanCreatedEventListener<ObjectMapper> {
  @Override
  public ObjectMapper onCreated(BeanCreatedEvent<ObjectMapper> event) {
    return QueryJson.strict(event.getBean());
  }
}
