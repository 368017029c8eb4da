package io.arbiter.config;

import io.vertx.core.json.JsonObject;

/**
 * The settings that change at run time without a restart (the keys marked reloadable in {@link ConfigKey}).
 * Verticles receive a fresh copy on {@link io.arbiter.bus.Addresses#CONFIG_CHANGED}.
 */
public record LiveSettings(long heartbeatWindowMs, int defaultPageSize, String logLevel, String routingStrategy,
                           double exploration, ArbiterConfig.Rates rates) {

  public static LiveSettings from(ConfigValues v) {
    return new LiveSettings(v.number(ConfigKey.REGISTRY_HEARTBEAT_WINDOW_MS), v.integer(ConfigKey.API_DEFAULT_PAGE_SIZE),
        v.text(ConfigKey.LOG_LEVEL), v.text(ConfigKey.ROUTING_STRATEGY),
        v.decimal(ConfigKey.ROUTING_LEARNING_EXPLORATION), rates(v));
  }

  /** The request rates and the authentication block ({@code http.rate.*}, {@code auth.failuresPerMinute}, ...). */
  public static ArbiterConfig.Rates rates(ConfigValues v) {
    return new ArbiterConfig.Rates(v.number(ConfigKey.HTTP_RATE_SUBMIT_PER_SECOND),
        v.number(ConfigKey.HTTP_RATE_AGENT_PER_SECOND), v.number(ConfigKey.HTTP_RATE_READ_PER_SECOND),
        v.number(ConfigKey.HTTP_RATE_ADDRESS_PER_SECOND), v.integer(ConfigKey.AUTH_FAILURES_PER_MINUTE),
        v.number(ConfigKey.AUTH_BLOCK_SECONDS) * 1000);
  }

  public JsonObject toJson() {
    return new JsonObject().put("heartbeatWindowMs", heartbeatWindowMs).put("defaultPageSize", defaultPageSize)
        .put("logLevel", logLevel).put("routingStrategy", routingStrategy).put("exploration", exploration)
        .put("rates", new JsonObject().put("submitPerSecond", rates.submitPerSecond())
            .put("agentPerSecond", rates.agentPerSecond()).put("readPerSecond", rates.readPerSecond())
            .put("addressPerSecond", rates.addressPerSecond())
            .put("authFailuresPerMinute", rates.authFailuresPerMinute()).put("authBlockMs", rates.authBlockMs()));
  }

  public static LiveSettings fromJson(JsonObject json) {
    JsonObject r = json.getJsonObject("rates");
    return new LiveSettings(json.getLong("heartbeatWindowMs"), json.getInteger("defaultPageSize"),
        json.getString("logLevel"), json.getString("routingStrategy"), json.getDouble("exploration"),
        new ArbiterConfig.Rates(r.getLong("submitPerSecond"), r.getLong("agentPerSecond"), r.getLong("readPerSecond"),
            r.getLong("addressPerSecond"), r.getInteger("authFailuresPerMinute"), r.getLong("authBlockMs")));
  }
}
