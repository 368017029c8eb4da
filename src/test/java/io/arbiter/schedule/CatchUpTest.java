package io.arbiter.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Catch-up: what a schedule fires for occurrences it missed")
class CatchUpTest {

  private static final Cadence HOURLY = Cadence.of("0 * * * *", "UTC");
  private static final Instant TEN = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  @DisplayName("on time, every policy fires the occurrence and moves to the next one")
  void onTimeFiresTheOccurrence() {
    Instant now = TEN.plusSeconds(2);
    for (CatchUp policy : CatchUp.values()) {
      CatchUp.Step step = policy.step(HOURLY, TEN, now);
      assertThat(step.fire()).as(policy.wire()).contains(TEN);
      assertThat(step.next()).as(policy.wire()).contains(TEN.plusSeconds(3600));
      assertThat(step.dropped()).as(policy.wire()).isZero();
    }
  }

  @Test
  @DisplayName("latest fires the latest missed occurrence once and continues from the next future one")
  void latestFiresOnce() {
    Instant now = TEN.plusSeconds(5 * 3600 + 600);
    CatchUp.Step step = CatchUp.LATEST.step(HOURLY, TEN, now);
    assertThat(step.fire()).contains(TEN.plusSeconds(5 * 3600));
    assertThat(step.next()).contains(TEN.plusSeconds(6 * 3600));
    assertThat(step.dropped()).isEqualTo(5);
  }

  @Test
  @DisplayName("none drops what is more than a minute late and continues from the next future occurrence")
  void noneDropsMissed() {
    Instant now = TEN.plusSeconds(5 * 3600 + 600);
    CatchUp.Step step = CatchUp.NONE.step(HOURLY, TEN, now);
    assertThat(step.fire()).isEmpty();
    assertThat(step.next()).contains(TEN.plusSeconds(6 * 3600));
    assertThat(step.dropped()).isEqualTo(6);

    CatchUp.Step late = CatchUp.NONE.step(HOURLY, TEN, TEN.plus(CatchUp.ON_TIME).plusSeconds(1));
    assertThat(late.fire()).isEmpty();
    assertThat(CatchUp.NONE.step(HOURLY, TEN, TEN.plus(CatchUp.ON_TIME)).fire()).contains(TEN);
  }

  @Test
  @DisplayName("all fires each missed occurrence, oldest first, one step at a time")
  void allFiresEach() {
    Instant now = TEN.plusSeconds(2 * 3600 + 60);
    Instant next = TEN;
    for (int i = 0; i < 3; i++) {
      CatchUp.Step step = CatchUp.ALL.step(HOURLY, next, now);
      assertThat(step.fire()).contains(TEN.plusSeconds(i * 3600L));
      next = step.next().orElseThrow();
    }
    assertThat(next).isAfter(now);
  }

  @Test
  @DisplayName("all fires at most the latest hundred missed occurrences")
  void allIsBounded() {
    Cadence everyMinute = Cadence.of("* * * * *", "UTC");
    Instant now = TEN.plusSeconds(1000 * 60);
    CatchUp.Step step = CatchUp.ALL.step(everyMinute, TEN, now);
    assertThat(step.fire()).contains(now.minusSeconds((CatchUp.ALL_MAX - 1) * 60L));
    assertThat(step.dropped()).isEqualTo(1000 - CatchUp.ALL_MAX + 1);
  }
}
