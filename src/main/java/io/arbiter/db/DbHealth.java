package io.arbiter.db;

import io.vertx.core.json.JsonObject;

/** A verticle's view of its database: its breaker's state and whether a ping just worked. */
public record DbHealth(String breaker, String state, boolean reachable, String detail) {

  public boolean breakerOpen() {
    return "OPEN".equals(state);
  }

  public JsonObject toJson() {
    return new JsonObject().put("breaker", breaker).put("state", state).put("reachable", reachable)
        .put("detail", detail);
  }

  public static DbHealth fromJson(JsonObject json) {
    return new DbHealth(json.getString("breaker"), json.getString("state"), json.getBoolean("reachable", false),
        json.getString("detail"));
  }
}
