package io.arbiter.support;

import io.arbiter.config.ConfigLoader;
import io.arbiter.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Config values for unit tests: the bundled defaults with flat {@code path → value} overrides on top. */
public final class TestConfig {
  private TestConfig() {}

  public static ConfigValues defaultsWith(Map<String, Object> overrides) {
    JsonObject merged = ConfigLoader.bundledDefaults();
    overrides.forEach((path, value) -> merged.put("arbiter." + path, value));
    return ConfigValues.from(merged);
  }
}
