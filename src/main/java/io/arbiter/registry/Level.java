package io.arbiter.registry;

/** Expertise in one specialization, earned from that specialization's own results. {@link #weight} feeds scoring. */
public enum Level {
  NOVICE(0.25), INTERMEDIATE(0.5), EXPERT(0.75), MASTER(1.0);

  public final double weight;

  Level(double weight) {
    this.weight = weight;
  }

  public String wire() {
    return name().toLowerCase();
  }

  public static Level fromWire(String value) {
    return valueOf(value.toUpperCase());
  }
}
