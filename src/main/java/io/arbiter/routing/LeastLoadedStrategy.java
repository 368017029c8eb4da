package io.arbiter.routing;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Lowest load ratio among capable agents; ties to the best match score. Confidence is the share of free capacity. */
final class LeastLoadedStrategy implements RoutingStrategy {

  static final Comparator<Scored> ORDER = Comparator.comparingDouble((Scored s) -> s.candidate().loadRatio())
      .thenComparing(Comparator.comparingDouble(Scored::score).reversed())
      .thenComparing(s -> s.candidate().agentId());

  @Override
  public String name() {
    return "least-loaded";
  }

  @Override
  public Optional<Decision> choose(QueuedTask task, List<Scored> capable) {
    List<Scored> ranked = capable.stream().sorted(ORDER).toList();
    Scored best = ranked.get(0);
    Candidate agent = best.candidate();
    String rationale = "lowest load %d/%d of %d capable agents (match score %.3f)".formatted(agent.currentLoad(),
        agent.maxConcurrentTasks(), ranked.size(), best.score());
    return Optional.of(new Decision(agent.agentId(), name(), best.score(), 1.0 - agent.loadRatio(),
        Planner.alternatives(ranked), rationale, null));
  }
}
