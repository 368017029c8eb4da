package io.arbiter.registry;

/**
 * All SQL of the registry. Every statement is scoped by tenant ($1), except the system sweeps marked as such, which
 * work across tenants on behalf of the service itself. Invariants live in the schema's named constraints
 * (V2__agents.sql); a duplicate id is found by its unique violation, never by a read before the write.
 */
final class RegistrySql {
  private RegistrySql() {}

  /** $1 tenant, $2 id, $3 name, $4 model family, $5 task types, $6 languages, $7 specializations, $8 capacity,
   * $9 success rate, $10 quality, $11 latency. */
  static final String INSERT = """
      INSERT INTO agents (tenant_id, id, name, model_family, task_types, languages, specializations,
                          max_concurrent_tasks, success_rate, average_quality, average_latency_ms)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      RETURNING *
      """;

  /** After a unique violation: takes back a deregistered, empty agent under the same id (same parameters as
   * {@link #INSERT}; its earned figures stay). */
  static final String REREGISTER = """
      UPDATE agents
      SET name = $3, model_family = $4, task_types = $5, languages = $6, specializations = $7,
          max_concurrent_tasks = $8, status = 'available', deregistered_at = NULL, last_heartbeat_at = now(),
          updated_at = now()
      WHERE tenant_id = $1 AND id = $2 AND deregistered_at IS NOT NULL AND current_load = 0
      RETURNING *
      """;

  /** The agent columns and its specialization records (for the levels it earned), from {@code agents a}. */
  private static final String WITH_RECORDS = "SELECT a.*, " + SpecializationRecord.RECORDS_OF_AGENT_A
      + " AS records FROM agents a ";

  /** $1 tenant, $2 id. */
  static final String SELECT_ONE = WITH_RECORDS + "WHERE a.tenant_id = $1 AND a.id = $2";

  /** $1 tenant, $2 id: the row, locked for an update in the same transaction. */
  static final String SELECT_FOR_UPDATE = "SELECT * FROM agents WHERE tenant_id = $1 AND id = $2 FOR UPDATE";

  /** $1 tenant, $2 status or null, $3 id after which to start or null, $4 limit. Ordered by id (keyset). */
  static final String LIST = WITH_RECORDS + """
      WHERE a.tenant_id = $1 AND ($2::text IS NULL OR a.status = $2) AND ($3::text IS NULL OR a.id > $3)
      ORDER BY a.id
      LIMIT $4
      """;

  /** $1 tenant, $2 task type, $3 status or null, $4 limit: the candidates for a capability query. */
  static final String LIST_CAPABLE = WITH_RECORDS + """
      WHERE a.tenant_id = $1 AND a.task_types @> ARRAY[$2::text] AND ($3::text IS NULL OR a.status = $3)
      ORDER BY a.id
      LIMIT $4
      """;

  /** $1 tenant, $2 id, $3 name, $4 model family, $5 task types, $6 languages, $7 specializations, $8 capacity.
   * The status follows the new capacity unless the agent is draining or offline. */
  static final String UPDATE = """
      UPDATE agents
      SET name = $3, model_family = $4, task_types = $5, languages = $6, specializations = $7,
          max_concurrent_tasks = $8, updated_at = now(),
          status = CASE WHEN status IN ('available', 'busy')
                        THEN CASE WHEN current_load >= $8 THEN 'busy' ELSE 'available' END
                        ELSE status END
      WHERE tenant_id = $1 AND id = $2
      RETURNING *
      """;

  /** $1 tenant, $2 id. Brings an offline (not deregistered) agent back; returns the status it had before. */
  static final String HEARTBEAT = """
      WITH before AS (
        SELECT status FROM agents WHERE tenant_id = $1 AND id = $2 FOR UPDATE
      )
      UPDATE agents a
      SET last_heartbeat_at = now(), updated_at = now(),
          status = CASE WHEN a.status = 'offline' AND a.deregistered_at IS NULL
                        THEN CASE WHEN a.current_load >= a.max_concurrent_tasks THEN 'busy' ELSE 'available' END
                        ELSE a.status END
      FROM before
      WHERE a.tenant_id = $1 AND a.id = $2
      RETURNING a.*, before.status AS previous_status
      """;

  /** $1 tenant, $2 id. Drains: no new work; offline at once when it holds none. Returns whether it was already
   * deregistered, so that repeating it changes nothing and audits nothing. */
  static final String DEREGISTER = """
      WITH before AS (
        SELECT deregistered_at FROM agents WHERE tenant_id = $1 AND id = $2 FOR UPDATE
      )
      UPDATE agents a
      SET deregistered_at = COALESCE(a.deregistered_at, now()), updated_at = now(),
          status = CASE WHEN a.current_load = 0 THEN 'offline' ELSE 'draining' END
      FROM before
      WHERE a.tenant_id = $1 AND a.id = $2
      RETURNING a.*, before.deregistered_at IS NOT NULL AS already_deregistered
      """;

  /**
   * Whether this transaction may run the heartbeat sweep: one sweeper at a time across every node sharing the
   * database; the lock ends with the transaction (or the node's connection), so another node takes over.
   */
  static final String TRY_LOCK_SWEEP = "SELECT pg_try_advisory_xact_lock(hashtext('arbiter.registry.sweep')) AS held";

  /** System sweep, all tenants. $1 heartbeat window in milliseconds: agents silent for longer go offline. Agent rows
   * are locked in (tenant, id) order, like every statement that changes several agents. */
  static final String MARK_SILENT_OFFLINE = """
      WITH silent AS (
        SELECT tenant_id, id FROM agents
        WHERE status <> 'offline' AND last_heartbeat_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY tenant_id, id
        FOR UPDATE
      )
      UPDATE agents a
      SET status = 'offline', updated_at = now()
      FROM silent s
      WHERE a.tenant_id = s.tenant_id AND a.id = s.id
      RETURNING a.tenant_id, a.id, a.last_heartbeat_at
      """;

  /**
   * $1 tenant, $2 id, $3 open. A bridge channel opened: the agent is delivered to by push and consuming again. Closed:
   * a push agent stops consuming (a claim agent is unaffected). Returns the row and whether {@code consuming} changed.
   */
  static final String CHANNEL = """
      WITH before AS (
        SELECT delivery, consuming FROM agents WHERE tenant_id = $1 AND id = $2 FOR UPDATE
      )
      UPDATE agents a
      SET delivery = CASE WHEN $3 THEN 'push' ELSE a.delivery END,
          consuming = CASE WHEN $3 THEN true WHEN a.delivery = 'push' THEN false ELSE a.consuming END,
          consuming_changed_at = CASE WHEN a.consuming <> ($3 OR a.delivery = 'claim') THEN now()
                                      ELSE a.consuming_changed_at END,
          updated_at = now()
      FROM before
      WHERE a.tenant_id = $1 AND a.id = $2
      RETURNING a.*, before.consuming <> a.consuming OR before.delivery <> a.delivery AS changed
      """;

  /** System figure, all tenants: agents by status, for the {@code arbiter_agents} gauge. */
  static final String COUNT_BY_STATUS = "SELECT status, count(*) AS agents FROM agents GROUP BY status";
}
