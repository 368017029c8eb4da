package io.arbiter.routing;

import static io.arbiter.config.ConfigKey.ROUTING_BATCH_SIZE;
import static io.arbiter.config.ConfigKey.ROUTING_LANES;
import static io.arbiter.config.ConfigKey.ROUTING_LEARNING_COLD_START_BONUS;
import static io.arbiter.config.ConfigKey.ROUTING_LEARNING_COLD_START_PULLS;
import static io.arbiter.config.ConfigKey.ROUTING_LEARNING_DISCOUNT;
import static io.arbiter.config.ConfigKey.ROUTING_LEARNING_EXPLORATION;
import static io.arbiter.config.ConfigKey.ROUTING_POLL_INTERVAL_MS;

import io.arbiter.config.ConfigValues;
import io.arbiter.registry.Levels;

/**
 * The {@code routing.*} settings read at start. {@code learning}'s exploration is the start value; the live one is
 * {@link io.arbiter.config.LiveSettings#exploration()}.
 */
public record RoutingSettings(int lanes, int batchSize, long pollIntervalMs, Bandit.Settings learning,
                              Levels.Thresholds levels) {

  /** How many dispatch lanes {@code routing.lanes} asks for: 0 means one per available core. */
  public int laneCount() {
    return lanes > 0 ? lanes : Runtime.getRuntime().availableProcessors();
  }

  /** Reads the settings; bad level bars throw a {@link io.arbiter.config.ConfigException} naming their keys. */
  public static RoutingSettings from(ConfigValues v) {
    return new RoutingSettings(v.integer(ROUTING_LANES), v.integer(ROUTING_BATCH_SIZE),
        v.number(ROUTING_POLL_INTERVAL_MS),
        new Bandit.Settings(v.decimal(ROUTING_LEARNING_EXPLORATION), v.integer(ROUTING_LEARNING_COLD_START_PULLS),
            v.decimal(ROUTING_LEARNING_COLD_START_BONUS), v.decimal(ROUTING_LEARNING_DISCOUNT)),
        Levels.Thresholds.from(v));
  }
}
