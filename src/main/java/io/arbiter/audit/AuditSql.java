package io.arbiter.audit;

import java.util.List;

/**
 * All SQL of the audit domain. Other domains append through {@link Outbox}, inside their own transactions; only the
 * audit verticle moves rows from the outbox into {@code audit_log}, which is append-only (a trigger refuses UPDATE,
 * DELETE and TRUNCATE) and hash-chained ({@link AuditChain}).
 */
final class AuditSql {
  private AuditSql() {}

  static final String OUTBOX_COLUMNS = "tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, "
      + "user_agent, correlation_id, details, tags";

  /** The columns of a stored record, as {@code AuditRepository} maps them. */
  static final String LOG_COLUMNS = "id, at, recorded_at, " + OUTBOX_COLUMNS + ", prev_hash, hash";

  /** $1 tenant … $11 tags: one outbox row. */
  static final String INSERT_OUTBOX = """
      INSERT INTO audit_outbox (tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent,
                                correlation_id, details, tags)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      """;

  /**
   * Serializes drainers across nodes so that the log's order and its hash chain have one writer. It must be a
   * statement of its own: a statement that waited for the lock still reads with the snapshot taken before the wait.
   */
  static final String LOCK_DRAIN = "SELECT pg_advisory_xact_lock(hashtext('arbiter.audit.drain'))";

  /**
   * $1 batch size: the oldest outbox rows in outbox order, each with the log id it will take ({@code id}, drawn from
   * the log's identity sequence, so above every id already used), the batch's {@code recorded_at}, and the hash of
   * the log's last record ({@code last_hash}; null when the log is empty or its last record precedes the chain).
   */
  static final String READ_BATCH = """
      WITH batch AS MATERIALIZED (SELECT * FROM audit_outbox ORDER BY seq LIMIT $1)
      SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id, statement_timestamp() AS recorded_at,
             (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS last_hash, batch.*
      FROM batch
      ORDER BY seq
      """;

  /**
   * $1 outbox seqs, $2 their log ids, $3 prev_hashes, $4 hashes (parallel arrays), $5 recorded_at: moves those outbox
   * rows into the log with their chain, in one statement. The fields are copied from the outbox row as stored, so the
   * log holds exactly the values that were hashed. Returns one row per moved record.
   */
  static final String APPEND_CHAINED = """
      WITH chained AS (
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[]) AS c(seq, id, prev_hash, hash)
      ), moved AS (
        DELETE FROM audit_outbox o USING chained c WHERE o.seq = c.seq
        RETURNING o.*, c.id, c.prev_hash, c.hash
      )
      INSERT INTO audit_log (id, at, recorded_at, tenant_id, actor_sub, actor_role, action, target, outcome, client_ip,
                             user_agent, correlation_id, details, tags, outbox_seq, prev_hash, hash)
      OVERRIDING SYSTEM VALUE
      SELECT id, at, $5, tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent,
             correlation_id, details, tags, seq, prev_hash, hash
      FROM moved
      ORDER BY id
      RETURNING id
      """;

  static final String COUNT_PENDING = "SELECT count(*) AS pending FROM audit_outbox";

  /** The optional filters of the query API, each with its condition on one positional parameter. */
  enum Filter {
    FROM("at >= %s::timestamptz"),
    TO("at < %s::timestamptz"),
    ACTOR("actor_sub = %s"),
    ACTION("action = %s"),
    TARGET("target = %s"),
    OUTCOME("outcome = %s"),
    BEFORE_ID("id < %s");

    private final String condition;

    Filter(String condition) {
      this.condition = condition;
    }
  }

  /**
   * $1 tenant, then one parameter per filter in {@code filters}' order, then the limit: one tenant's records, newest
   * first. Only the given filters are in the statement, so each combination is planned on its own indexes.
   */
  static String query(List<Filter> filters) {
    StringBuilder sql = new StringBuilder("SELECT " + LOG_COLUMNS + " FROM audit_log WHERE tenant_id = $1");
    int p = 2;
    for (Filter filter : filters) {
      sql.append(" AND ").append(filter.condition.formatted("$" + p++));
    }
    return sql.append(" ORDER BY id DESC LIMIT $").append(p).toString();
  }

  /**
   * $1 from, $2 to (each null for an open end): the first and last id of the records in the time range, across
   * tenants, or nulls when it holds none.
   */
  static final String RANGE_IDS = """
      SELECT min(id) AS first_id, max(id) AS last_id FROM audit_log
      WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
      """;

  /** $1 id: the record just before it in chain order (its id and hash), if any. */
  static final String RECORD_BEFORE = "SELECT id, hash FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT 1";

  /** $1 after id (exclusive), $2 last id (inclusive), $3 page size: the next records of a verification, in order. */
  static final String CHAIN_PAGE = "SELECT " + LOG_COLUMNS + " FROM audit_log WHERE id > $1 AND id <= $2 "
      + "ORDER BY id LIMIT $3";
}
