package io.arbiter.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * What a schedule fires for occurrences that passed while no node could fire them (an outage, every node stopped).
 * The poll asks {@link #step} once per fire: which occurrence to fire now, if any, and where {@code next_run_at} moves.
 *
 * <ul>
 *   <li>{@link #LATEST}: the latest passed occurrence fires once, standing for all that were missed.</li>
 *   <li>{@link #NONE}: missed occurrences are dropped; an occurrence fires only while it is at most {@link #ON_TIME}
 *       late.</li>
 *   <li>{@link #ALL}: every missed occurrence fires, oldest first, but at most the latest {@link #ALL_MAX}.</li>
 * </ul>
 * In every case {@code next_run_at} then moves to the first occurrence after the one fired, or past now.
 */
public enum CatchUp {
  LATEST, NONE, ALL;

  /** How late an occurrence may fire and still count as on time under {@link #NONE}. */
  public static final Duration ON_TIME = Duration.ofMinutes(1);
  /** The most missed occurrences {@link #ALL} fires after one outage. */
  public static final int ALL_MAX = 100;

  /**
   * One step of firing: {@code fire} is the occurrence to fire (none: nothing fires), {@code next} the next occurrence
   * still to fire after it (none: the expression never occurs again), and {@code dropped} how many passed occurrences
   * this step gives up.
   */
  public record Step(Optional<Instant> fire, Optional<Instant> next, long dropped) {}

  /**
   * The step for a schedule whose {@code nextRunAt} is due at {@code now} ({@code nextRunAt <= now}, an occurrence of
   * {@code cadence}).
   */
  public Step step(Cadence cadence, Instant nextRunAt, Instant now) {
    Instant latest = cadence.atOrBefore(now).filter(t -> !t.isBefore(nextRunAt)).orElse(nextRunAt);
    return switch (this) {
      case LATEST -> new Step(Optional.of(latest), cadence.after(now), missedBetween(cadence, nextRunAt, latest));
      case NONE -> Duration.between(latest, now).compareTo(ON_TIME) <= 0
          ? new Step(Optional.of(latest), cadence.after(now), missedBetween(cadence, nextRunAt, latest))
          : new Step(Optional.empty(), cadence.after(now), missedBetween(cadence, nextRunAt, latest) + 1);
      case ALL -> all(cadence, nextRunAt, latest);
    };
  }

  /** The oldest of the last {@link #ALL_MAX} passed occurrences fires; those before it are dropped. */
  private static Step all(Cadence cadence, Instant nextRunAt, Instant latest) {
    Instant oldest = latest;
    int kept = 1;
    while (kept < ALL_MAX && oldest.isAfter(nextRunAt)) {
      Optional<Instant> earlier = cadence.before(oldest);
      if (earlier.isEmpty() || earlier.get().isBefore(nextRunAt)) {
        break;
      }
      oldest = earlier.get();
      kept++;
    }
    return new Step(Optional.of(oldest), cadence.after(oldest), missedBetween(cadence, nextRunAt, oldest));
  }

  /** Occurrences from {@code from} (included) to {@code to} (excluded), counted up to a bound. */
  private static long missedBetween(Cadence cadence, Instant from, Instant to) {
    long count = 0;
    Instant t = from;
    while (t.isBefore(to) && count < 10_000) {
      count++;
      Optional<Instant> next = cadence.after(t);
      if (next.isEmpty()) {
        break;
      }
      t = next.get();
    }
    return count;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CatchUp fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
