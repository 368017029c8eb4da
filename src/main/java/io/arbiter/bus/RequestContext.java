package io.arbiter.bus;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Who asked, for which tenant, and under which correlation id. Travels in event-bus headers with every request so
 * that domain verticles scope SQL by tenant, audit the actor and log the correlation id.
 */
public record RequestContext(String correlationId, String tenantId, String subject, String role, String clientIp,
                             String userAgent) {

  public static final String CORRELATION_ID = "correlation-id";
  public static final String TENANT = "tenant";
  public static final String SUBJECT = "subject";
  public static final String ROLE = "role";
  public static final String CLIENT_IP = "client-ip";
  public static final String USER_AGENT = "user-agent";

  /** The tenant of system work (config reloads, sweeps) that belongs to no client. */
  public static final String SYSTEM_TENANT = "_system";

  /** The wire name of the agent role (the token roles themselves are defined by ingress). */
  public static final String AGENT_ROLE = "agent";
  /** The role that sees across tenants where an operation allows it (the global audit verification, a named tenant's
   * task list). */
  public static final String PLATFORM_ROLE = "platform";

  /** Whether the caller holds the platform role. */
  public boolean platform() {
    return java.util.Arrays.asList(role.split(",")).contains(PLATFORM_ROLE);
  }

  /** Whether the caller holds the agent role and no other: it acts only for itself, within what it was given. */
  public boolean agentOnly() {
    return AGENT_ROLE.equals(role);
  }

  public static RequestContext system(String correlationId) {
    return new RequestContext(correlationId, SYSTEM_TENANT, "arbiter", "system", null, null);
  }

  public DeliveryOptions deliveryOptions(long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    put(options, CORRELATION_ID, correlationId);
    put(options, TENANT, tenantId);
    put(options, SUBJECT, subject);
    put(options, ROLE, role);
    put(options, CLIENT_IP, clientIp);
    put(options, USER_AGENT, userAgent);
    return options;
  }

  private static void put(DeliveryOptions options, String name, String value) {
    if (value != null) {
      options.addHeader(name, value);
    }
  }

  public static RequestContext from(Message<?> message) {
    MultiMap h = message.headers();
    return new RequestContext(h.get(CORRELATION_ID), h.get(TENANT), h.get(SUBJECT), h.get(ROLE), h.get(CLIENT_IP),
        h.get(USER_AGENT));
  }

  /** The context as JSON (for the outage journal, which replays a request after the process that took it died). */
  public JsonObject toJson() {
    return new JsonObject().put(CORRELATION_ID, correlationId).put(TENANT, tenantId).put(SUBJECT, subject)
        .put(ROLE, role).put(CLIENT_IP, clientIp).put(USER_AGENT, userAgent);
  }

  public static RequestContext fromJson(JsonObject json) {
    return new RequestContext(json.getString(CORRELATION_ID), json.getString(TENANT), json.getString(SUBJECT),
        json.getString(ROLE), json.getString(CLIENT_IP), json.getString(USER_AGENT));
  }
}
