package io.strata.server.api;

/**
 * A JSON answer grew past {@code strata.query.max-json-bytes} while it was written; mapped to
 * 413 {@code ANSWER_TOO_LARGE}, which names the limit and the streaming formats that have none.
 */
final class AnswerTooLargeException extends RuntimeException {
  AnswerTooLargeException(long limit) {
    super("the JSON answer is larger than " + limit + " bytes, the most a JSON answer may be"
        + " (strata.query.max-json-bytes); ask for Arrow (Accept: " + QueryController.ARROW_STREAM
        + ") or CSV (Accept: text/csv), which stream, or add a limit or filters");
  }
}
