package io.arbiter.registry;

import java.util.Locale;
import java.util.Map;

/**
 * Where a new agent starts: priors per model family for its performance figures and the level of its
 * specializations, so that a newcomer is neither trusted blindly nor ignored. They are only starting points: real
 * completions move the figures away from them.
 */
public final class ModelBaselines {
  private ModelBaselines() {}

  /** A family's starting figures. */
  public record Baseline(double successRate, double averageQuality, double averageLatencyMs, Level specializationLevel) {
    public Performance performance() {
      return new Performance(successRate, averageQuality, averageLatencyMs, 0);
    }
  }

  public static final Baseline DEFAULT = new Baseline(0.6, 0.6, 120_000, Level.NOVICE);

  private static final Map<String, Baseline> BY_FAMILY = Map.of(
      "claude", new Baseline(0.75, 0.75, 90_000, Level.INTERMEDIATE),
      "gpt", new Baseline(0.72, 0.72, 90_000, Level.INTERMEDIATE),
      "gemini", new Baseline(0.7, 0.7, 90_000, Level.INTERMEDIATE),
      "llama", new Baseline(0.6, 0.6, 120_000, Level.NOVICE),
      "mistral", new Baseline(0.6, 0.6, 120_000, Level.NOVICE),
      "qwen", new Baseline(0.62, 0.62, 120_000, Level.NOVICE),
      "deepseek", new Baseline(0.65, 0.65, 120_000, Level.NOVICE),
      "script", new Baseline(0.9, 0.5, 10_000, Level.NOVICE));

  /** The baseline of a family name such as {@code claude}, {@code Claude-Sonnet-4} or {@code gpt-5}. */
  public static Baseline of(String modelFamily) {
    String family = modelFamily.toLowerCase(Locale.ROOT);
    return BY_FAMILY.entrySet().stream()
        .filter(e -> family.equals(e.getKey()) || family.startsWith(e.getKey() + "-") || family.startsWith(e.getKey()))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(DEFAULT);
  }
}
