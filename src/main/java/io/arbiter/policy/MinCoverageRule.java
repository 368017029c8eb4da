package io.arbiter.policy;

import java.util.Optional;

/** {@code gate.min-coverage}: the reported coverage is at or above the gate's {@code minCoverage}. */
final class MinCoverageRule implements Rule {

  @Override
  public String name() {
    return "gate.min-coverage";
  }

  @Override
  public boolean applies(TaskPolicy policy) {
    return policy.minCoverage() != null;
  }

  @Override
  public Optional<String> check(TaskPolicy policy, Report report) {
    if (report.coverage() == null) {
      return Optional.of("coverage was not reported; the gate requires at least " + policy.minCoverage());
    }
    return report.coverage() < policy.minCoverage()
        ? Optional.of("coverage " + report.coverage() + " is below the gate's " + policy.minCoverage())
        : Optional.empty();
  }
}
