package io.arbiter.routing;

import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Chooses an agent for a task among capable candidates that have a free slot. Implementations are pure (no I/O) and
 * must explain themselves: the {@link Decision}'s rationale describes the choice actually made. Strategies are named
 * in config ({@code routing.strategy}) and looked up with {@link #named(String)}.
 */
public interface RoutingStrategy {

  String name();

  /** @param capable candidates that can do the task (type, quality) and have a free slot; never empty */
  Optional<Decision> choose(QueuedTask task, List<Scored> capable);

  /** A candidate with its match score for the task. */
  record Scored(Candidate candidate, double score) {}

  /** Best match score; ties go to the lowest load, then the agent id. */
  static RoutingStrategy capability() {
    return new CapabilityStrategy();
  }

  /** Lowest load ratio among capable agents; ties go to the best match score, then the agent id. */
  static RoutingStrategy leastLoaded() {
    return new LeastLoadedStrategy();
  }

  /**
   * Thompson sampling over what each agent has earned on the task's type ({@link Bandit}, {@link LearningStrategy}):
   * mostly the agent that has done best, sometimes another that might do better.
   *
   * @param arms     the arms known at this dispatch; an agent without one starts from its success rate
   * @param settings exploration, cold start and discount
   * @param random   the source of the draws; not shared with another thread while the strategy is in use
   */
  static RoutingStrategy learning(ArmTable arms, Bandit.Settings settings, RandomGenerator random) {
    return new LearningStrategy(arms, new Bandit(settings, random));
  }

  static RoutingStrategy named(String name) {
    return switch (name) {
      case "capability" -> capability();
      case "least-loaded" -> leastLoaded();
      case "learning" -> throw new IllegalArgumentException("learning needs its arms: use learning(arms, settings, random)");
      default -> throw new IllegalArgumentException("unknown routing strategy " + name);
    };
  }
}
