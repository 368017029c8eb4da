package io.arbiter.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The edges of each range the retry rule distinguishes. */
@DisplayName("A callback try's verdict at the edges of each range")
class RetryRuleBoundariesTest {

  /** 5 tries, 10 s at most, backoff from 1 s; the jitter's draw is 0, so the first delay is 500 ms. */
  private static final RetryRule RULE = new RetryRule(new CallbackSettings(List.of("hooks.example.com"),
      "s".repeat(32), 10_000, 5, 10_000, 1_000, 60_000, 1_000), () -> 0);

  @Test
  @DisplayName("199 and 300 are not deliveries; 200 and 299 are")
  void twoHundredsAreExactlyDeliveries() {
    assertThat(RULE.judge(200, 1, 0)).isInstanceOf(RetryRule.Delivered.class);
    assertThat(RULE.judge(299, 1, 0)).isInstanceOf(RetryRule.Delivered.class);
    assertThat(RULE.judge(199, 1, 0)).isEqualTo(new RetryRule.GiveUp("answered 199"));
    assertThat(RULE.judge(300, 1, 0)).isEqualTo(new RetryRule.GiveUp("answered 300 (redirects are not followed)"));
  }

  @Test
  @DisplayName("399 is a redirect; 400 is a plain refusal")
  void redirectsEndAt399() {
    assertThat(RULE.judge(399, 1, 0)).isEqualTo(new RetryRule.GiveUp("answered 399 (redirects are not followed)"));
    assertThat(RULE.judge(400, 1, 0)).isEqualTo(new RetryRule.GiveUp("answered 400"));
  }

  @Test
  @DisplayName("a retry that would land exactly at callbacks.maxAgeMs is still made; one past it is not")
  void maxAgeIsInclusive() {
    assertThat(RULE.judge(503, 1, 9_500)).isEqualTo(new RetryRule.Retry(500));
    assertThat(RULE.judge(503, 1, 9_501))
        .isEqualTo(new RetryRule.GiveUp("not delivered within callbacks.maxAgeMs of the task's end"));
  }
}
