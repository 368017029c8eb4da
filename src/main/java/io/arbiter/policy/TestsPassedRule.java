package io.arbiter.policy;

import java.util.Optional;

/** {@code gate.tests-passed}: when the task's gates ask for it, the attempt reported {@code testsPassed: true}. */
final class TestsPassedRule implements Rule {

  @Override
  public String name() {
    return "gate.tests-passed";
  }

  @Override
  public boolean applies(TaskPolicy policy) {
    return Boolean.TRUE.equals(policy.testsPassed());
  }

  @Override
  public Optional<String> check(TaskPolicy policy, Report report) {
    if (report.testsPassed() == null) {
      return Optional.of("testsPassed was not reported; the gate requires passing tests");
    }
    return report.testsPassed() ? Optional.empty() : Optional.of("the tests did not pass");
  }
}
