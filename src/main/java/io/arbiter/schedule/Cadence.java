package io.arbiter.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When a schedule fires: a UNIX cron expression (five fields: minute, hour, day of month, month, day of week; names
 * such as {@code MON} and {@code JAN}, ranges, lists and steps) read in an IANA time zone, so that {@code 0 9 * * *}
 * stays at nine o'clock local time across daylight-saving changes. The finest cadence is one minute.
 */
public final class Cadence {

  /** The longest expression accepted. */
  public static final int MAX_EXPRESSION_LENGTH = 120;
  /** The longest time zone id accepted. */
  public static final int MAX_ZONE_LENGTH = 64;

  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final String expression;
  private final ZoneId zone;
  private final ExecutionTime times;

  private Cadence(String expression, ZoneId zone, ExecutionTime times) {
    this.expression = expression;
    this.zone = zone;
    this.times = times;
  }

  /** Why an expression or a zone cannot make a cadence; {@link #field} names the offending one. */
  public static final class Invalid extends RuntimeException {
    private final String field;

    Invalid(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /**
   * Parses {@code expression} in {@code zoneId}. Fails {@link Invalid} naming {@code cron} for an expression that is
   * too long, does not parse or never occurs again, and {@code timeZone} for a zone that is not an IANA region id.
   */
  public static Cadence of(String expression, String zoneId) {
    ZoneId zone = zone(zoneId);
    if (expression == null || expression.isBlank() || expression.length() > MAX_EXPRESSION_LENGTH) {
      throw new Invalid("cron", "must be a UNIX cron expression of 1 to " + MAX_EXPRESSION_LENGTH + " characters");
    }
    ExecutionTime times;
    try {
      times = ExecutionTime.forCron(PARSER.parse(expression.strip()).validate());
    } catch (IllegalArgumentException e) {
      throw new Invalid("cron", "'" + expression + "' is not a UNIX cron expression (minute hour day-of-month month "
          + "day-of-week): " + e.getMessage());
    }
    Cadence cadence = new Cadence(expression.strip(), zone, times);
    if (cadence.after(Instant.now()).isEmpty()) {
      throw new Invalid("cron", "'" + expression + "' has no occurrence in the future");
    }
    return cadence;
  }

  /**
   * Checks the parts a change gives (either may be null): the expression on its own, the zone on its own; the schedule
   * they change is checked whole under its lock.
   */
  static void check(String expression, String zoneId) {
    if (zoneId != null) {
      zone(zoneId);
    }
    if (expression != null) {
      of(expression, "UTC");
    }
  }

  /** An IANA region id ({@code Europe/Paris}, {@code UTC}); fixed offsets and abbreviations are refused. */
  static ZoneId zone(String zoneId) {
    if (zoneId == null || zoneId.isEmpty() || zoneId.length() > MAX_ZONE_LENGTH
        || !ZoneId.getAvailableZoneIds().contains(zoneId)) {
      throw new Invalid("timeZone", "'" + zoneId + "' is not an IANA time zone id such as UTC or Europe/Paris");
    }
    try {
      return ZoneId.of(zoneId);
    } catch (DateTimeException e) {
      throw new Invalid("timeZone", "'" + zoneId + "' is not an IANA time zone id such as UTC or Europe/Paris");
    }
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first occurrence strictly after {@code t}, if any. */
  public Optional<Instant> after(Instant t) {
    return times.nextExecution(ZonedDateTime.ofInstant(t, zone)).map(ZonedDateTime::toInstant)
        .filter(next -> next.isAfter(t));
  }

  /** The last occurrence strictly before {@code t}, if any. */
  public Optional<Instant> before(Instant t) {
    return times.lastExecution(ZonedDateTime.ofInstant(t, zone)).map(ZonedDateTime::toInstant)
        .filter(last -> last.isBefore(t));
  }

  /** The last occurrence at or before {@code t}, if any. */
  public Optional<Instant> atOrBefore(Instant t) {
    Optional<Instant> last = before(t);
    Optional<Instant> next = after(last.orElse(t.minusSeconds(1)));
    if (next.isPresent() && !next.get().isAfter(t)) {
      return next;
    }
    return last;
  }
}
