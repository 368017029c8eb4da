package io.arbiter.policy;

import java.util.Optional;

/**
 * One result gate: a named check of a completed attempt's report against its task's budget and quality gates. A rule
 * that the task does not set ({@link #applies}) is not checked. Adding a rule is one class and one entry in
 * {@link ResultGates#RULES}; its {@link #name} is what a failed attempt, a waiver and the verdict's audit event name.
 */
public interface Rule {

  /** The rule's stable name, e.g. {@code budget.max-files}. */
  String name();

  /** Whether the task's policy sets this rule. */
  boolean applies(TaskPolicy policy);

  /** Empty when the report keeps the rule, else why it does not (no secret: figures only). */
  Optional<String> check(TaskPolicy policy, Report report);
}
