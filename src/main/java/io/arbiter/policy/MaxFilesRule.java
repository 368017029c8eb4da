package io.arbiter.policy;

import java.util.Optional;

/** {@code budget.max-files}: the attempt changed at most the budget's {@code maxFiles} files. */
final class MaxFilesRule implements Rule {

  @Override
  public String name() {
    return "budget.max-files";
  }

  @Override
  public boolean applies(TaskPolicy policy) {
    return policy.maxFiles() != null;
  }

  @Override
  public Optional<String> check(TaskPolicy policy, Report report) {
    if (report.filesChanged() == null) {
      return Optional.of("filesChanged was not reported; the budget allows " + policy.maxFiles() + " files");
    }
    return report.filesChanged() > policy.maxFiles()
        ? Optional.of(report.filesChanged() + " files changed; the budget allows " + policy.maxFiles())
        : Optional.empty();
  }
}
