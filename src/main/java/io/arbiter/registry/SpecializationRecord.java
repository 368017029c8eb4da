package io.arbiter.registry;

import io.vertx.core.json.JsonObject;

/**
 * An agent's own record in one specialization: the tasks that required it, how many succeeded, and the sum and count
 * of the qualities reported. Written by each result (task/TaskSql.RESULT); the level it earns is computed from it when
 * read, with the thresholds in config, so that a change of thresholds applies to every record at once.
 */
public record SpecializationRecord(String name, long tasks, long successes, double qualitySum, long qualityCount) {

  /** SQL: the records of the agent row aliased {@code a}, as a JSON array of {@link #fromJson} objects. */
  public static final String RECORDS_OF_AGENT_A = """
      COALESCE((SELECT jsonb_agg(jsonb_build_object('name', s.name, 'tasks', s.tasks, 'successes', s.successes,
                                                    'qualitySum', s.quality_sum, 'qualityCount', s.quality_count))
                FROM specialization_records s
                WHERE s.tenant_id = a.tenant_id AND s.agent_id = a.id), '[]'::jsonb)""";

  public static SpecializationRecord fromJson(JsonObject json) {
    return new SpecializationRecord(json.getString("name"), json.getLong("tasks"), json.getLong("successes"),
        json.getDouble("qualitySum"), json.getLong("qualityCount"));
  }

  /**
   * The level this record earns over the agent's starting level ({@code baseline}, from its model family). Without a
   * reported quality, {@code fallbackQuality} (the agent's average quality) stands in.
   */
  public Level earned(Levels.Thresholds thresholds, Level baseline, double fallbackQuality) {
    double successRate = tasks == 0 ? 0 : successes / (double) tasks;
    double quality = qualityCount == 0 ? fallbackQuality : qualitySum / qualityCount;
    return Levels.earned(thresholds, tasks, successRate, quality, baseline);
  }
}
