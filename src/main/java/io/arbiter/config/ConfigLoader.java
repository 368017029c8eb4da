package io.arbiter.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds the vertx-config retriever: bundled defaults → conf file → environment → system properties, and turns
 * what it reads into {@link ConfigValues}.
 */
public final class ConfigLoader {

  /** The conf file read when neither {@code --conf} nor {@code ARBITER_CONF} names another. */
  public static final String DEFAULT_CONF_FILE = "conf/arbiter.json";
  private static final String BUNDLED_DEFAULTS = "conf/arbiter.json";

  private ConfigLoader() {}

  /**
   * The conf file to read: the explicit one, else {@code ARBITER_CONF}, else {@link #DEFAULT_CONF_FILE}; a relative
   * path is resolved against the working directory, as a relative {@code dataDir} is.
   */
  public static String confFile(String explicit) {
    String chosen = explicit;
    if (chosen == null || chosen.isBlank()) {
      chosen = System.getenv("ARBITER_CONF");
    }
    if (chosen == null || chosen.isBlank()) {
      chosen = DEFAULT_CONF_FILE;
    }
    return Path.of(chosen).toAbsolutePath().normalize().toString();
  }

  /**
   * @param overrides flat {@code arbiter.<path>} keys layered above everything else (tests use it; empty otherwise)
   * @param scanPeriodMs how often to look for changes; 0 or less reads once
   */
  public static ConfigRetriever retriever(Vertx vertx, String confFile, long scanPeriodMs, JsonObject overrides) {
    JsonArray envNames = new JsonArray(Arrays.stream(ConfigKey.values()).map(ConfigKey::envName).toList());
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(scanPeriodMs > 0 ? scanPeriodMs : Long.MAX_VALUE)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(bundledDefaults()))
        .addStore(new ConfigStoreOptions().setType("file").setFormat("json").setOptional(true)
            .setConfig(new JsonObject().put("path", confFile)))
        .addStore(new ConfigStoreOptions().setType("env")
            .setConfig(new JsonObject().put("keys", envNames).put("raw-data", true)))
        .addStore(new ConfigStoreOptions().setType("sys")
            .setConfig(new JsonObject().put("cache", false).put("raw-data", true)))
        .addStore(new ConfigStoreOptions().setType("json").setConfig(overrides));
    return ConfigRetriever.create(vertx, options);
  }

  /** Reads and validates once; fails with a {@link ConfigException} naming the bad key. */
  public static Future<ConfigValues> load(ConfigRetriever retriever) {
    return retriever.getConfig().map(ConfigValues::from);
  }

  /** The defaults shipped inside the jar (a copy of {@code conf/arbiter.json} made at build time). */
  public static JsonObject bundledDefaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(BUNDLED_DEFAULTS)) {
      if (in == null) {
        throw new ConfigException("bundled defaults " + BUNDLED_DEFAULTS + " are missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
