package io.arbiter.schedule;

import java.util.UUID;

/**
 * How one occurrence was handled: {@code submitted} with its task, {@code skipped} because the previous run had not
 * finished, or {@code refused} by the task domain (the reason in {@code detail}).
 */
record Run(String outcome, UUID taskId, String detail) {

  /** The longest detail kept. */
  static final int MAX_DETAIL = 1000;

  static Run submitted(UUID taskId) {
    return new Run("submitted", taskId, null);
  }

  static Run skipped(UUID previous) {
    return new Run("skipped", null, "the previous run, task " + previous + ", has not finished");
  }

  static Run refused(String reason) {
    String detail = reason == null ? "refused" : reason;
    return new Run("refused", null, detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail);
  }
}
