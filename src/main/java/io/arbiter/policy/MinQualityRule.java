package io.arbiter.policy;

import java.util.Optional;

/** {@code gate.min-quality}: the reported quality is at or above the gate's {@code minQuality}. */
final class MinQualityRule implements Rule {

  @Override
  public String name() {
    return "gate.min-quality";
  }

  @Override
  public boolean applies(TaskPolicy policy) {
    return policy.minQuality() != null;
  }

  @Override
  public Optional<String> check(TaskPolicy policy, Report report) {
    if (report.quality() == null) {
      return Optional.of("quality was not reported; the gate requires at least " + policy.minQuality());
    }
    return report.quality() < policy.minQuality()
        ? Optional.of("quality " + report.quality() + " is below the gate's " + policy.minQuality())
        : Optional.empty();
  }
}
