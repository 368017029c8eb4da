package io.arbiter.config;

import io.vertx.core.json.JsonObject;

/**
 * The settings that change at run time without a restart (the keys marked reloadable in {@link ConfigKey}).
 * Verticles receive a fresh copy on {@link io.arbiter.bus.Addresses#CONFIG_CHANGED}.
 */
public record LiveSettings(long heartbeatWindowMs, int defaultPageSize, String logLevel, String routingStrategy,
                           double exploration) {

  public static LiveSettings from(ConfigValues v) {
    return new LiveSettings(v.number(ConfigKey.REGISTRY_HEARTBEAT_WINDOW_MS), v.integer(ConfigKey.API_DEFAULT_PAGE_SIZE),
        v.text(ConfigKey.LOG_LEVEL), v.text(ConfigKey.ROUTING_STRATEGY),
        v.decimal(ConfigKey.ROUTING_LEARNING_EXPLORATION));
  }

  public JsonObject toJson() {
    return new JsonObject().put("heartbeatWindowMs", heartbeatWindowMs).put("defaultPageSize", defaultPageSize)
        .put("logLevel", logLevel).put("routingStrategy", routingStrategy).put("exploration", exploration);
  }

  public static LiveSettings fromJson(JsonObject json) {
    return new LiveSettings(json.getLong("heartbeatWindowMs"), json.getInteger("defaultPageSize"),
        json.getString("logLevel"), json.getString("routingStrategy"), json.getDouble("exploration"));
  }
}
