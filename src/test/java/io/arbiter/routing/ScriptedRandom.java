package io.arbiter.routing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/**
 * A generator that returns given Gaussian and uniform values in order, so that a sampler's arithmetic can be checked
 * exactly. Any other draw, or one more than scripted, fails the test.
 */
final class ScriptedRandom implements RandomGenerator {
  private final Deque<Double> gaussians = new ArrayDeque<>();
  private final Deque<Double> uniforms = new ArrayDeque<>();

  ScriptedRandom gaussian(double... values) {
    for (double value : values) {
      gaussians.add(value);
    }
    return this;
  }

  ScriptedRandom uniform(double... values) {
    for (double value : values) {
      uniforms.add(value);
    }
    return this;
  }

  boolean used() {
    return gaussians.isEmpty() && uniforms.isEmpty();
  }

  @Override
  public double nextGaussian() {
    if (gaussians.isEmpty()) {
      throw new IllegalStateException("no Gaussian value scripted");
    }
    return gaussians.remove();
  }

  @Override
  public double nextDouble() {
    if (uniforms.isEmpty()) {
      throw new IllegalStateException("no uniform value scripted");
    }
    return uniforms.remove();
  }

  @Override
  public long nextLong() {
    throw new UnsupportedOperationException("only Gaussian and uniform draws are scripted");
  }
}
