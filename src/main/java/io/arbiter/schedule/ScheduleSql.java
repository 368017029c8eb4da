package io.arbiter.schedule;

/**
 * All SQL of the schedule domain. Every statement is scoped by tenant, except {@link #DUE}, the firing poll, which
 * reads every tenant's due schedules as the lease rescuer reads every tenant's leases. The reads of {@code tasks}
 * (the previous run's state, the runs listing) are reads only: tasks are written by the task domain, through
 * submissions over the bus.
 */
final class ScheduleSql {
  private ScheduleSql() {}

  /** $1 id, $2 tenant, $3 name, $4 cron, $5 time zone, $6 template, $7 overlap, $8 catch-up, $9 paused, $10 next run
   * at, $11 who, $12 the most schedules a tenant may hold. No row when the tenant already holds that many. */
  static final String INSERT = """
      INSERT INTO schedules (id, tenant_id, name, cron, time_zone, template, overlap, catch_up, paused, next_run_at,
                             created_by)
      SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
      WHERE (SELECT count(*) FROM schedules WHERE tenant_id = $2) < $12
      RETURNING *
      """;

  /** $1 tenant, $2 id. */
  static final String SELECT = "SELECT * FROM schedules WHERE tenant_id = $1 AND id = $2";

  /** $1 tenant, $2 id: the schedule, locked until the change commits (the firing poll's advance waits for it). */
  static final String SELECT_FOR_UPDATE = "SELECT * FROM schedules WHERE tenant_id = $1 AND id = $2 FOR UPDATE";

  /** $1 tenant, $2 id, $3 name, $4 cron, $5 time zone, $6 template, $7 overlap, $8 catch-up, $9 paused, $10 next run
   * at. */
  static final String UPDATE = """
      UPDATE schedules SET name = $3, cron = $4, time_zone = $5, template = $6, overlap = $7, catch_up = $8,
                           paused = $9, next_run_at = $10, updated_at = now()
      WHERE tenant_id = $1 AND id = $2
      RETURNING *
      """;

  /** $1 tenant, $2 id. Its runs go with it; their tasks stay. */
  static final String DELETE = "DELETE FROM schedules WHERE tenant_id = $1 AND id = $2 RETURNING *";

  /** $1 tenant, $2 created_at and $3 id of the cursor (or null), $4 limit. Newest first. */
  static final String LIST = """
      SELECT * FROM schedules
      WHERE tenant_id = $1
        AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $4
      """;

  /** $1 now, $2 limit: the schedules, of every tenant, whose next run is due and which are not paused, most overdue
   * first (index {@code schedules_due}). */
  static final String DUE = """
      SELECT * FROM schedules
      WHERE NOT paused AND next_run_at IS NOT NULL AND next_run_at <= $1
      ORDER BY next_run_at
      LIMIT $2
      """;

  /** $1 tenant, $2 task id: the task's state (no row once retention purged it). */
  static final String TASK_STATE = "SELECT state FROM tasks WHERE tenant_id = $1 AND id = $2";

  /**
   * The compare-and-set that ends an occurrence: $1 tenant, $2 schedule, $3 the next run as read (the guard), $4 the
   * next run after this step, $5 the occurrence handled (or null when the step fired nothing), $6 its outcome, $7 its
   * task (submitted only), $8 its detail, $9 the runs kept per schedule. Only the node whose guard still holds moves
   * the schedule on and records the run (once per occurrence: the primary key), and the oldest runs beyond $9 go.
   * Returns {@code advanced} (0 when another node or a change got there first) and {@code recorded}.
   */
  static final String ADVANCE = """
      WITH advanced AS (
        UPDATE schedules
        SET next_run_at = $4,
            last_run_task_id = COALESCE($7::uuid, last_run_task_id),
            last_run_at = CASE WHEN $7::uuid IS NULL THEN last_run_at ELSE $5::timestamptz END
        WHERE tenant_id = $1 AND id = $2 AND next_run_at = $3
        RETURNING id, tenant_id
      ), recorded AS (
        INSERT INTO schedule_runs (schedule_id, tenant_id, occurrence_at, outcome, task_id, detail)
        SELECT id, tenant_id, $5::timestamptz, $6, $7::uuid, $8 FROM advanced WHERE $5::timestamptz IS NOT NULL
        ON CONFLICT (schedule_id, occurrence_at) DO NOTHING
        RETURNING 1
      ), pruned AS (
        DELETE FROM schedule_runs
        WHERE tenant_id = $1 AND schedule_id = $2 AND EXISTS (SELECT 1 FROM advanced)
          AND occurrence_at <= (SELECT occurrence_at FROM schedule_runs WHERE tenant_id = $1 AND schedule_id = $2
                                ORDER BY occurrence_at DESC OFFSET $9 LIMIT 1)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM advanced) AS advanced, (SELECT count(*) FROM recorded) AS recorded
      """;

  /** $1 tenant, $2 schedule, $3 occurrence of the cursor (or null), $4 limit: its runs, newest occurrence first, with
   * their tasks' states (null for a run without a task). */
  static final String RUNS = """
      SELECT r.schedule_id, r.occurrence_at, r.outcome, r.task_id, r.detail, r.fired_at, t.state
      FROM schedule_runs r
      LEFT JOIN tasks t ON t.tenant_id = r.tenant_id AND t.id = r.task_id
      WHERE r.tenant_id = $1 AND r.schedule_id = $2 AND ($3::timestamptz IS NULL OR r.occurrence_at < $3::timestamptz)
      ORDER BY r.occurrence_at DESC
      LIMIT $4
      """;
}
