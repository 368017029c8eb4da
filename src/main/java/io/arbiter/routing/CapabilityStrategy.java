package io.arbiter.routing;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Best match score; ties to the lowest load. Confidence is the score margin over the runner-up, relative to it. */
final class CapabilityStrategy implements RoutingStrategy {

  static final Comparator<Scored> ORDER = Comparator.comparingDouble(Scored::score).reversed()
      .thenComparingDouble(s -> s.candidate().loadRatio())
      .thenComparing(s -> s.candidate().agentId());

  @Override
  public String name() {
    return "capability";
  }

  @Override
  public Optional<Decision> choose(QueuedTask task, List<Scored> capable) {
    List<Scored> ranked = capable.stream().sorted(ORDER).toList();
    Scored best = ranked.get(0);
    String rationale;
    double confidence;
    if (ranked.size() == 1) {
      confidence = 1.0;
      rationale = "only capable agent with a free slot; match score %.3f".formatted(best.score());
    } else {
      Scored next = ranked.get(1);
      confidence = best.score() <= 0 ? 0 : Math.max(0, Math.min(1, (best.score() - next.score()) / best.score()));
      rationale = best.score() > next.score()
          ? "best match score %.3f of %d capable agents (next %s at %.3f)".formatted(best.score(), ranked.size(),
              next.candidate().agentId(), next.score())
          : "tied best match score %.3f with %s; lower load %d/%d wins".formatted(best.score(),
              next.candidate().agentId(), best.candidate().currentLoad(), best.candidate().maxConcurrentTasks());
    }
    return Optional.of(new Decision(best.candidate().agentId(), name(), best.score(), confidence,
        Planner.alternatives(ranked), rationale, null));
  }
}
