package io.strata.semantic.model;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when models fail to load or validate; carries every error found, not just the first. */
public class ModelValidationException extends RuntimeException {
  private final List<ModelError> errors;

  public ModelValidationException(List<ModelError> errors) {
    super(errors.size() + " error(s) in semantic models:\n"
        + errors.stream().sorted().map(ModelError::toString).collect(Collectors.joining("\n")));
    this.errors = errors.stream().sorted().toList();
  }

  public List<ModelError> errors() {
    return errors;
  }
}
