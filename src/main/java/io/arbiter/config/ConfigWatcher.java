package io.arbiter.config;

import io.arbiter.bus.Addresses;
import io.vertx.config.ConfigRetriever;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies conf-file changes while the service runs: reloadable keys are applied (log level here, the rest by the
 * verticles that receive {@link Addresses#CONFIG_CHANGED}, where the audit verticle also records them); other keys
 * are logged as needing a restart and ignored; an invalid file is logged and ignored.
 */
public final class ConfigWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Vertx vertx;
  private ConfigValues current;

  public ConfigWatcher(Vertx vertx, ConfigValues initial) {
    this.vertx = vertx;
    this.current = initial;
  }

  public void watch(ConfigRetriever retriever) {
    retriever.listen(change -> onChange(change.getNewConfiguration()));
  }

  void onChange(JsonObject merged) {
    ConfigValues next;
    try {
      next = ConfigValues.from(merged);
    } catch (ConfigException e) {
      LOG.error("config change ignored: {}", e.getMessage());
      return;
    }
    List<ConfigValues.Change> changes = current.changesTo(next);
    List<ConfigValues.Change> applied = changes.stream().filter(c -> c.key().reloadable()).toList();
    changes.stream().filter(c -> !c.key().reloadable()).forEach(c ->
        LOG.warn("config key {} changed to {} but needs a restart; not applied", c.key().path(), c.key().display(c.to())));
    if (applied.isEmpty()) {
      return;
    }
    current = current.with(applied);
    LiveSettings live = LiveSettings.from(current);
    LogLevels.apply(live.logLevel());
    applied.forEach(c -> LOG.info("config key {} changed from {} to {}; applied", c.key().path(),
        c.key().display(c.from()), c.key().display(c.to())));
    JsonArray shown = new JsonArray(applied.stream().map(ConfigValues.Change::toJson).toList());
    vertx.eventBus().publish(Addresses.CONFIG_CHANGED, new JsonObject().put("settings", live.toJson()).put("changes", shown));
  }
}
