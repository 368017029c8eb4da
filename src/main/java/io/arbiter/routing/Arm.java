package io.arbiter.routing;

/**
 * What the router has learned about one agent for one (tenant, task type): a Beta posterior on its reward, which is
 * success weighted by reported quality ({@link #reward}).
 *
 * <p>{@code alpha − 1} and {@code beta − 1} are the discounted evidence for and against the agent on top of a uniform
 * Beta(1, 1); both are fractional because rewards are. {@code pulls} counts every recorded outcome and
 * {@code rewardSum} adds their rewards, neither discounted: they are for reporting, not for the posterior.
 *
 * @param alpha     Beta posterior α, at least 1
 * @param beta      Beta posterior β, at least 1
 * @param pulls     outcomes recorded
 * @param rewardSum sum of their rewards
 */
public record Arm(double alpha, double beta, long pulls, double rewardSum) {

  /** Pseudo-observations a new arm's prior is worth: enough to start from the baseline, few enough to move fast. */
  public static final double PRIOR_WEIGHT = 2.0;

  public Arm {
    if (!(alpha >= 1) || !(beta >= 1) || pulls < 0 || !(rewardSum >= 0)) {
      throw new IllegalArgumentException("invalid arm alpha=%s beta=%s pulls=%d rewardSum=%s"
          .formatted(alpha, beta, pulls, rewardSum));
    }
  }

  /**
   * A new arm: the uniform Beta(1, 1) plus {@link #PRIOR_WEIGHT} pseudo-observations at {@code priorMean}, the
   * agent's model-family baseline success rate ({@code ModelBaselines}) or its running success rate. Its
   * {@link #mean()} is {@code priorMean} pulled towards ½ (0.75 gives 0.625), and the pseudo-observations fade with
   * the discount like any other evidence.
   */
  public static Arm prior(double priorMean) {
    double m = unit(priorMean);
    return new Arm(1 + PRIOR_WEIGHT * m, 1 + PRIOR_WEIGHT * (1 - m), 0, 0);
  }

  /**
   * The arm as stored (V4__routing_learning.sql): the prior mean it started from and the discounted evidence since,
   * so that concurrent results can add to it with one upsert. After {@code pulls} updates by {@link #updated}, the
   * prior's pseudo-observations have faded by {@code discount^pulls}:
   * <pre>
   *   α = 1 + PRIOR_WEIGHT·priorMean·discount^pulls + gained
   *   β = 1 + PRIOR_WEIGHT·(1 − priorMean)·discount^pulls + lost
   * </pre>
   * which is exactly {@code prior(priorMean)} followed by {@code pulls} calls of {@code updated(reward, discount)}.
   */
  public static Arm fromEvidence(double priorMean, double gained, double lost, long pulls, double rewardSum,
                                 double discount) {
    double m = unit(priorMean);
    double fade = Math.pow(discount, pulls);
    return new Arm(1 + PRIOR_WEIGHT * m * fade + gained, 1 + PRIOR_WEIGHT * (1 - m) * fade + lost, pulls,
        Math.min(rewardSum, pulls));
  }

  /**
   * The reward of one outcome: 0 on failure; on success the reported quality, or 1 when none was reported; clamped to
   * [0, 1]. The posterior is thus a Beta posterior on success, weighted by reported quality.
   */
  public static double reward(boolean succeeded, Double quality) {
    if (!succeeded) {
      return 0;
    }
    return quality == null || quality.isNaN() ? 1.0 : unit(quality);
  }

  /**
   * This arm after one more outcome, with discounted Thompson sampling's update (Raj and Kalyani, 2017): the evidence
   * so far is multiplied by {@code discount}, then the reward is added to it,
   * <pre>
   *   α' = 1 + discount·(α − 1) + reward
   *   β' = 1 + discount·(β − 1) + (1 − reward)
   * </pre>
   * The evidence thus never exceeds {@code 1 / (1 − discount)} outcomes (100 at 0.99), each outcome's weight halves
   * after {@code ln ½ / ln discount} more (69 at 0.99), and the posterior of an agent whose quality drops follows it
   * within that many of its tasks instead of being anchored by its whole history. {@code discount} 1 keeps everything
   * (the stationary Beta-Bernoulli update). The discount applies when the arm itself is updated: an arm that is not
   * picked keeps what it knows.
   *
   * @param reward   in [0, 1], see {@link #reward}
   * @param discount in (0, 1]
   */
  public Arm updated(double reward, double discount) {
    if (!(reward >= 0 && reward <= 1)) {
      throw new IllegalArgumentException("reward must be in [0, 1]: " + reward);
    }
    if (!(discount > 0 && discount <= 1)) {
      throw new IllegalArgumentException("discount must be in (0, 1]: " + discount);
    }
    return new Arm(1 + discount * (alpha - 1) + reward, 1 + discount * (beta - 1) + (1 - reward), pulls + 1,
        rewardSum + reward);
  }

  /** The posterior mean of the reward. */
  public double mean() {
    return alpha / (alpha + beta);
  }

  /** The posterior variance of the reward. */
  public double variance() {
    double n = alpha + beta;
    return alpha * beta / (n * n * (n + 1));
  }

  private static double unit(double value) {
    return Math.max(0, Math.min(1, value));
  }
}
