package io.arbiter.registry;

import io.vertx.core.json.JsonObject;

/**
 * An agent's own record in one specialization: the tasks that required it, how many succeeded, and the sum and count
 * of the qualities reported. Written by the outcome fold that applies each recorded result ({@link #foldCte}); the
 * level it earns is computed from it when read, with the thresholds in config, so that a change of thresholds applies
 * to every record at once.
 */
public record SpecializationRecord(String name, long tasks, long successes, double qualitySum, long qualityCount) {

  /** SQL: the records of the agent row aliased {@code a}, as a JSON array of {@link #fromJson} objects. */
  public static final String RECORDS_OF_AGENT_A = """
      COALESCE((SELECT jsonb_agg(jsonb_build_object('name', s.name, 'tasks', s.tasks, 'successes', s.successes,
                                                    'qualitySum', s.quality_sum, 'qualityCount', s.quality_count))
                FROM specialization_records s
                WHERE s.tenant_id = a.tenant_id AND s.agent_id = a.id), '[]'::jsonb)""";

  /**
   * SQL: {@code name AS (INSERT INTO specialization_records ... ON CONFLICT DO UPDATE)}, for the outcome fold (a task
   * statement): each of {@code outcomes} ({@code seq, tenant_id, agent_id, specializations} (a JSON array of names),
   * {@code outcome, quality}) counts once in the agent's record of every specialization it names. The agents must be
   * among {@code locked} ({@code tenant_id, id}: the agent rows the statement holds locked, which orders these writes
   * after the agent locks).
   */
  public static String foldCte(String name, String outcomes, String locked) {
    return """
        %s AS (
          INSERT INTO specialization_records AS s (tenant_id, agent_id, name, tasks, successes, quality_sum,
                                                   quality_count)
          SELECT x.tenant_id, x.agent_id, x.name, count(*), count(*) FILTER (WHERE x.outcome = 'succeeded'),
                 COALESCE(sum(x.quality), 0), count(x.quality)
          FROM (
            SELECT DISTINCT b.seq, b.tenant_id, b.agent_id, sp.name, b.outcome, b.quality
            FROM %s b CROSS JOIN LATERAL jsonb_array_elements_text(b.specializations) AS sp(name)
          ) x
          JOIN %s l ON l.tenant_id = x.tenant_id AND l.id = x.agent_id
          GROUP BY x.tenant_id, x.agent_id, x.name
          ON CONFLICT (tenant_id, agent_id, name) DO UPDATE SET
            tasks = s.tasks + EXCLUDED.tasks, successes = s.successes + EXCLUDED.successes,
            quality_sum = s.quality_sum + EXCLUDED.quality_sum,
            quality_count = s.quality_count + EXCLUDED.quality_count, updated_at = now()
        )""".formatted(name, outcomes, locked);
  }

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
