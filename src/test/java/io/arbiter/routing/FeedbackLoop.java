package io.arbiter.routing;

import io.arbiter.registry.Capabilities;
import io.arbiter.registry.MatchScore;
import io.arbiter.registry.Performance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The learning router in a closed loop, one task at a time through {@link Planner#plan}: each assignment succeeds
 * with the chosen agent's hidden rate, its reward updates the agent's arm, and the next task is planned with the
 * updated {@link ArmTable}. The routing draws and the outcomes use separate generators seeded from one seed.
 */
final class FeedbackLoop {

  static final String TENANT = "t";
  static final String TYPE = "code-editing";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final Bandit.Settings settings;
  private final SplittableRandom routing;
  private final SplittableRandom outcomes;
  private final Map<String, Candidate> agents = new LinkedHashMap<>();
  private final Map<String, Double> hiddenRates = new HashMap<>();
  private final Map<ArmTable.Key, Arm> arms = new HashMap<>();
  private final List<Decision> decisions = new ArrayList<>();

  FeedbackLoop(long seed, Bandit.Settings settings) {
    this.settings = settings;
    this.routing = new SplittableRandom(seed);
    this.outcomes = new SplittableRandom(seed * 31 + 7);
  }

  /** Adds an agent whose prior is {@code priorRate} and whose tasks succeed with {@code hiddenRate}. */
  FeedbackLoop agent(String id, double priorRate, double hiddenRate) {
    agents.put(id, candidate(id, priorRate));
    hiddenRates.put(id, hiddenRate);
    return this;
  }

  FeedbackLoop hiddenRate(String id, double hiddenRate) {
    hiddenRates.put(id, hiddenRate);
    return this;
  }

  /** Routes {@code n} tasks, one at a time, learning from each outcome. */
  FeedbackLoop run(int n) {
    for (int i = 0; i < n; i++) {
      QueuedTask task = task(decisions.size());
      ArmTable table = ArmTable.of(arms);
      Decision decision = Planner.plan(List.of(task), List.copyOf(agents.values()),
          RoutingStrategy.learning(table, settings, routing)).get(0).decision();
      Candidate chosen = agents.get(decision.agentId());
      double reward = Arm.reward(outcomes.nextDouble() < hiddenRates.get(decision.agentId()), null);
      arms.put(new ArmTable.Key(TENANT, TYPE, decision.agentId()),
          table.arm(task, chosen).updated(reward, settings.discount()));
      decisions.add(decision);
    }
    return this;
  }

  List<Decision> decisions() {
    return decisions;
  }

  int size() {
    return decisions.size();
  }

  /** The share of the decisions in [from, to) that went to {@code agentId}. */
  double share(String agentId, int from, int to) {
    return decisions.subList(from, to).stream().filter(d -> d.agentId().equals(agentId)).count()
        / (double) (to - from);
  }

  static Candidate candidate(String id, double successRate) {
    return new Candidate(TENANT, id, new Capabilities(List.of(TYPE), List.of(), List.of()), 4, 0,
        new Performance(successRate, 0.8, 1000, 0));
  }

  static QueuedTask task(int n) {
    return new QueuedTask(new UUID(1, n), TENANT, TYPE, 5, T0.plusSeconds(n),
        new MatchScore.Need(TYPE, List.of(), List.of()), 0);
  }
}
