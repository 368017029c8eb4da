package io.arbiter.registry;

import java.util.List;
import java.util.OptionalDouble;

/**
 * How well an agent fits a need, from 0 to 1. The task type must match (else the agent is not capable: empty).
 * Then: {@value #BASE} for the type, up to {@value #LANGUAGES} for the share of required languages it has, up to
 * {@value #SPECIALIZATIONS} for its levels in the required specializations, up to {@value #QUALITY} for its average
 * quality and up to {@value #FREE_CAPACITY} for its free capacity. Without required languages or specializations
 * those parts count in full.
 */
public final class MatchScore {
  private MatchScore() {}

  static final double BASE = 0.4;
  static final double LANGUAGES = 0.25;
  static final double SPECIALIZATIONS = 0.2;
  static final double QUALITY = 0.1;
  static final double FREE_CAPACITY = 0.05;

  /** What a task (or a capability query) needs. */
  public record Need(String taskType, List<String> languages, List<String> specializations) {
    public Need {
      languages = languages == null ? List.of() : List.copyOf(languages);
      specializations = specializations == null ? List.of() : List.copyOf(specializations);
    }
  }

  public static OptionalDouble of(Agent agent, Need need) {
    return of(agent.capabilities(), agent.currentLoad(), agent.maxConcurrentTasks(),
        agent.performance().averageQuality(), need);
  }

  public static OptionalDouble of(Capabilities caps, int currentLoad, int maxConcurrentTasks, double averageQuality,
                                  Need need) {
    if (!caps.taskTypes().contains(need.taskType())) {
      return OptionalDouble.empty();
    }
    double languages = need.languages().isEmpty() ? 1.0
        : need.languages().stream().filter(caps.languages()::contains).count() / (double) need.languages().size();
    double specializations = need.specializations().isEmpty() ? 1.0
        : need.specializations().stream()
            .mapToDouble(name -> caps.specializations().stream().filter(s -> s.name().equals(name))
                .mapToDouble(s -> s.level().weight).findFirst().orElse(0))
            .average().orElse(0);
    double freeCapacity = 1.0 - Math.min(1.0, currentLoad / (double) maxConcurrentTasks);
    double score = BASE + LANGUAGES * languages + SPECIALIZATIONS * specializations + QUALITY * averageQuality
        + FREE_CAPACITY * freeCapacity;
    return OptionalDouble.of(Math.round(score * 10_000) / 10_000.0);
  }
}
