package io.arbiter.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The result gates: every {@link Rule}, and the verdict on one completed attempt. Pure: the caller reads the
 * task's policy and the waivers that may apply, and records the verdict with the attempt's outcome.
 */
public final class ResultGates {
  private ResultGates() {}

  /** Every result gate, in the order they are checked and reported. */
  public static final List<Rule> RULES = List.of(
      new MaxFilesRule(),
      new MaxLocRule(),
      new TestsPassedRule(),
      new MinCoverageRule(),
      new MinQualityRule());

  /** The names of {@link #RULES}: the rules a waiver may name. */
  public static final Set<String> NAMES = Collections.unmodifiableSet(RULES.stream().map(Rule::name)
      .collect(Collectors.<String, Set<String>>toCollection(LinkedHashSet::new)));

  /** The attempt being judged: which task (and its type), and which agent reported it. */
  public record Attempt(UUID taskId, String taskType, String agentId) {}

  /**
   * Checks {@code report} against every rule {@code policy} sets; a broken rule that one of {@code waivers} covers at
   * {@code now} is waived (the first covering waiver, by id order of the list, is named).
   */
  public static Verdict evaluate(TaskPolicy policy, Report report, Attempt attempt, List<Waiver> waivers,
                                 Instant now) {
    List<String> checked = new ArrayList<>();
    List<Verdict.Violation> violations = new ArrayList<>();
    List<Verdict.Waived> waived = new ArrayList<>();
    for (Rule rule : RULES) {
      if (!rule.applies(policy)) {
        continue;
      }
      checked.add(rule.name());
      Optional<String> broken = rule.check(policy, report);
      if (broken.isEmpty()) {
        continue;
      }
      Optional<Waiver> cover = waivers.stream()
          .filter(w -> w.covers(rule.name(), attempt.taskId(), attempt.taskType(), attempt.agentId(), now))
          .findFirst();
      if (cover.isPresent()) {
        waived.add(new Verdict.Waived(rule.name(), cover.get().id().toString(), broken.get()));
      } else {
        violations.add(new Verdict.Violation(rule.name(), broken.get()));
      }
    }
    Verdict.Kind kind = !violations.isEmpty() ? Verdict.Kind.FAIL
        : !waived.isEmpty() ? Verdict.Kind.WAIVED : Verdict.Kind.PASS;
    return new Verdict(kind, List.copyOf(checked), List.copyOf(violations), List.copyOf(waived));
  }
}
