package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sampler's arithmetic on scripted draws; {@link BanditTest} checks the distributions' moments. */
@DisplayName("Beta and Gamma sampling, draw by draw")
class BetaSamplerTest {

  private static final double EXACT = 1e-12;

  @Test
  @DisplayName("a Gaussian draw of 0 that is accepted gives Gamma(a) = a − 1/3")
  void zeroGaussianGivesTheShapeLessAThird() {
    assertThat(BetaSampler.gamma(new ScriptedRandom().gaussian(0).uniform(0.5), 3.5)).isCloseTo(3.5 - 1.0 / 3,
        offset(EXACT));
    assertThat(BetaSampler.gamma(new ScriptedRandom().gaussian(0).uniform(0.5), 1)).as("shape 1 takes no boost")
        .isCloseTo(2.0 / 3, offset(EXACT));
  }

  @Test
  @DisplayName("an accepted draw x gives d·(1 + c·x)³ with d = a − 1/3 and c = 1/√(9d)")
  void acceptedDrawIsCubed() {
    // shape 4/3: d = 1, c = 1/3; x = 0.5 gives (7/6)³
    assertThat(BetaSampler.gamma(new ScriptedRandom().gaussian(0.5).uniform(0), 4.0 / 3))
        .isCloseTo(343.0 / 216, offset(1e-9));
  }

  @Test
  @DisplayName("c is 1/√(9d): shape 9⅓ has d = 9, c = 1/9, so x = 0.9 gives 9·1.1³")
  void scaleOfTheGaussianDraw() {
    assertThat(BetaSampler.gamma(new ScriptedRandom().gaussian(0.9).uniform(0), 28.0 / 3))
        .isCloseTo(9 * 1.331, offset(1e-9));
  }

  @Test
  @DisplayName("a draw is accepted when log u < x²/2 + d·(1 − v + log v), even where the quick squeeze fails")
  void exactTestDecidesBeyondTheSqueeze() {
    // shape 9⅓, x = 3: the squeeze 1 − 0.0331·x⁴ is negative; the exact bound is e^−0.0658… ≈ 0.936
    ScriptedRandom inside = new ScriptedRandom().gaussian(3).uniform(0.9);
    assertThat(BetaSampler.gamma(inside, 28.0 / 3)).isCloseTo(9 * 64.0 / 27, offset(1e-9));
    assertThat(inside.used()).isTrue();

    ScriptedRandom outside = new ScriptedRandom().gaussian(3, 0).uniform(0.95, 0.5);
    assertThat(BetaSampler.gamma(outside, 28.0 / 3)).as("redrawn, then x = 0 gives d").isCloseTo(9, offset(1e-9));
    assertThat(outside.used()).isTrue();
  }

  @Test
  @DisplayName("a draw that makes 1 + c·x negative, or that fails both acceptance tests, is drawn again")
  void rejectedDrawsAreDrawnAgain() {
    ScriptedRandom negative = new ScriptedRandom().gaussian(-100, 0).uniform(0.5);
    assertThat(BetaSampler.gamma(negative, 4.0 / 3)).isCloseTo(1, offset(EXACT));
    assertThat(negative.used()).isTrue();

    ScriptedRandom refused = new ScriptedRandom().gaussian(1, 0).uniform(0.9999, 0.5);
    assertThat(BetaSampler.gamma(refused, 3.5)).isCloseTo(3.5 - 1.0 / 3, offset(EXACT));
    assertThat(refused.used()).isTrue();
  }

  @Test
  @DisplayName("a shape below 1 is boosted: Gamma(a) = Gamma(a + 1)·U^(1/a)")
  void shapesBelowOneAreBoosted() {
    double gammaOfOneAndAHalf = 1.5 - 1.0 / 3;
    assertThat(BetaSampler.gamma(new ScriptedRandom().gaussian(0).uniform(0.5, 0.25), 0.5))
        .isCloseTo(gammaOfOneAndAHalf * 0.0625, offset(EXACT));
  }

  @Test
  @DisplayName("Beta(α, β) is X / (X + Y) of the two Gamma draws")
  void betaIsTheShareOfTheFirstGamma() {
    ScriptedRandom random = new ScriptedRandom().gaussian(0, 0).uniform(0.5, 0.5);
    assertThat(BetaSampler.beta(random, 2, 1)).isCloseTo((5.0 / 3) / (5.0 / 3 + 2.0 / 3), offset(EXACT));
  }

  @Test
  @DisplayName("when both Gamma draws are 0 the draw is the mean α / (α + β)")
  void twoZeroGammasGiveTheMean() {
    ScriptedRandom random = new ScriptedRandom().gaussian(0, 0).uniform(0.5, 0, 0.5, 0);
    assertThat(BetaSampler.beta(random, 0.5, 0.3)).isEqualTo(0.5 / 0.8);
  }

  @Test
  @DisplayName("shapes must be positive")
  void shapesMustBePositive() {
    assertThatThrownBy(() -> BetaSampler.beta(new ScriptedRandom(), 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BetaSampler.beta(new ScriptedRandom(), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BetaSampler.beta(new ScriptedRandom(), Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
