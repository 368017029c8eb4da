package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.ArbiterException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A time series' window")
class StatsWindowTest {

  private static final Instant NOW = Instant.parse("2026-12-06T22:41:17.250Z");

  @Test
  @DisplayName("defaults to the last hour in minutes, ending with the minute that holds now")
  void defaultsToAnHourOfMinutes() {
    StatsWindow window = StatsWindow.of(null, null, NOW);
    assertThat(window.to()).isEqualTo(Instant.parse("2026-12-06T22:42:00Z"));
    assertThat(window.from()).isEqualTo(Instant.parse("2026-12-06T21:42:00Z"));
    assertThat(window.step()).isEqualTo(Duration.ofMinutes(1));
    assertThat(window.points()).isEqualTo(60);
  }

  @Test
  @DisplayName("aligns its steps on multiples of the step and covers the window in whole steps")
  void alignsOnTheStep() {
    StatsWindow window = StatsWindow.of("100s", "30s", NOW);
    assertThat(window.to()).isEqualTo(Instant.parse("2026-12-06T22:41:30Z"));
    assertThat(window.points()).isEqualTo(4);
    assertThat(window.from()).isEqualTo(Instant.parse("2026-12-06T22:39:30Z"));
    assertThat(StatsWindow.of("24h", "1m", NOW).points()).isEqualTo(1_440);
  }

  @Test
  @DisplayName("refuses, naming the field, a malformed length, a window over 24 h, a step under 10 s, a step longer "
      + "than the window and more than 1,440 steps")
  void refusesWhatIsOutOfBounds() {
    assertRefused("1d", "1m", "window");
    assertRefused("1h", "0m", "step");
    assertRefused("25h", "1h", "window");
    assertRefused("1h", "9s", "step");
    assertRefused("5m", "10m", "step");
    assertRefused("24h", "59s", "step");
  }

  private static void assertRefused(String window, String step, String field) {
    assertThatThrownBy(() -> StatsWindow.of(window, step, NOW)).isInstanceOf(ArbiterException.class)
        .hasMessageContaining("field " + field);
  }
}
