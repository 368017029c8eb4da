package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One draw of the bandit and one arm's figures, exactly, on scripted or no randomness. */
@DisplayName("A bandit draw and an arm's posterior, figure by figure")
class BanditDrawTest {

  private static final double EXACT = 1e-12;

  /** Draws for Beta(2, 1) with every Gaussian 0 and every uniform ½: X = 5/3, Y = 2/3, so the draw is 5/7. */
  private static ScriptedRandom fiveSevenths() {
    return new ScriptedRandom().gaussian(0, 0).uniform(0.5, 0.5);
  }

  @Test
  @DisplayName("the sample is the mean plus exploration times the draw's distance from it")
  void sampleMovesFromTheMeanByExploration() {
    Arm arm = new Arm(2, 1, 10, 6);
    double mean = 2.0 / 3;
    double distance = 5.0 / 7 - mean;
    Bandit plain = new Bandit(new Bandit.Settings(1, 0, 0, 1), fiveSevenths());
    assertThat(plain.draw(List.of(arm)).chosen().sample()).isCloseTo(5.0 / 7, offset(EXACT));
    Bandit wide = new Bandit(new Bandit.Settings(2, 0, 0, 1), fiveSevenths());
    assertThat(wide.draw(List.of(arm)).chosen().sample()).isCloseTo(mean + 2 * distance, offset(EXACT));
    Bandit wider = new Bandit(new Bandit.Settings(10, 0, 0, 1), fiveSevenths());
    assertThat(wider.draw(List.of(arm)).chosen().sample()).as("clamped to 1").isEqualTo(1.0);
  }

  @Test
  @DisplayName("of arms with equal means the first given is the leader, and a winner with that mean exploits")
  void firstOfEqualMeansLeads() {
    Bandit greedy = new Bandit(new Bandit.Settings(0, 0, 0, 1), new SplittableRandom(1));
    Bandit.Round round = greedy.draw(List.of(new Arm(2, 2, 10, 5), new Arm(4, 4, 10, 5), new Arm(1, 3, 10, 2)));
    assertThat(round.leader().index()).isZero();
    assertThat(round.chosen().index()).as("equal samples keep the given order").isZero();
    assertThat(round.mode()).isEqualTo(Bandit.Mode.EXPLOIT);
    assertThat(round.mode().wire()).isEqualTo("exploit");
    assertThat(Bandit.Mode.EXPLORE.wire()).isEqualTo("explore");
  }

  @Test
  @DisplayName("the posterior variance is αβ / ((α + β)²(α + β + 1))")
  void varianceOfTheBetaPosterior() {
    assertThat(new Arm(2, 3, 0, 0).variance()).isCloseTo(6.0 / (25 * 6), offset(EXACT));
    assertThat(new Arm(1, 1, 0, 0).variance()).isCloseTo(1.0 / 12, offset(EXACT));
    assertThat(new Arm(9, 1, 8, 8).variance()).isCloseTo(9.0 / (100 * 11), offset(EXACT));
  }

  @Test
  @DisplayName("rewards of exactly 0 and 1, and a discount of exactly 1, are accepted")
  void boundsOfAnUpdateAreInclusive() {
    Arm arm = new Arm(3, 2, 3, 2);
    assertThat(arm.updated(0, 1)).isEqualTo(new Arm(3, 3, 4, 2));
    assertThat(arm.updated(1, 1)).isEqualTo(new Arm(4, 2, 4, 3));
  }

  @Test
  @DisplayName("an arm below the uniform prior, with negative counts or a NaN, is refused, and so is a draw from no arms")
  void invalidArmsAreRefused() {
    assertThatThrownBy(() -> new Arm(0.5, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Arm(1, 0.5, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Arm(1, 1, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Arm(1, 1, 0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    Bandit bandit = new Bandit(Bandit.Settings.DEFAULTS, new SplittableRandom(1));
    assertThatThrownBy(() -> bandit.draw(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no arms to draw from");
  }

  @Test
  @DisplayName("stored evidence rebuilds the arm with the prior faded by discount^pulls, reward sum capped by pulls")
  void evidenceRebuildsTheArm() {
    Arm arm = Arm.fromEvidence(0.75, 2, 1, 2, 5, 0.5);
    assertThat(arm.alpha()).isCloseTo(1 + 2 * 0.75 * 0.25 + 2, offset(EXACT));
    assertThat(arm.beta()).isCloseTo(1 + 2 * 0.25 * 0.25 + 1, offset(EXACT));
    assertThat(arm.rewardSum()).isEqualTo(2);
  }
}
