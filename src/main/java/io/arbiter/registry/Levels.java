package io.arbiter.registry;

import static io.arbiter.config.ConfigKey.ROUTING_LEVELS_EVALUATION_TASKS;
import static io.arbiter.config.ConfigKey.ROUTING_LEVELS_EXPERT;
import static io.arbiter.config.ConfigKey.ROUTING_LEVELS_INTERMEDIATE;
import static io.arbiter.config.ConfigKey.ROUTING_LEVELS_MASTER;

import io.arbiter.config.ConfigException;
import io.arbiter.config.ConfigValues;

/**
 * The {@link Level} an agent has earned in one specialization, from that specialization's own results: its task
 * count, success rate and average quality. Pure.
 *
 * <p>The rule: the level the record earns is the highest whose {@link Bar bar} it clears on all three figures
 * (NOVICE needs nothing). Until the specialization has {@link Thresholds#evaluationTasks()} tasks, the agent keeps at
 * least its model-family baseline ({@link ModelBaselines.Baseline#specializationLevel()}): a few results are too few
 * to judge it down, though enough good ones may already lift it. From that many tasks on, the record alone decides, in
 * both directions: an agent that does worse than its family's reputation is demoted.
 */
public final class Levels {
  private Levels() {}

  /**
   * What a level asks of a specialization's record; each figure is a minimum, inclusive.
   *
   * @param minTasks       tasks done in the specialization
   * @param minSuccessRate their success rate, 0 to 1
   * @param minQuality     their average quality, 0 to 1
   */
  public record Bar(long minTasks, double minSuccessRate, double minQuality) {
    public static final Bar NONE = new Bar(0, 0, 0);

    public Bar {
      if (minTasks < 0 || !(minSuccessRate >= 0 && minSuccessRate <= 1) || !(minQuality >= 0 && minQuality <= 1)) {
        throw new IllegalArgumentException("invalid level bar: %d tasks, success %s, quality %s"
            .formatted(minTasks, minSuccessRate, minQuality));
      }
    }

    /**
     * Reads a bar written {@code minTasks/minSuccessRate/minQuality}, e.g. {@code 50/0.8/0.75}. Throws
     * {@link IllegalArgumentException} when it is not one.
     */
    public static Bar parse(String text) {
      String[] parts = text.split("/", -1);
      if (parts.length != 3) {
        throw new IllegalArgumentException("'" + text + "' is not minTasks/minSuccessRate/minQuality");
      }
      return new Bar(Long.parseLong(parts[0].strip()), Double.parseDouble(parts[1].strip()),
          Double.parseDouble(parts[2].strip()));
    }

    boolean clearedBy(long tasks, double successRate, double quality) {
      return tasks >= minTasks && successRate >= minSuccessRate && quality >= minQuality;
    }

    boolean atMost(Bar other) {
      return minTasks <= other.minTasks && minSuccessRate <= other.minSuccessRate && minQuality <= other.minQuality;
    }
  }

  /**
   * The bars of the levels above NOVICE, each at least as high as the one below on every figure, and the minimum
   * tasks for novice evaluation.
   *
   * @param evaluationTasks below this many tasks in a specialization, the agent keeps at least its baseline level
   */
  public record Thresholds(long evaluationTasks, Bar intermediate, Bar expert, Bar master) {
    public static final long DEFAULT_EVALUATION_TASKS = 10;
    public static final Bar DEFAULT_INTERMEDIATE = new Bar(10, 0.6, 0.6);
    public static final Bar DEFAULT_EXPERT = new Bar(50, 0.8, 0.75);
    public static final Bar DEFAULT_MASTER = new Bar(200, 0.9, 0.85);
    public static final Thresholds DEFAULTS = new Thresholds(DEFAULT_EVALUATION_TASKS, DEFAULT_INTERMEDIATE,
        DEFAULT_EXPERT, DEFAULT_MASTER);

    public Thresholds {
      if (evaluationTasks < 0) {
        throw new IllegalArgumentException("evaluationTasks must be ≥ 0: " + evaluationTasks);
      }
      if (!intermediate.atMost(expert) || !expert.atMost(master)) {
        throw new IllegalArgumentException("level bars must not fall from intermediate to expert to master");
      }
    }

    /**
     * Reads {@code routing.levels.*}; bars that fall from one level to the next throw a {@link ConfigException}
     * naming the keys.
     */
    public static Thresholds from(ConfigValues v) {
      try {
        return new Thresholds(v.number(ROUTING_LEVELS_EVALUATION_TASKS), Bar.parse(v.text(ROUTING_LEVELS_INTERMEDIATE)),
            Bar.parse(v.text(ROUTING_LEVELS_EXPERT)), Bar.parse(v.text(ROUTING_LEVELS_MASTER)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("config keys " + ROUTING_LEVELS_INTERMEDIATE.path() + ", "
            + ROUTING_LEVELS_EXPERT.path() + " and " + ROUTING_LEVELS_MASTER.path() + ": " + e.getMessage());
      }
    }

    public Bar bar(Level level) {
      return switch (level) {
        case NOVICE -> Bar.NONE;
        case INTERMEDIATE -> intermediate;
        case EXPERT -> expert;
        case MASTER -> master;
      };
    }
  }

  /**
   * The level earned in one specialization (see the rule above).
   *
   * @param tasks       tasks done in the specialization
   * @param successRate their success rate
   * @param quality     their average reported quality
   * @param baseline    the level the agent's model family starts at
   */
  public static Level earned(Thresholds thresholds, long tasks, double successRate, double quality, Level baseline) {
    if (tasks < 0) {
      throw new IllegalArgumentException("tasks must be ≥ 0: " + tasks);
    }
    Level record = Level.NOVICE;
    for (Level level : Level.values()) {
      if (thresholds.bar(level).clearedBy(tasks, successRate, quality)) {
        record = level;
      }
    }
    if (tasks < thresholds.evaluationTasks() && record.compareTo(baseline) < 0) {
      return baseline;
    }
    return record;
  }
}
