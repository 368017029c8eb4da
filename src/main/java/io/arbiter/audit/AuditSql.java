package io.arbiter.audit;

/**
 * All SQL of the audit domain. Other domains append through {@link Outbox}, inside their own transactions; only the
 * audit verticle moves rows from the outbox into {@code audit_log}.
 */
final class AuditSql {
  private AuditSql() {}

  static final String OUTBOX_COLUMNS = "tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, "
      + "user_agent, correlation_id, details, tags";

  /** $1 tenant … $11 tags: one outbox row. */
  static final String INSERT_OUTBOX = """
      INSERT INTO audit_outbox (tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent,
                                correlation_id, details, tags)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      """;

  /** Serializes drainers across nodes so that the log's order (and later its hash chain) has one writer. */
  static final String LOCK_DRAIN = "SELECT pg_advisory_xact_lock(hashtext('arbiter.audit.drain'))";

  /** $1 batch size: moves the oldest outbox rows into the log, in outbox order; returns one row per moved event. */
  static final String DRAIN = """
      WITH moved AS (
        DELETE FROM audit_outbox
        WHERE seq IN (SELECT seq FROM audit_outbox ORDER BY seq LIMIT $1)
        RETURNING *
      )
      INSERT INTO audit_log (at, tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent,
                             correlation_id, details, tags, outbox_seq)
      SELECT at, tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent,
             correlation_id, details, tags, seq
      FROM moved
      ORDER BY seq
      RETURNING id
      """;

  static final String COUNT_PENDING = "SELECT count(*) AS pending FROM audit_outbox";
}
