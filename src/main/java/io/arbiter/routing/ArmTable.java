package io.arbiter.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The arms known at one dispatch, by (tenant, task type, agent). Immutable. An agent without an arm for a task type
 * starts from {@link Arm#prior} of its running success rate, which for a new agent is its model-family baseline.
 */
public final class ArmTable {

  /** Whose arm: one agent of one tenant, for one task type. */
  public record Key(String tenantId, String taskType, String agentId) {}

  private static final ArmTable EMPTY = new ArmTable(Map.of());

  private final Map<Key, Arm> arms;

  private ArmTable(Map<Key, Arm> arms) {
    this.arms = arms;
  }

  public static ArmTable empty() {
    return EMPTY;
  }

  public static ArmTable of(Map<Key, Arm> arms) {
    return new ArmTable(Map.copyOf(arms));
  }

  /** This table with {@code key}'s arm replaced (or added). */
  public ArmTable with(Key key, Arm arm) {
    Map<Key, Arm> copy = new HashMap<>(arms);
    copy.put(key, arm);
    return new ArmTable(Map.copyOf(copy));
  }

  public Optional<Arm> find(Key key) {
    return Optional.ofNullable(arms.get(key));
  }

  /** The candidate's arm for the task's type, or the prior of its running success rate. */
  public Arm arm(QueuedTask task, Candidate candidate) {
    Arm known = arms.get(new Key(task.tenantId(), task.type(), candidate.agentId()));
    return known != null ? known : Arm.prior(candidate.performance().successRate());
  }

  public Map<Key, Arm> asMap() {
    return arms;
  }

  public int size() {
    return arms.size();
  }
}
