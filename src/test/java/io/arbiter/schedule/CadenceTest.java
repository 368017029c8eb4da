package io.arbiter.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A cadence: a UNIX cron expression read in an IANA time zone")
class CadenceTest {

  @Test
  @DisplayName("the next occurrence lies strictly after the given instant")
  void nextOccurrenceIsStrictlyAfter() {
    Cadence hourly = Cadence.of("0 * * * *", "UTC");
    assertThat(hourly.after(Instant.parse("2026-03-01T10:00:00Z"))).contains(Instant.parse("2026-03-01T11:00:00Z"));
    assertThat(hourly.after(Instant.parse("2026-03-01T10:30:15Z"))).contains(Instant.parse("2026-03-01T11:00:00Z"));
  }

  @Test
  @DisplayName("the previous occurrence lies strictly before, and atOrBefore includes the instant itself")
  void previousOccurrences() {
    Cadence hourly = Cadence.of("0 * * * *", "UTC");
    assertThat(hourly.before(Instant.parse("2026-03-01T10:00:00Z"))).contains(Instant.parse("2026-03-01T09:00:00Z"));
    assertThat(hourly.atOrBefore(Instant.parse("2026-03-01T10:00:00Z")))
        .contains(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(hourly.atOrBefore(Instant.parse("2026-03-01T10:59:59Z")))
        .contains(Instant.parse("2026-03-01T10:00:00Z"));
  }

  @Test
  @DisplayName("local time holds across a daylight-saving change")
  void localTimeAcrossDaylightSaving() {
    Cadence nineParis = Cadence.of("0 9 * * *", "Europe/Paris");
    assertThat(nineParis.after(Instant.parse("2026-03-28T12:00:00Z"))).contains(Instant.parse("2026-03-29T07:00:00Z"));
    assertThat(nineParis.after(Instant.parse("2026-03-27T12:00:00Z"))).contains(Instant.parse("2026-03-28T08:00:00Z"));
  }

  @Test
  @DisplayName("an occurrence in the hour skipped in spring does not happen; in the hour repeated in autumn, once")
  void skippedAndRepeatedHours() {
    Cadence halfPastTwo = Cadence.of("30 2 * * *", "Europe/Paris");
    assertThat(halfPastTwo.after(Instant.parse("2026-03-28T12:00:00Z")))
        .contains(Instant.parse("2026-03-30T00:30:00Z"));
    assertThat(halfPastTwo.after(Instant.parse("2026-10-24T12:00:00Z")))
        .contains(Instant.parse("2026-10-25T00:30:00Z"));
    assertThat(halfPastTwo.after(Instant.parse("2026-10-25T00:30:00Z")))
        .contains(Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  @DisplayName("a bad expression is refused naming cron, a bad zone naming timeZone")
  void refusesNamingTheField() {
    assertThatThrownBy(() -> Cadence.of("61 * * * *", "UTC")).isInstanceOf(Cadence.Invalid.class)
        .extracting(e -> ((Cadence.Invalid) e).field()).isEqualTo("cron");
    assertThatThrownBy(() -> Cadence.of("0 0 * * * *", "UTC")).isInstanceOf(Cadence.Invalid.class)
        .extracting(e -> ((Cadence.Invalid) e).field()).isEqualTo("cron");
    assertThatThrownBy(() -> Cadence.of("*".repeat(121), "UTC")).isInstanceOf(Cadence.Invalid.class)
        .extracting(e -> ((Cadence.Invalid) e).field()).isEqualTo("cron");
    assertThatThrownBy(() -> Cadence.of("0 0 30 2 *", "UTC")).isInstanceOf(Cadence.Invalid.class)
        .hasMessageContaining("no occurrence");
    assertThatThrownBy(() -> Cadence.of("* * * * *", "Mars/Olympus")).isInstanceOf(Cadence.Invalid.class)
        .extracting(e -> ((Cadence.Invalid) e).field()).isEqualTo("timeZone");
    assertThatThrownBy(() -> Cadence.of("* * * * *", "+02:00")).isInstanceOf(Cadence.Invalid.class)
        .extracting(e -> ((Cadence.Invalid) e).field()).isEqualTo("timeZone");
  }

  @Test
  @DisplayName("names, ranges, lists and steps parse")
  void richExpressionsParse() {
    Cadence weekdays = Cadence.of("*/15 9-17 * JAN,FEB MON-FRI", "America/New_York");
    assertThat(weekdays.after(Instant.parse("2026-01-03T12:00:00Z"))) // a Saturday
        .contains(Instant.parse("2026-01-05T14:00:00Z"));
  }
}
