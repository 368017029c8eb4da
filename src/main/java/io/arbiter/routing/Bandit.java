package io.arbiter.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Thompson sampling over {@link Arm}s: each arm draws a plausible reward from its Beta posterior, the highest draw
 * wins. An agent is thus picked with the probability that it is the best one, given what is known.
 *
 * <p>Why Thompson sampling rather than UCB1: rewards here are fractional (success weighted by reported quality),
 * which a Beta posterior takes as they are; the draws are random, so the many assignments of one dispatch, each
 * sampled afresh before any of their outcomes is known, spread over the plausible best agents instead of all going to
 * the one with the highest deterministic index, as UCB1 would send them; and it works with discounted evidence
 * ({@link Arm#updated}), whose posterior widens again when an agent's evidence fades, where UCB1's bonus is derived
 * for stationary rewards and total counts.
 *
 * <p>Each arm's {@link Draw#sample() sample} is
 * <pre>
 *   sample = clamp(mean + exploration·(draw − mean), 0, 1) + bonus
 *   bonus  = coldStartBonus·(1 − pulls / coldStartPulls)   while pulls &lt; coldStartPulls, else 0
 * </pre>
 * where {@code draw} is a draw from the arm's Beta posterior and {@code mean} its mean. {@code exploration} 1 is plain
 * Thompson sampling; 0 compares the posterior means (no random draw at all: deterministic); above 1 spreads the draws
 * further from the means, so that weaker arms win more often. The cold-start bonus is deterministic and independent
 * of {@code exploration}: it makes a newcomer tried a few times before its own results decide (a sample may thus
 * exceed 1).
 *
 * <p>Not thread-safe: it uses its generator as it is.
 */
public final class Bandit {

  /**
   * How the bandit explores and forgets.
   *
   * @param exploration    ≥ 0; scales each draw's distance from the posterior mean (1 plain Thompson sampling, 0 the
   *                       means alone)
   * @param coldStartPulls ≥ 0; an arm with fewer outcomes than this gets a bonus (0: none)
   * @param coldStartBonus ≥ 0; the bonus of an arm without outcomes, falling linearly to 0 at coldStartPulls
   * @param discount       in (0, 1]; how much of an arm's evidence each new outcome keeps ({@link Arm#updated})
   */
  public record Settings(double exploration, int coldStartPulls, double coldStartBonus, double discount) {
    public static final double DEFAULT_EXPLORATION = 1.0;
    public static final int DEFAULT_COLD_START_PULLS = 5;
    public static final double DEFAULT_COLD_START_BONUS = 0.25;
    public static final double DEFAULT_DISCOUNT = 0.99;
    public static final Settings DEFAULTS = new Settings(DEFAULT_EXPLORATION, DEFAULT_COLD_START_PULLS,
        DEFAULT_COLD_START_BONUS, DEFAULT_DISCOUNT);

    public Settings {
      if (!(exploration >= 0) || Double.isInfinite(exploration)) {
        throw new IllegalArgumentException("exploration must be a finite number ≥ 0: " + exploration);
      }
      if (coldStartPulls < 0) {
        throw new IllegalArgumentException("coldStartPulls must be ≥ 0: " + coldStartPulls);
      }
      if (!(coldStartBonus >= 0) || Double.isInfinite(coldStartBonus)) {
        throw new IllegalArgumentException("coldStartBonus must be a finite number ≥ 0: " + coldStartBonus);
      }
      if (!(discount > 0 && discount <= 1)) {
        throw new IllegalArgumentException("discount must be in (0, 1]: " + discount);
      }
    }
  }

  /** Whether the winning arm is also the one with the best posterior mean. */
  public enum Mode {
    /** The winner has the highest posterior mean (ties included). */
    EXPLOIT,
    /** Another arm has a higher posterior mean: the winner was sampled above it. */
    EXPLORE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  /**
   * One arm's draw.
   *
   * @param index  the arm's position in the list given to {@link #draw}
   * @param sample the value compared, bonus included
   * @param mean   the posterior mean
   * @param pulls  the arm's outcomes so far
   * @param bonus  the cold-start bonus within {@code sample}
   */
  public record Draw(int index, double sample, double mean, long pulls, double bonus) {}

  /**
   * The draws of one round, highest sample first (equal samples keep the order the arms were given in), the draw of
   * the arm with the highest posterior mean (the first given among equals), and the mode of the winner.
   */
  public record Round(List<Draw> ranked, Draw leader, Mode mode) {
    public Draw chosen() {
      return ranked.get(0);
    }
  }

  private final Settings settings;
  private final RandomGenerator random;

  public Bandit(Settings settings, RandomGenerator random) {
    this.settings = settings;
    this.random = random;
  }

  public Settings settings() {
    return settings;
  }

  /** Draws once for each arm, in the order given, and ranks them. */
  public Round draw(List<Arm> arms) {
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("no arms to draw from");
    }
    List<Draw> draws = new ArrayList<>(arms.size());
    Draw leader = null;
    for (int i = 0; i < arms.size(); i++) {
      Draw draw = draw(i, arms.get(i));
      draws.add(draw);
      if (leader == null || draw.mean() > leader.mean()) {
        leader = draw;
      }
    }
    List<Draw> ranked = draws.stream().sorted(Comparator.comparingDouble(Draw::sample).reversed()).toList();
    Mode mode = ranked.get(0).mean() >= leader.mean() ? Mode.EXPLOIT : Mode.EXPLORE;
    return new Round(ranked, leader, mode);
  }

  private Draw draw(int index, Arm arm) {
    double mean = arm.mean();
    double posterior = settings.exploration() == 0 ? mean
        : clamp(mean + settings.exploration() * (BetaSampler.beta(random, arm.alpha(), arm.beta()) - mean));
    double bonus = arm.pulls() < settings.coldStartPulls()
        ? settings.coldStartBonus() * (1 - arm.pulls() / (double) settings.coldStartPulls())
        : 0;
    return new Draw(index, posterior + bonus, mean, arm.pulls(), bonus);
  }

  private static double clamp(double value) {
    return Math.max(0, Math.min(1, value));
  }
}
