package io.arbiter.bus;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * One task or agent event of the live streams ({@code /api/v1/stream}, {@code /api/v1/events}): made from an audit
 * record once it is in the chained log, so a stream shows only what was committed, in the log's order. {@code type}
 * is the audit action ({@code task.queued}, {@code task.assigned}, {@code task.succeeded}, {@code agent.registered},
 * …); {@code taskId} and {@code agentId} say what it is about (a task event names its agent when it has one).
 */
public record StreamEvent(long id, String at, String tenantId, String type, String taskId, String agentId,
                          JsonObject details) {

  /** The stream event of an audit record, when it is a task or agent event. */
  public static Optional<StreamEvent> fromAudit(long id, Instant at, String tenantId, String action, String target,
                                                JsonObject details) {
    if (action.startsWith("task.") && target.startsWith("task:")) {
      return Optional.of(new StreamEvent(id, at.toString(), tenantId, action, target.substring(5),
          details.getString("agentId"), details));
    }
    if (action.startsWith("agent.") && target.startsWith("agent:")) {
      return Optional.of(new StreamEvent(id, at.toString(), tenantId, action, null, target.substring(6), details));
    }
    return Optional.empty();
  }

  /** Whether a subscriber of {@code tenantId} with these filters (each null for any) wants this event; {@code type}
   * matches the event type exactly or as a prefix ending with a dot ({@code task.}). */
  public boolean matches(String tenantId, String task, String agent, String type) {
    return this.tenantId.equals(tenantId)
        && (task == null || task.equalsIgnoreCase(taskId))
        && (agent == null || agent.equals(agentId))
        && (type == null || type.equals(this.type) || (type.endsWith(".") && this.type.startsWith(type)));
  }

  /** The event as streamed: without the tenant, which the subscriber knows. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("at", at).put("type", type).put("taskId", taskId).put("agentId", agentId)
        .put("details", details);
  }

  /** The event as published on the bus (with its tenant). */
  public JsonObject toBus() {
    return toJson().put("tenantId", tenantId);
  }

  public static StreamEvent fromBus(JsonObject json) {
    return new StreamEvent(json.getLong("id"), json.getString("at"), json.getString("tenantId"), json.getString("type"),
        json.getString("taskId"), json.getString("agentId"), json.getJsonObject("details"));
  }
}
