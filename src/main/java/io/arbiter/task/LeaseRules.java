package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * What an agent's call on a task under lease answers, given what its statement found ({@link TaskRepository.Guarded}):
 * the lease after an ack, a heartbeat or progress, the answer to a result, or why the call is refused. Pure: the
 * statements decide and lock; these rules only read their outcome, so a repeated call answers as the first one did.
 */
final class LeaseRules {
  private LeaseRules() {}

  /** The answer to an ack: the running lease, also for a repeat of the ack that moved it. */
  static JsonObject acked(UUID id, String agentId, int attempt, TaskRepository.Guarded g) {
    if (g == null) {
      throw TaskRepository.notFound();
    }
    if (!g.moved() && !(g.state() == TaskState.RUNNING && heldBy(g, agentId, attempt))) {
      throw refusal(id, g, agentId, attempt, "acknowledge");
    }
    return lease(id, attempt, TaskState.RUNNING, g, false);
  }

  /**
   * The answer to a heartbeat or a progress report: the extended lease, or {@code canceled: true} when the task was
   * canceled while the agent held it (the agent stops).
   */
  static JsonObject extended(UUID id, String agentId, int attempt, TaskRepository.Guarded g, boolean progress) {
    if (g.moved()) {
      return lease(id, attempt, TaskState.RUNNING, g, false);
    }
    if (g.state() == TaskState.CANCELED && heldBy(g, agentId, attempt)) {
      return lease(id, attempt, TaskState.CANCELED, null, true);
    }
    throw refusal(id, g, agentId, attempt, progress ? "report progress on" : "extend the lease of");
  }

  /** The answer to a result that this call recorded. */
  static JsonObject recorded(UUID id, int attempt, String outcome, TaskRepository.Guarded g) {
    return new JsonObject().put("taskId", id.toString()).put("attempt", attempt).put("outcome", outcome)
        .put("state", g.afterState()).put("repeated", false);
  }

  /**
   * The answer to a result that recorded nothing: a repeat answers the attempt's first outcome ({@code first}); with
   * none recorded, the result is refused.
   */
  static JsonObject repeated(UUID id, String agentId, int attempt, String first, TaskRepository.Guarded g) {
    if (first == null) {
      throw refusal(id, g, agentId, attempt, "report a result for");
    }
    return new JsonObject().put("taskId", id.toString()).put("attempt", attempt).put("outcome", first)
        .put("state", g.state().wire()).put("repeated", true);
  }

  /** Why an agent's call on a task was refused: not its task, a stale attempt, or a state that does not allow it. */
  static ArbiterException refusal(UUID id, TaskRepository.Guarded g, String agentId, int attempt, String action) {
    if (!agentId.equals(g.holder())) {
      return Failure.CONFLICT.exception("task " + id + " is not held by agent " + agentId + " (it is "
          + g.state().wire() + ")");
    }
    if (g.attempt() != attempt) {
      return Failure.CONFLICT.exception("attempt " + attempt + " is stale: task " + id + " is on attempt "
          + g.attempt() + " (" + g.state().wire() + ")");
    }
    return Failure.CONFLICT.exception("cannot " + action + " task " + id + ": it is " + g.state().wire());
  }

  private static boolean heldBy(TaskRepository.Guarded g, String agentId, int attempt) {
    return agentId.equals(g.holder()) && g.attempt() == attempt;
  }

  private static JsonObject lease(UUID id, int attempt, TaskState state, TaskRepository.Guarded g, boolean canceled) {
    return new JsonObject().put("taskId", id.toString()).put("attempt", attempt).put("state", state.wire())
        .put("leaseExpiresAt", TaskJson.time(g == null ? null : g.leaseExpiresAt())).put("canceled", canceled);
  }
}
