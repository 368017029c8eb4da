package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@DisplayName("Bandit and arms")
class BanditTest {

  @Test
  @Tag("simulation")
  @DisplayName("Beta draws have the analytic mean and variance, for shapes below and above 1")
  void betaSamplerMatchesTheAnalyticMoments() {
    SplittableRandom random = new SplittableRandom(2026);
    double[][] shapes = {{1, 1}, {2, 5}, {0.5, 0.5}, {30, 3}, {1.4, 0.3}};
    int n = 200_000;
    for (double[] shape : shapes) {
      double a = shape[0];
      double b = shape[1];
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < n; i++) {
        double x = BetaSampler.beta(random, a, b);
        assertThat(x).isBetween(0.0, 1.0);
        sum += x;
        squares += x * x;
      }
      double mean = sum / n;
      double variance = squares / n - mean * mean;
      double expectedMean = a / (a + b);
      double expectedVariance = a * b / ((a + b) * (a + b) * (a + b + 1));
      assertThat(mean).as("mean of Beta(%s, %s)", a, b).isCloseTo(expectedMean, offset(0.003));
      assertThat(variance).as("variance of Beta(%s, %s)", a, b)
          .isCloseTo(expectedVariance, offset(0.03 * expectedVariance));
    }
  }

  @Test
  @Tag("simulation")
  @DisplayName("Gamma draws have mean and variance equal to the shape")
  void gammaSamplerMatchesTheAnalyticMoments() {
    SplittableRandom random = new SplittableRandom(7);
    for (double shape : new double[] {0.4, 1, 3.5, 20}) {
      int n = 200_000;
      double sum = 0;
      double squares = 0;
      for (int i = 0; i < n; i++) {
        double x = BetaSampler.gamma(random, shape);
        sum += x;
        squares += x * x;
      }
      double mean = sum / n;
      assertThat(mean).as("mean of Gamma(%s)", shape).isCloseTo(shape, offset(0.01 * shape + 0.005));
      assertThat(squares / n - mean * mean).as("variance of Gamma(%s)", shape).isCloseTo(shape, offset(0.03 * shape));
    }
  }

  @Test
  @DisplayName("a failure earns 0, a success its quality clamped to [0, 1], or 1 without one")
  void rewardIsSuccessWeightedByQuality() {
    assertThat(Arm.reward(false, 0.9)).isZero();
    assertThat(Arm.reward(true, null)).isEqualTo(1.0);
    assertThat(Arm.reward(true, 0.7)).isEqualTo(0.7);
    assertThat(Arm.reward(true, 1.4)).isEqualTo(1.0);
    assertThat(Arm.reward(true, -0.2)).isZero();
  }

  @Test
  @DisplayName("a new arm is worth two pseudo-observations at its prior mean on top of a uniform prior")
  void priorIsTwoPseudoObservations() {
    Arm prior = Arm.prior(0.75);
    assertThat(prior.alpha()).isEqualTo(2.5);
    assertThat(prior.beta()).isEqualTo(1.5);
    assertThat(prior.mean()).isEqualTo(0.625);
    assertThat(prior.pulls()).isZero();
    assertThat(Arm.prior(1.0).beta()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("an update discounts the evidence so far, adds the reward, and counts the pull undiscounted")
  void updateDiscountsThenAdds() {
    Arm arm = new Arm(11, 3, 12, 10).updated(0.8, 0.9);
    assertThat(arm.alpha()).isCloseTo(1 + 0.9 * 10 + 0.8, offset(1e-12));
    assertThat(arm.beta()).isCloseTo(1 + 0.9 * 2 + 0.2, offset(1e-12));
    assertThat(arm.pulls()).isEqualTo(13);
    assertThat(arm.rewardSum()).isCloseTo(10.8, offset(1e-12));
    assertThatThrownBy(() -> arm.updated(1.2, 0.9)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> arm.updated(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("with a discount the evidence stays below 1 / (1 − discount) outcomes")
  void discountBoundsTheEvidence() {
    Arm arm = Arm.prior(0.5);
    for (int i = 0; i < 5_000; i++) {
      arm = arm.updated(1, 0.99);
    }
    assertThat(arm.alpha() + arm.beta() - 2).isLessThanOrEqualTo(100.0 + 1e-9).isGreaterThan(99.0);
    assertThat(arm.pulls()).isEqualTo(5_000);
  }

  @Test
  @Tag("simulation")
  @DisplayName("exploration 0 ranks the posterior means; above 1 the samples spread further from them")
  void explorationScalesTheSpread() {
    List<Arm> arms = List.of(new Arm(3, 7, 8, 2), new Arm(8, 2, 8, 7), new Arm(5, 5, 8, 4));
    Bandit.Round greedy = new Bandit(new Bandit.Settings(0, 0, 0, 1), new SplittableRandom(1)).draw(arms);
    assertThat(greedy.ranked()).extracting(Bandit.Draw::index).containsExactly(1, 2, 0);
    assertThat(greedy.ranked()).allMatch(d -> d.sample() == d.mean());
    assertThat(greedy.mode()).isEqualTo(Bandit.Mode.EXPLOIT);

    Arm arm = new Arm(5, 5, 8, 4);
    assertThat(spread(arm, 2)).isGreaterThan(1.5 * spread(arm, 1));
    assertThat(spread(arm, 0.5)).isLessThan(0.6 * spread(arm, 1));
  }

  @Test
  @DisplayName("the cold-start bonus falls linearly from its full value to 0 at coldStartPulls")
  void coldStartBonusFallsLinearly() {
    Bandit bandit = new Bandit(new Bandit.Settings(0, 4, 0.2, 1), new SplittableRandom(1));
    assertThat(bandit.draw(List.of(new Arm(1, 1, 0, 0))).chosen().bonus()).isEqualTo(0.2);
    assertThat(bandit.draw(List.of(new Arm(1, 1, 1, 0))).chosen().bonus()).isCloseTo(0.15, offset(1e-12));
    assertThat(bandit.draw(List.of(new Arm(1, 1, 3, 0))).chosen().bonus()).isCloseTo(0.05, offset(1e-12));
    assertThat(bandit.draw(List.of(new Arm(1, 1, 4, 0))).chosen().bonus()).isZero();
  }

  @Test
  @DisplayName("a winner with a lower posterior mean than another arm is an exploration")
  void lowerMeanWinnerExplores() {
    Bandit bandit = new Bandit(new Bandit.Settings(0, 5, 0.5, 1), new SplittableRandom(1));
    Bandit.Round round = bandit.draw(List.of(new Arm(9, 3, 10, 8), new Arm(2, 2, 0, 0)));
    assertThat(round.chosen().index()).isEqualTo(1);
    assertThat(round.leader().index()).isEqualTo(0);
    assertThat(round.mode()).isEqualTo(Bandit.Mode.EXPLORE);
  }

  @Test
  @DisplayName("settings outside their ranges are refused")
  void settingsAreValidated() {
    assertThatThrownBy(() -> new Bandit.Settings(-0.1, 5, 0.25, 0.99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Bandit.Settings(1, -1, 0.25, 0.99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Bandit.Settings(1, 5, -1, 0.99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Bandit.Settings(1, 5, 0.25, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Bandit.Settings(1, 5, 0.25, 1.01)).isInstanceOf(IllegalArgumentException.class);
  }

  private static double spread(Arm arm, double exploration) {
    Bandit bandit = new Bandit(new Bandit.Settings(exploration, 0, 0, 1), new SplittableRandom(5));
    double squares = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      double distance = bandit.draw(List.of(arm)).chosen().sample() - arm.mean();
      squares += distance * distance;
    }
    return Math.sqrt(squares / n);
  }
}
