package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.callback.CallbackSettings;
import io.arbiter.callback.CallbackUrl;
import io.arbiter.bus.CanonicalJson;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.policy.TenantLimits;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * A task as submitted, checked against the configured limits (the contract already checked its shape) and given its
 * id. {@code requestHash} identifies the body for idempotency: the same key with another body is a conflict.
 * {@code acceptedAt} is set only for a submission replayed from the outage journal: the task keeps the time it was
 * accepted as its age. {@code flow} says when it may join the queue and how long it may wait there.
 * {@code callbackUrl} (or null) is where its completion callback goes ({@link CallbackUrl}).
 */
public record Submission(UUID id, RequestContext ctx, String type, int priority, Object payload,
                         JsonObject requirements, JsonObject budget, JsonObject gates, long timeoutMs, int maxAttempts,
                         String idempotencyKey, String requestHash, String acceptedAt, Flow flow,
                         String callbackUrl) {

  public static final int DEFAULT_PRIORITY = 5;

  /**
   * @param tenantLimits the caller's tenant's limits: one it breaks answers {@link Failure#UNPROCESSABLE} naming the
   *                     rule; a task without a budget gets the tenant's file and line limits as its budget, and one
   *                     without a queue time-out the tenant's default before {@code tasks.defaultQueueTimeoutMs}
   * @param field how to name the submission's fields in errors: "" for a single task, "tasks[3]." in a batch
   * @param callbacks which callback URLs are accepted
   */
  public static Submission from(JsonObject body, String idempotencyKey, RequestContext ctx,
                                ArbiterConfig.Tasks limits, TenantLimits tenantLimits, String field,
                                CallbackSettings callbacks) {
    Object payload = body.getValue("payload");
    int payloadBytes = Json.encode(payload).getBytes(StandardCharsets.UTF_8).length;
    if (payloadBytes > limits.maxPayloadBytes()) {
      throw new ArbiterException(Failure.PAYLOAD_TOO_LARGE, field + "payload is " + payloadBytes
          + " bytes; the limit is " + limits.maxPayloadBytes() + " (tasks.maxPayloadBytes)",
          new JsonObject().put("field", field + "payload"));
    }
    JsonObject budget = body.getJsonObject("budget", new JsonObject());
    tenantLimits.check(new TenantLimits.Asked(body.getString("type"), budget, payloadBytes)).ifPresent(refusal -> {
      throw new ArbiterException(Failure.UNPROCESSABLE, (field.isEmpty() ? "" : field.substring(0, field.length() - 1)
          + ": ") + refusal.rule() + ": " + refusal.message(),
          new JsonObject().put("field", field + refusal.field()).put("rule", refusal.rule()));
    });
    long timeoutMs = body.getLong("timeoutMs", limits.defaultTimeoutMs());
    if (timeoutMs < limits.minTimeoutMs() || timeoutMs > limits.maxTimeoutMs()) {
      throw invalid(field + "timeoutMs", "must be from " + limits.minTimeoutMs() + " to " + limits.maxTimeoutMs()
          + " ms, got " + timeoutMs);
    }
    int maxAttempts = body.getInteger("maxAttempts", limits.defaultMaxAttempts());
    if (maxAttempts > limits.maxAttemptsLimit()) {
      throw invalid(field + "maxAttempts", "must be at most " + limits.maxAttemptsLimit() + ", got " + maxAttempts);
    }
    Flow flow = Flow.from(body, tenantLimits.queueTimeoutDefault(limits.defaultQueueTimeoutMs()), Instant.now(), field);
    return new Submission(TaskIds.next(), ctx, body.getString("type"), body.getInteger("priority", DEFAULT_PRIORITY),
        payload, body.getJsonObject("requirements", new JsonObject()), tenantLimits.effectiveBudget(budget),
        body.getJsonObject("gates", new JsonObject()), timeoutMs, maxAttempts, idempotencyKey,
        CanonicalJson.sha256(body), null, flow, CallbackUrl.check(body.getJsonObject("callback"), callbacks, field));
  }

  /** This submission with more parents (a workflow's edges into it). */
  Submission withParents(java.util.List<Flow.Edge> parents, String field) {
    return new Submission(id, ctx, type, priority, payload, requirements, budget, gates, timeoutMs, maxAttempts,
        idempotencyKey, requestHash, acceptedAt, flow.withParents(parents, field), callbackUrl);
  }

  /** The submission as the outage journal keeps it, stamped with the time it was accepted. */
  JsonObject toJournal() {
    return toRecord().put("accepted_at", java.time.Instant.now().toString());
  }

  /** A submission read back from the outage journal. */
  static Submission fromJournal(JsonObject r, RequestContext ctx) {
    return new Submission(UUID.fromString(r.getString("id")), ctx, r.getString("type"), r.getInteger("priority"),
        r.getValue("payload"), r.getJsonObject("requirements"), r.getJsonObject("budget"), r.getJsonObject("gates"),
        r.getLong("timeout_ms"), r.getInteger("max_attempts"), r.getString("idempotency_key"),
        r.getString("request_hash"), r.getString("accepted_at"), Flow.fromRecord(r), r.getString("callback_url"));
  }

  private static ArbiterException invalid(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }

  /** One element of {@link TaskSql#SUBMIT}'s input. */
  JsonObject toRecord() {
    return new JsonObject()
        .put("id", id.toString()).put("tenant_id", ctx.tenantId()).put("type", type).put("priority", priority)
        .put("payload", payload).put("requirements", requirements).put("budget", budget).put("gates", gates)
        .put("timeout_ms", timeoutMs)
        .put("max_attempts", maxAttempts).put("idempotency_key", idempotencyKey).put("request_hash", requestHash)
        .put("actor_sub", ctx.subject()).put("actor_role", ctx.role()).put("client_ip", ctx.clientIp())
        .put("user_agent", ctx.userAgent()).put("correlation_id", ctx.correlationId()).put("accepted_at", acceptedAt)
        .put("callback_url", callbackUrl)
        .mergeIn(flow.toRecord());
  }
}
