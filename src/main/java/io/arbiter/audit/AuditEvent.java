package io.arbiter.audit;

import io.arbiter.bus.RequestContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One audit record, before it is appended. {@code details}, {@code target} and
 * {@code userAgent} are redacted on construction, so no secret can reach the audit log whichever path built the event.
 */
public record AuditEvent(String tenantId, String actorSub, String actorRole, String action, String target,
                         Outcome outcome, String clientIp, String userAgent, String correlationId, JsonObject details,
                         List<String> tags) {

  public enum Outcome {
    SUCCESS, FAILURE, DENIED;

    public String wire() {
      return name().toLowerCase();
    }

    public static Outcome fromWire(String value) {
      return valueOf(value.toUpperCase());
    }
  }

  /** Compliance tags carried by security events (authentication failures, refusals). */
  public static final List<String> SECURITY_TAGS = List.of("security", "SOX", "PCI-DSS");

  public AuditEvent {
    details = Redactor.redact(details == null ? new JsonObject() : details);
    target = Redactor.redactText(target);
    userAgent = Redactor.userAgent(userAgent);
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** An event done by the caller of a request. */
  public static AuditEvent of(RequestContext ctx, String action, String target, Outcome outcome, JsonObject details) {
    return new AuditEvent(ctx.tenantId(), nonNull(ctx.subject(), "anonymous"), nonNull(ctx.role(), "none"), action,
        target, outcome, ctx.clientIp(), ctx.userAgent(), ctx.correlationId(), details, List.of());
  }

  public AuditEvent withTags(List<String> extra) {
    return new AuditEvent(tenantId, actorSub, actorRole, action, target, outcome, clientIp, userAgent, correlationId,
        details, extra);
  }

  private static String nonNull(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }

  public JsonObject toJson() {
    return new JsonObject().put("tenantId", tenantId).put("actorSub", actorSub).put("actorRole", actorRole)
        .put("action", action).put("target", target).put("outcome", outcome.wire()).put("clientIp", clientIp)
        .put("userAgent", userAgent).put("correlationId", correlationId).put("details", details)
        .put("tags", new JsonArray(tags));
  }

  public static AuditEvent fromJson(JsonObject json) {
    JsonArray tags = json.getJsonArray("tags", new JsonArray());
    return new AuditEvent(json.getString("tenantId"), json.getString("actorSub"), json.getString("actorRole"),
        json.getString("action"), json.getString("target"), Outcome.fromWire(json.getString("outcome")),
        json.getString("clientIp"), json.getString("userAgent"), json.getString("correlationId"),
        json.getJsonObject("details"), tags.stream().map(String::valueOf).toList());
  }
}
