package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The window of a time series: its length and step, as the API spells them ({@code 90s}, {@code 1m}, {@code 1h}),
 * bounded so that one read covers at most {@link #MAX_WINDOW} in at most {@link #MAX_POINTS} steps. The window ends
 * at the end of the step that holds {@code now}, and starts a whole number of steps before, so that its steps align
 * on multiples of the step.
 */
record StatsWindow(Instant from, Instant to, Duration step) {

  static final Duration MAX_WINDOW = Duration.ofHours(24);
  static final Duration MIN_STEP = Duration.ofSeconds(10);
  static final int MAX_POINTS = 1_440;
  static final String DEFAULT_WINDOW = "1h";
  static final String DEFAULT_STEP = "1m";

  private static final Pattern LENGTH = Pattern.compile("([1-9][0-9]{0,4})([smh])");

  /**
   * The window of {@code window} and {@code step} (null for their defaults) that ends with the step holding
   * {@code now}.
   *
   * @throws ArbiterException {@link Failure#BAD_REQUEST} naming the field that is malformed or out of bounds
   */
  static StatsWindow of(String window, String step, Instant now) {
    Duration length = length("window", window == null ? DEFAULT_WINDOW : window);
    Duration stride = length("step", step == null ? DEFAULT_STEP : step);
    if (length.compareTo(MAX_WINDOW) > 0) {
      throw bad("window", "must be at most 24h");
    }
    if (stride.compareTo(MIN_STEP) < 0) {
      throw bad("step", "must be at least 10s");
    }
    if (stride.compareTo(length) > 0) {
      throw bad("step", "must not be longer than the window");
    }
    long points = (length.getSeconds() + stride.getSeconds() - 1) / stride.getSeconds();
    if (points > MAX_POINTS) {
      throw bad("step", "gives " + points + " steps over the window; at most " + MAX_POINTS);
    }
    long s = stride.getSeconds();
    Instant to = Instant.ofEpochSecond((Math.floorDiv(now.getEpochSecond(), s) + 1) * s);
    return new StatsWindow(to.minusSeconds(points * s), to, stride);
  }

  private static Duration length(String field, String text) {
    Matcher m = LENGTH.matcher(text);
    if (!m.matches()) {
      throw bad(field, "must be a whole number of seconds, minutes or hours, such as 90s, 5m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  private static ArbiterException bad(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }

  int points() {
    return (int) (Duration.between(from, to).getSeconds() / step.getSeconds());
  }
}
