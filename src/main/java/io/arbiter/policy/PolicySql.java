package io.arbiter.policy;

import io.arbiter.db.TenantCheck;

/**
 * All SQL of the policy domain. Every statement is scoped by tenant. The two reads the task verticle makes on its
 * own connections ({@link #LIMITS} at submission, {@link #RESULT_GATES} before recording results) live here too, so
 * that the policy tables have one home.
 */
final class PolicySql {
  private PolicySql() {}

  /** $1 tenant: its limits (no row: none). */
  static final String LIMITS = "SELECT * FROM tenant_limits WHERE tenant_id = $1";

  /** $1 tenant, $2 max files, $3 max lines, $4 max payload bytes, $5 task types, $6 default queue time-out (ms),
   * $7 who. Returns the limits before the change as {@code old_*} (all null when the tenant had none). */
  static final String PUT_LIMITS = """
      WITH old AS (SELECT * FROM tenant_limits WHERE tenant_id = $1 FOR UPDATE)
      INSERT INTO tenant_limits AS l (tenant_id, max_files, max_loc, max_payload_bytes, task_types,
                                      default_queue_timeout_ms, updated_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (tenant_id) DO UPDATE SET max_files = EXCLUDED.max_files, max_loc = EXCLUDED.max_loc,
        max_payload_bytes = EXCLUDED.max_payload_bytes, task_types = EXCLUDED.task_types,
        default_queue_timeout_ms = EXCLUDED.default_queue_timeout_ms,
        updated_by = EXCLUDED.updated_by, updated_at = now()
      RETURNING l.*, (SELECT max_files FROM old) AS old_max_files, (SELECT max_loc FROM old) AS old_max_loc,
                (SELECT max_payload_bytes FROM old) AS old_max_payload_bytes,
                (SELECT task_types FROM old) AS old_task_types,
                (SELECT default_queue_timeout_ms FROM old) AS old_default_queue_timeout_ms
      """;

  /**
   * $1 tenant, $2 the reporting agent, $3 task ids: for each of those tasks that sets a budget or gates, its type,
   * budget and gates, and the tenant's active waivers whose scope is that task, its type or the agent (as a JSON
   * array, oldest first). Tasks without policy are not returned.
   */
  static final String RESULT_GATES = """
      SELECT t.id, t.type, t.budget, t.gates,
             (SELECT COALESCE(jsonb_agg(jsonb_build_object('id', w.id, 'rule', w.rule, 'scopeKind', w.scope_kind,
                                                           'scopeValue', w.scope_value, 'expiresAt', w.expires_at)
                                        ORDER BY w.created_at, w.id), '[]'::jsonb)
              FROM waivers w
              WHERE w.tenant_id = $1 AND w.revoked_at IS NULL AND w.expires_at > now()
                AND ((w.scope_kind = 'task' AND w.scope_value = t.id::text)
                  OR (w.scope_kind = 'task_type' AND w.scope_value = t.type)
                  OR (w.scope_kind = 'agent' AND w.scope_value = $2))) AS waivers
      FROM tasks t
      WHERE t.id = ANY($3::uuid[]) AND %s AND (t.budget <> '{}'::jsonb OR t.gates <> '{}'::jsonb)
      """.formatted(TenantCheck.of("t.tenant_id", "$1"));

  /** $1 tenant: its waivers that are neither revoked nor expired, oldest first. */
  static final String ACTIVE_WAIVERS = """
      SELECT id, rule, scope_kind, scope_value, expires_at FROM waivers
      WHERE tenant_id = $1 AND revoked_at IS NULL AND expires_at > now()
      ORDER BY created_at, id
      """;

  /** $1 id, $2 tenant, $3 rule, $4 scope kind, $5 scope value, $6 reason, $7 expires at, $8 who. */
  static final String INSERT_WAIVER = """
      INSERT INTO waivers (id, tenant_id, rule, scope_kind, scope_value, reason, expires_at, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      RETURNING *
      """;

  /** $1 tenant, $2 id. */
  static final String SELECT_WAIVER = "SELECT * FROM waivers WHERE tenant_id = $1 AND id = $2";

  /** $1 tenant, $2 id, $3 who. Revokes a waiver not yet revoked; returns it (no row when it was already revoked or
   * does not exist). */
  static final String REVOKE_WAIVER = """
      UPDATE waivers SET revoked_at = now(), revoked_by = $3
      WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL
      RETURNING *
      """;

  /** $1 tenant, $2 only active ones (or null for all), $3 rule (or null), $4 created_at and $5 id of the cursor (or
   * null), $6 limit. Newest first. */
  static final String LIST_WAIVERS = """
      SELECT * FROM waivers
      WHERE tenant_id = $1
        AND ($2::boolean IS NULL OR ($2 = (revoked_at IS NULL AND expires_at > now())))
        AND ($3::text IS NULL OR rule = $3)
        AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $6
      """;
}
