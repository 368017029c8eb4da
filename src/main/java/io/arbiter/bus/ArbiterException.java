package io.arbiter.bus;

import io.vertx.core.json.JsonObject;

/**
 * A failure with a {@link Failure} kind and a detail that is safe to show to the caller (no secrets, no SQL).
 * {@code extra} adds fields to the problem body (for example the offending field).
 */
public final class ArbiterException extends RuntimeException {

  private final Failure failure;
  private final JsonObject extra;

  public ArbiterException(Failure failure, String detail) {
    this(failure, detail, null);
  }

  public ArbiterException(Failure failure, String detail, JsonObject extra) {
    super(detail, null, false, false);
    this.failure = failure;
    this.extra = extra;
  }

  public Failure failure() {
    return failure;
  }

  /** Fields added to the problem body, or null. */
  public JsonObject extra() {
    return extra;
  }

  public JsonObject problem() {
    JsonObject problem = failure.problem(getMessage());
    if (extra != null) {
      problem.mergeIn(extra);
    }
    return problem;
  }
}
