package io.arbiter.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The body of a nudge on {@link Addresses#ROUTING_DISPATCH}: {@code {tenants: [...]}} names the tenants whose work
 * changed; {@code null} (or a body naming none) stands for every tenant. Agent events on
 * {@link Addresses#EVENTS_AGENT} wake their {@code tenantId} the same way.
 */
public final class DispatchWake {
  private DispatchWake() {}

  /** A nudge for every tenant: a slot freed somewhere, or the sender does not know whose. */
  public static final JsonObject ALL = null;

  public static JsonObject of(Collection<String> tenants) {
    return new JsonObject().put("tenants", new JsonArray(new ArrayList<>(new LinkedHashSet<>(tenants))));
  }

  /** The tenants a nudge or an agent event names, or {@code null} for every tenant. */
  public static List<String> tenants(JsonObject body) {
    if (body == null) {
      return null;
    }
    JsonArray named = body.getJsonArray("tenants");
    if (named != null) {
      List<String> tenants = new ArrayList<>(named.size());
      named.forEach(t -> tenants.add((String) t));
      return tenants;
    }
    String tenantId = body.getString("tenantId");
    return tenantId == null ? null : List.of(tenantId);
  }
}
