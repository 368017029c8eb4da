package io.arbiter.callback;

import java.util.function.DoubleSupplier;

/**
 * What one try of a callback leads to. A 2xx answer delivers it. A 408, a 429, a 5xx, a timeout or a connection
 * failure is worth another try, after an exponential backoff with jitter, unless the tries ({@code callbacks.maxAttempts})
 * or the time since the task finished ({@code callbacks.maxAgeMs}) are used up. Any other answer (a redirect, which is
 * never followed, or another 4xx) is final: the receiver refused it and would refuse it again.
 */
public final class RetryRule {

  /** The verdict on one try. */
  public sealed interface Verdict {
    /** The state the callback's row takes. */
    String state();
  }

  public record Delivered() implements Verdict {
    public String state() {
      return "delivered";
    }
  }

  /** Try again in {@code delayMs}. */
  public record Retry(long delayMs) implements Verdict {
    public String state() {
      return "pending";
    }
  }

  /** No more tries; {@code reason} says why. */
  public record GiveUp(String reason) implements Verdict {
    public String state() {
      return "failed";
    }
  }

  private final int maxAttempts;
  private final long maxAgeMs;
  private final long baseMs;
  private final long capMs;
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1) ({@code ThreadLocalRandom.current()::nextDouble}) */
  public RetryRule(CallbackSettings settings, DoubleSupplier random) {
    this.maxAttempts = settings.maxAttempts();
    this.maxAgeMs = settings.maxAgeMs();
    this.baseMs = settings.backoffBaseMs();
    this.capMs = settings.backoffCapMs();
    this.random = random;
  }

  /**
   * @param status the answer's HTTP status, or null when none came (timeout, connection failure)
   * @param attempts the tries made so far, this one included
   * @param ageMs how long ago the task finished
   */
  public Verdict judge(Integer status, int attempts, long ageMs) {
    if (status != null && status >= 200 && status < 300) {
      return new Delivered();
    }
    if (status != null && !retryable(status)) {
      return new GiveUp(status >= 300 && status < 400 ? "answered " + status + " (redirects are not followed)"
          : "answered " + status);
    }
    if (attempts >= maxAttempts) {
      return new GiveUp("no tries left after " + attempts);
    }
    long delay = delayMs(attempts);
    if (ageMs + delay > maxAgeMs) {
      return new GiveUp("not delivered within callbacks.maxAgeMs of the task's end");
    }
    return new Retry(delay);
  }

  /** 408, 429 and 5xx: the receiver may take it later. */
  static boolean retryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /** The wait after try {@code attempts}: between half and all of min(cap, base * 2^(attempts-1)). */
  long delayMs(int attempts) {
    double ceiling = Math.min((double) capMs, baseMs * Math.pow(2, Math.max(attempts - 1, 0)));
    return (long) (ceiling / 2 + random.getAsDouble() * ceiling / 2);
  }
}
