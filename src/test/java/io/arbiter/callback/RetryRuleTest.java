package io.arbiter.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A callback try's verdict")
class RetryRuleTest {

  /** 5 tries, a day at most, backoff from 1 s up to 60 s. */
  private static final CallbackSettings SETTINGS = new CallbackSettings(List.of("hooks.example.com"),
      "s".repeat(32), 10_000, 5, 86_400_000, 1_000, 60_000, 1_000);

  private static RetryRule rule(double random) {
    return new RetryRule(SETTINGS, () -> random);
  }

  @Test
  @DisplayName("a 2xx delivers it")
  void twoHundredsDeliver() {
    for (int status : new int[] {200, 201, 202, 204, 299}) {
      assertThat(rule(0.5).judge(status, 1, 0)).isInstanceOf(RetryRule.Delivered.class);
    }
  }

  @Test
  @DisplayName("408, 429, 5xx and no answer at all are tried again")
  void transientFailuresRetry() {
    for (Integer status : new Integer[] {408, 429, 500, 502, 503, 504, null}) {
      assertThat(rule(0.5).judge(status, 1, 0)).as("status %s", status).isInstanceOf(RetryRule.Retry.class);
    }
  }

  @Test
  @DisplayName("other 4xx and redirects are given up at once: the receiver would refuse them again")
  void refusalsGiveUp() {
    for (int status : new int[] {400, 401, 403, 404, 410, 422}) {
      assertThat(rule(0.5).judge(status, 1, 0)).as("status %s", status).isInstanceOf(RetryRule.GiveUp.class);
    }
    assertThat(rule(0.5).judge(302, 1, 0)).isEqualTo(new RetryRule.GiveUp("answered 302 (redirects are not followed)"));
  }

  @Test
  @DisplayName("the backoff doubles from the base, with jitter between half and all of it, up to the cap")
  void exponentialBackoffWithJitter() {
    assertThat(rule(0.0).delayMs(1)).isEqualTo(500);
    assertThat(rule(0.999_999).delayMs(1)).isEqualTo(999);
    assertThat(rule(0.0).delayMs(2)).isEqualTo(1_000);
    assertThat(rule(0.0).delayMs(3)).isEqualTo(2_000);
    assertThat(rule(0.0).delayMs(30)).as("capped").isEqualTo(30_000);
    assertThat(rule(0.999_999).delayMs(30)).isLessThan(60_000);
    assertThat(rule(0.5).judge(503, 2, 0)).isEqualTo(new RetryRule.Retry(1_500));
  }

  @Test
  @DisplayName("gives up when the tries or the time since the task finished are used up")
  void boundedByTriesAndAge() {
    assertThat(rule(0.5).judge(503, 4, 0)).isInstanceOf(RetryRule.Retry.class);
    assertThat(rule(0.5).judge(503, 5, 0)).isEqualTo(new RetryRule.GiveUp("no tries left after 5"));
    assertThat(rule(0.5).judge(null, 1, 86_400_000 - 100)).isInstanceOf(RetryRule.GiveUp.class);
  }

  @Test
  @DisplayName("maps each verdict to the state its row takes")
  void states() {
    assertThat(new RetryRule.Delivered().state()).isEqualTo("delivered");
    assertThat(new RetryRule.Retry(1).state()).isEqualTo("pending");
    assertThat(new RetryRule.GiveUp("x").state()).isEqualTo("failed");
  }
}
