package io.arbiter.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every {@link ConfigKey} resolved to a validated value. Built from the merged JSON that vertx-config produces:
 * nested conf-file keys, flat {@code ARBITER_*} environment names and flat {@code arbiter.*} system properties.
 */
public final class ConfigValues {

  private final Map<ConfigKey, Object> values;

  private ConfigValues(Map<ConfigKey, Object> values) {
    this.values = values;
  }

  /** Resolves and validates every key; the first bad one throws a {@link ConfigException} naming it. */
  public static ConfigValues from(JsonObject merged) {
    Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
    for (ConfigKey key : ConfigKey.values()) {
      Source source = resolve(merged, key);
      if (source.raw == null) {
        throw new ConfigException("config key " + key.path() + " is missing (set it in conf/arbiter.json or "
            + key.envName() + ")");
      }
      try {
        values.put(key, key.kind().parse(source.raw));
      } catch (IllegalArgumentException e) {
        String shown = key.secret() ? e.getMessage().replace(String.valueOf(source.raw), "****") : e.getMessage();
        throw new ConfigException("config key " + key.path() + " (from " + source.origin + ") " + shown);
      }
    }
    return new ConfigValues(values);
  }

  private record Source(Object raw, String origin) {}

  private static Source resolve(JsonObject merged, ConfigKey key) {
    if (merged.getValue(key.propertyName()) != null) {
      return new Source(merged.getValue(key.propertyName()), "system property " + key.propertyName());
    }
    if (merged.getValue(key.envName()) != null) {
      return new Source(merged.getValue(key.envName()), "environment " + key.envName());
    }
    Object node = merged;
    for (String part : key.path().split("\\.")) {
      node = node instanceof JsonObject json ? json.getValue(part) : null;
    }
    return new Source(node, "conf file");
  }

  public long number(ConfigKey key) {
    return (Long) values.get(key);
  }

  public int integer(ConfigKey key) {
    return Math.toIntExact(number(key));
  }

  public double decimal(ConfigKey key) {
    return (Double) values.get(key);
  }

  public String text(ConfigKey key) {
    return (String) values.get(key);
  }

  public Object get(ConfigKey key) {
    return values.get(key);
  }

  /** One change between two resolved configurations. */
  public record Change(ConfigKey key, Object from, Object to) {
    public JsonObject toJson() {
      return new JsonObject().put("key", key.path()).put("from", key.display(from)).put("to", key.display(to))
          .put("reloadable", key.reloadable());
    }
  }

  public List<Change> changesTo(ConfigValues next) {
    List<Change> changes = new ArrayList<>();
    for (ConfigKey key : ConfigKey.values()) {
      if (!Objects.equals(values.get(key), next.values.get(key))) {
        changes.add(new Change(key, values.get(key), next.values.get(key)));
      }
    }
    return changes;
  }

  /** A copy of these values with the given changes applied (used to apply only the reloadable ones). */
  public ConfigValues with(List<Change> changes) {
    Map<ConfigKey, Object> copy = new EnumMap<>(values);
    changes.forEach(change -> copy.put(change.key(), change.to()));
    return new ConfigValues(copy);
  }
}
