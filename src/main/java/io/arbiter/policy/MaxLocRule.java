package io.arbiter.policy;

import java.util.Optional;

/** {@code budget.max-loc}: the attempt changed at most the budget's {@code maxLoc} lines. */
final class MaxLocRule implements Rule {

  @Override
  public String name() {
    return "budget.max-loc";
  }

  @Override
  public boolean applies(TaskPolicy policy) {
    return policy.maxLoc() != null;
  }

  @Override
  public Optional<String> check(TaskPolicy policy, Report report) {
    if (report.linesChanged() == null) {
      return Optional.of("linesChanged was not reported; the budget allows " + policy.maxLoc() + " lines");
    }
    return report.linesChanged() > policy.maxLoc()
        ? Optional.of(report.linesChanged() + " lines changed; the budget allows " + policy.maxLoc())
        : Optional.empty();
  }
}
