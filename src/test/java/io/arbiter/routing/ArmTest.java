package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An arm as PostgreSQL stores it")
class ArmTest {

  @Test
  @DisplayName("the stored evidence gives the same posterior as the prior followed by every update in order")
  void storedEvidenceEqualsSequentialUpdates() {
    SplittableRandom random = new SplittableRandom(7);
    double discount = 0.97;
    double prior = 0.62;
    Arm sequential = Arm.prior(prior);
    double gained = 0;
    double lost = 0;
    double rewardSum = 0;
    for (int n = 1; n <= 300; n++) {
      double reward = random.nextDouble() < 0.7 ? random.nextDouble() : 0;
      sequential = sequential.updated(reward, discount);
      gained = discount * gained + reward;
      lost = discount * lost + (1 - reward);
      rewardSum += reward;
      Arm stored = Arm.fromEvidence(prior, gained, lost, n, rewardSum, discount);
      assertThat(stored.alpha()).isCloseTo(sequential.alpha(), within(1e-9));
      assertThat(stored.beta()).isCloseTo(sequential.beta(), within(1e-9));
      assertThat(stored.pulls()).isEqualTo(sequential.pulls());
    }
  }

  @Test
  @DisplayName("a batch's rewards folded at once, each weighted by the discount to the power of the rewards after it, "
      + "equal the same rewards one by one (what the result statement does per task type)")
  void batchFoldEqualsOneByOne() {
    double discount = 0.99;
    double[] before = {0.4, 0.1};
    double[] rewards = {0.9, 0, 0.8, 1.0};
    double gained = before[0];
    double lost = before[1];
    for (double r : rewards) {
      gained = discount * gained + r;
      lost = discount * lost + (1 - r);
    }
    int n = rewards.length;
    double batchGained = Math.pow(discount, n) * before[0];
    double batchLost = Math.pow(discount, n) * before[1];
    for (int i = 0; i < n; i++) {
      double weight = Math.pow(discount, n - 1 - i);
      batchGained += weight * rewards[i];
      batchLost += weight * (1 - rewards[i]);
    }
    assertThat(batchGained).isCloseTo(gained, within(1e-12));
    assertThat(batchLost).isCloseTo(lost, within(1e-12));
  }
}
