package io.arbiter.policy;

import java.util.Optional;

/** {@code limit.max-files}: a task's budget may allow at most the tenant's {@code maxFiles} files. */
final class LimitMaxFilesRule implements LimitRule {

  @Override
  public String name() {
    return "limit.max-files";
  }

  @Override
  public Optional<TenantLimits.Refusal> check(TenantLimits limits, TenantLimits.Asked asked) {
    Integer wanted = asked.budget() == null ? null : asked.budget().getInteger("maxFiles");
    if (limits.maxFiles() == null || wanted == null || wanted <= limits.maxFiles()) {
      return Optional.empty();
    }
    return Optional.of(new TenantLimits.Refusal(name(), "budget.maxFiles", "budget.maxFiles " + wanted
        + " exceeds the tenant's limit of " + limits.maxFiles() + " files"));
  }
}
