package io.arbiter.policy;

import java.util.Optional;

/** {@code limit.task-types}: when the tenant lists allowed task types, a task's type is one of them. */
final class LimitTaskTypesRule implements LimitRule {

  @Override
  public String name() {
    return "limit.task-types";
  }

  @Override
  public Optional<TenantLimits.Refusal> check(TenantLimits limits, TenantLimits.Asked asked) {
    if (limits.taskTypes().isEmpty() || limits.taskTypes().contains(asked.type())) {
      return Optional.empty();
    }
    return Optional.of(new TenantLimits.Refusal(name(), "type", "task type " + asked.type()
        + " is not allowed for this tenant (allowed: " + String.join(", ", limits.taskTypes()) + ")"));
  }
}
