package io.arbiter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SoakVerdictTest {

  private static final List<Double> MINUTES = List.of(30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0);

  @Test
  @DisplayName("a series that grows 1 MB every 10 minutes has a slope of 6 MB an hour and no error")
  void fitsASteadyGrowth() {
    Soak.Fit fit = Soak.fit(MINUTES, MINUTES.stream().map(m -> 20 + m / 10).toList());

    assertThat(fit.slopePerHour()).isCloseTo(6.0, within(1e-9));
    assertThat(fit.standardError()).isCloseTo(0.0, within(1e-9));
    assertThat(fit.lowerBound()).isCloseTo(6.0, within(1e-9));
  }

  @Test
  @DisplayName("noise around a flat line leaves a lower bound below zero, so it is not read as growth")
  void flatNoiseIsNotGrowth() {
    Soak.Fit fit = Soak.fit(MINUTES, List.of(22.4, 22.9, 22.3, 22.8, 22.2, 22.7, 22.4));

    assertThat(Math.abs(fit.slopePerHour())).isLessThan(2.0);
    assertThat(fit.lowerBound()).isLessThan(0.0);
  }

  @Test
  @DisplayName("two samples give no error estimate, so the lower bound cannot exceed any bound")
  void tooFewSamplesAreNeverGrowth() {
    Soak.Fit fit = Soak.fit(List.of(1.0, 2.0), List.of(10.0, 20.0));

    assertThat(fit.lowerBound()).isNegative().isInfinite();
  }
}
