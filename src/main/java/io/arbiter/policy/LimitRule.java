package io.arbiter.policy;

import java.util.Optional;

/**
 * One tenant limit, checked when a task is submitted (before it can be assigned). Adding one is one class and one
 * entry in {@link TenantLimits#RULES}; a refusal answers 422 naming the rule.
 */
public interface LimitRule {

  /** The rule's stable name, e.g. {@code limit.max-files}. */
  String name();

  /** Empty when {@code asked} keeps the limit (or the tenant sets none), else the refusal. */
  Optional<TenantLimits.Refusal> check(TenantLimits limits, TenantLimits.Asked asked);
}
