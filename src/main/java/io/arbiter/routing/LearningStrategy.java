package io.arbiter.routing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Learns which agent does each task type best: {@link Bandit Thompson sampling} over each capable agent's
 * {@link Arm} for the task's (tenant, type), looked up in an {@link ArmTable} (a prior from its success rate when it
 * has none). The highest sample wins; equal samples go to the better match score, then the lower load, then the agent
 * id.
 *
 * <p>The decision's {@code score} is the winner's sample, each alternative's score its own sample (alternatives
 * ranked by sample). {@code confidence} is the posterior probability that the winner's expected reward is above that
 * of its strongest rival, the other candidate with the highest posterior mean, with each Beta posterior approximated
 * by the normal of its mean and variance: near 1 when the winner is clearly the best, about ½ between equals, below ½
 * when the choice explored; 1 when it had no rival. The rationale starts with the mode ({@code exploit} or
 * {@code explore}), and {@code details} carry the figures it quotes:
 * <pre>
 *   {"mode": "exploit", "exploration": 1.0,
 *    "chosen": {"agentId", "sample", "mean", "pulls", "bonus"},
 *    "alternatives": [{"agentId", "sample", "mean", "pulls", "bonus"}, ...],
 *    "bestMean": {"agentId", "sample", "mean", "pulls", "bonus"}}
 * </pre>
 * where {@code bestMean} is the candidate with the highest posterior mean (the winner itself unless it explored).
 */
final class LearningStrategy implements RoutingStrategy {

  private final ArmTable arms;
  private final Bandit bandit;

  LearningStrategy(ArmTable arms, Bandit bandit) {
    this.arms = arms;
    this.bandit = bandit;
  }

  @Override
  public String name() {
    return "learning";
  }

  @Override
  public Optional<Decision> choose(QueuedTask task, List<Scored> capable) {
    List<Scored> ordered = capable.stream().sorted(CapabilityStrategy.ORDER).toList();
    List<Arm> armsInOrder = ordered.stream().map(s -> arms.arm(task, s.candidate())).toList();
    Bandit.Round round = bandit.draw(armsInOrder);
    Bandit.Draw chosen = round.chosen();
    List<Bandit.Draw> others = round.ranked().subList(1, round.ranked().size());
    List<Bandit.Draw> shown = others.stream().limit(Planner.MAX_ALTERNATIVES).toList();

    JsonObject details = new JsonObject()
        .put("mode", round.mode().wire())
        .put("exploration", bandit.settings().exploration())
        .put("chosen", json(chosen, ordered))
        .put("alternatives", new JsonArray(shown.stream().map(d -> json(d, ordered)).toList()))
        .put("bestMean", json(round.leader(), ordered));
    List<Decision.Alternative> alternatives = shown.stream()
        .map(d -> new Decision.Alternative(id(d, ordered), d.sample())).toList();
    return Optional.of(new Decision(id(chosen, ordered), name(), chosen.sample(),
        confidence(chosen, others, armsInOrder), alternatives, rationale(round, ordered), details));
  }

  private static double confidence(Bandit.Draw chosen, List<Bandit.Draw> others, List<Arm> arms) {
    Bandit.Draw rival = null;
    for (Bandit.Draw other : others) {
      if (rival == null || other.mean() > rival.mean()) {
        rival = other;
      }
    }
    if (rival == null) {
      return 1.0;
    }
    double spread = Math.sqrt(arms.get(chosen.index()).variance() + arms.get(rival.index()).variance());
    return Math.max(0, Math.min(1, normalCdf((chosen.mean() - rival.mean()) / spread)));
  }

  private static String rationale(Bandit.Round round, List<Scored> ordered) {
    Bandit.Draw chosen = round.chosen();
    StringBuilder out = new StringBuilder(round.mode().wire()).append(": ").append(sampled(chosen, ordered));
    if (round.ranked().size() == 1) {
      return out.append(", only capable agent with a free slot").toString();
    }
    out.append(", best of ").append(round.ranked().size());
    if (round.mode() == Bandit.Mode.EXPLORE) {
      Bandit.Draw leader = round.leader();
      return out.append(String.format(Locale.ROOT, "; %s has the best mean %.3f over %d pulls but sampled %.3f",
          id(leader, ordered), leader.mean(), leader.pulls(), leader.sample())).toString();
    }
    return out.append("; next ").append(sampled(round.ranked().get(1), ordered)).toString();
  }

  private static String sampled(Bandit.Draw draw, List<Scored> ordered) {
    String bonus = draw.bonus() > 0 ? String.format(Locale.ROOT, ", cold-start +%.3f", draw.bonus()) : "";
    return String.format(Locale.ROOT, "%s sampled %.3f (mean %.3f over %d pulls%s)", id(draw, ordered), draw.sample(),
        draw.mean(), draw.pulls(), bonus);
  }

  private static JsonObject json(Bandit.Draw draw, List<Scored> ordered) {
    return new JsonObject().put("agentId", id(draw, ordered)).put("sample", draw.sample()).put("mean", draw.mean())
        .put("pulls", draw.pulls()).put("bonus", draw.bonus());
  }

  private static String id(Bandit.Draw draw, List<Scored> ordered) {
    return ordered.get(draw.index()).candidate().agentId();
  }

  /** Φ(z), with Abramowitz and Stegun's 7.1.26 for erf (absolute error below 1.5e-7). */
  static double normalCdf(double z) {
    double x = Math.abs(z) / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * x);
    double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    double erf = 1 - poly * Math.exp(-x * x);
    return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }
}
