package io.arbiter.routing;

import java.util.random.RandomGenerator;

/**
 * Draws from Beta(α, β) as X / (X + Y) with X ~ Gamma(α) and Y ~ Gamma(β), each drawn with Marsaglia and Tsang's
 * method ("A simple method for generating gamma variables", 2000); shapes below 1 use the boost
 * Gamma(a) = Gamma(a + 1)·U^(1/a). Pure: the randomness comes from the caller's generator.
 */
final class BetaSampler {
  private BetaSampler() {}

  static double beta(RandomGenerator random, double alpha, double beta) {
    if (!(alpha > 0) || !(beta > 0)) {
      throw new IllegalArgumentException("Beta shapes must be positive: " + alpha + ", " + beta);
    }
    double x = gamma(random, alpha);
    double y = gamma(random, beta);
    double sum = x + y;
    return sum > 0 ? x / sum : alpha / (alpha + beta);
  }

  /** Gamma(shape, scale 1). */
  static double gamma(RandomGenerator random, double shape) {
    if (shape < 1) {
      return gamma(random, shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      double x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
        return d * v;
      }
    }
  }
}
