package io.arbiter.policy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * An operator's exception to one result gate {@link #rule} for a scope: one task, every task of a type, or every
 * attempt by an agent. It covers results reported before it expires and while it is not revoked.
 */
public record Waiver(UUID id, String tenantId, String rule, Scope scope, String scopeValue, String reason,
                     Instant expiresAt, String createdBy, Instant createdAt, Instant revokedAt, String revokedBy) {

  /** What a waiver's scope names. */
  public enum Scope {
    TASK, TASK_TYPE, AGENT;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Scope fromWire(String value) {
      return valueOf(value.toUpperCase(Locale.ROOT));
    }
  }

  public boolean active(Instant now) {
    return revokedAt == null && expiresAt.isAfter(now);
  }

  /** Whether it waives {@code rule} for an attempt at task {@code taskId} of type {@code taskType} by
   * {@code agentId}, at {@code now}. */
  public boolean covers(String rule, UUID taskId, String taskType, String agentId, Instant now) {
    if (!active(now) || !this.rule.equals(rule)) {
      return false;
    }
    return switch (scope) {
      case TASK -> scopeValue.equals(taskId.toString());
      case TASK_TYPE -> scopeValue.equals(taskType);
      case AGENT -> scopeValue.equals(agentId);
    };
  }

  public JsonObject toJson(Instant now) {
    return new JsonObject().put("id", id.toString()).put("tenantId", tenantId).put("rule", rule)
        .put("scope", new JsonObject().put("kind", scope.wire()).put("value", scopeValue)).put("reason", reason)
        .put("expiresAt", expiresAt.toString()).put("createdBy", createdBy).put("createdAt", createdAt.toString())
        .put("revokedAt", revokedAt == null ? null : revokedAt.toString()).put("revokedBy", revokedBy)
        .put("active", active(now));
  }
}
