package io.arbiter.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What an agent can do: task types (one must match), languages, and specializations with earned levels. */
public record Capabilities(List<String> taskTypes, List<String> languages, List<Specialization> specializations) {

  /** One specialization tag and the level the agent has earned in it. */
  public record Specialization(String name, Level level, long taskCount) {
    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("level", level.wire()).put("taskCount", taskCount);
    }

    public static Specialization fromJson(JsonObject json) {
      return new Specialization(json.getString("name"), Level.fromWire(json.getString("level")),
          json.getLong("taskCount", 0L));
    }
  }

  public Capabilities {
    taskTypes = List.copyOf(taskTypes);
    languages = List.copyOf(languages);
    specializations = List.copyOf(specializations);
  }

  public JsonObject toJson() {
    return new JsonObject().put("taskTypes", new JsonArray(taskTypes)).put("languages", new JsonArray(languages))
        .put("specializations", specializationsJson());
  }

  public JsonArray specializationsJson() {
    return new JsonArray(specializations.stream().map(Specialization::toJson).toList());
  }

  /**
   * These capabilities with each specialization's level earned from its record (none: its starting level stays) and
   * its task count.
   */
  public Capabilities withEarnedLevels(java.util.Map<String, SpecializationRecord> records,
                                       Levels.Thresholds thresholds, double fallbackQuality) {
    List<Specialization> earned = specializations.stream().map(s -> {
      SpecializationRecord record = records.get(s.name());
      return record == null ? s
          : new Specialization(s.name(), record.earned(thresholds, s.level(), fallbackQuality), record.tasks());
    }).toList();
    return new Capabilities(taskTypes, languages, earned);
  }

  /** Specializations whose names are new start at {@code startLevel}; known ones keep what they earned. */
  public static Capabilities fromRequest(JsonObject json, Level startLevel, List<Specialization> known) {
    List<Specialization> specs = strings(json.getJsonArray("specializations")).stream()
        .distinct()
        .map(name -> known.stream().filter(s -> s.name().equals(name)).findFirst()
            .orElse(new Specialization(name, startLevel, 0)))
        .toList();
    return new Capabilities(strings(json.getJsonArray("taskTypes")).stream().distinct().toList(),
        strings(json.getJsonArray("languages")).stream().distinct().toList(), specs);
  }

  public static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(String::valueOf).toList();
  }
}
