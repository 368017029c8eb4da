package io.arbiter.policy;

import java.util.Optional;

/** {@code limit.max-loc}: a task's budget may allow at most the tenant's {@code maxLoc} lines. */
final class LimitMaxLocRule implements LimitRule {

  @Override
  public String name() {
    return "limit.max-loc";
  }

  @Override
  public Optional<TenantLimits.Refusal> check(TenantLimits limits, TenantLimits.Asked asked) {
    Integer wanted = asked.budget() == null ? null : asked.budget().getInteger("maxLoc");
    if (limits.maxLoc() == null || wanted == null || wanted <= limits.maxLoc()) {
      return Optional.empty();
    }
    return Optional.of(new TenantLimits.Refusal(name(), "budget.maxLoc", "budget.maxLoc " + wanted
        + " exceeds the tenant's limit of " + limits.maxLoc() + " lines"));
  }
}
