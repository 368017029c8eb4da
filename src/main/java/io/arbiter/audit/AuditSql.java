package io.arbiter.audit;

import java.util.List;

/**
 * All SQL of the audit domain. Other domains append through {@link AuditLog}, inside their own transactions; the audit
 * verticle seals what they wrote into the hash chain ({@link AuditChain}) by writing {@code audit_seals} rows. Both
 * tables are append-only (a trigger refuses UPDATE, DELETE and TRUNCATE), except that {@link #ARCHIVE} removes the
 * records of a prefix of whole seals, keeping the seals and writing an {@code audit_checkpoints} row. How far the chain
 * last verified intact is one {@code audit_verified} row, moved only forward ({@link #ADVANCE_VERIFIED}).
 *
 * <p>Chain order: records written before seals existed (null {@code txid}, their hashes in their own row) come first,
 * in id order; then every sealed record, by seal, and within a seal by (transaction id, id).
 */
final class AuditSql {
  private AuditSql() {}

  static final String EVENT_COLUMNS = "tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, "
      + "user_agent, correlation_id, details, tags";

  /** The columns of a stored record without its hashes, as {@code AuditRepository} maps them. */
  static final String RECORD_COLUMNS = "id, at, recorded_at, " + EVENT_COLUMNS + ", txid";

  /** $1 tenant … $11 tags: one record. */
  static final String INSERT_EVENT = """
      INSERT INTO audit_log (tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent,
                             correlation_id, details, tags)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      """;

  /**
   * Serializes sealers across nodes so that the chain has one writer. A sealer that finds the lock taken (another
   * node sealing, or an archival step) does not wait for it, holding a connection: it skips this turn, and the records
   * still unsealed bring it back shortly. The lock is a statement of its own, so that the seal's reads take their
   * snapshot after it.
   */
  static final String TRY_LOCK_SEAL = "SELECT pg_try_advisory_xact_lock(hashtext('arbiter.audit.drain')) AS held";

  /**
   * Where the next seal starts: {@code lo}, the first transaction id not yet sealed (0 before the first seal);
   * {@code prev_hash}, the hash of the chain's last record (the last seal's, else the last pre-seal record's, else the
   * checkpoint's when those were archived; null when the chain is empty); and {@code horizon}, the oldest transaction
   * id still running. Every transaction below the horizon has ended, so the records of [lo, horizon) are final.
   */
  static final String SEAL_START = """
      SELECT COALESCE(s.to_txid, 0) AS lo,
             CASE WHEN s.hash IS NOT NULL THEN s.hash
                  ELSE COALESCE((SELECT hash FROM audit_log WHERE txid IS NULL ORDER BY id DESC LIMIT 1),
                                (SELECT hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1)) END AS prev_hash,
             pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (SELECT to_txid, hash FROM audit_seals ORDER BY id DESC LIMIT 1) s ON true
      """;

  /** $1 from txid (inclusive), $2 to txid (exclusive), $3 most: records in chain order. */
  static final String RECORDS_OF_TXIDS = "SELECT " + RECORD_COLUMNS + " FROM audit_log "
      + "WHERE txid >= $1 AND txid < $2 ORDER BY txid, id LIMIT $3";

  /**
   * $1 from txid, $2 to txid, $3 records, $4 first at, $5 last at, $6 last record id, $7 prev_hash, $8 hash,
   * $9 hashes (32 bytes per record, in chain order).
   */
  static final String INSERT_SEAL = """
      INSERT INTO audit_seals (from_txid, to_txid, records, first_at, last_at, last_id, prev_hash, hash, hashes)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      """;

  /** The records of committed transactions not yet sealed: those at or after the last seal's upper txid. */
  private static final String UNSEALED = """
      FROM audit_log WHERE txid >= COALESCE((SELECT to_txid FROM audit_seals ORDER BY id DESC LIMIT 1), 0)""";

  /** How many records wait to be sealed (reads every one of them: for the gauge, not for each seal). */
  static final String COUNT_UNSEALED = "SELECT count(*) AS pending " + UNSEALED;

  /**
   * Whether any record waits to be sealed: the first one in txid order, one probe of {@code audit_log_txid} however
   * many wait. (An {@code EXISTS} reads the table from its start instead: the planner expects a match early, and every
   * sealed record comes first.)
   */
  static final String ANY_UNSEALED = "SELECT (SELECT txid " + UNSEALED + " ORDER BY txid LIMIT 1) IS NOT NULL AS waiting";

  /**
   * {@code records} (a SELECT of audit_log rows, {@code txid} among them) with each record's {@code prev_hash} and
   * {@code hash}: a pre-seal record's own, a sealed record's taken from its seal by its position in it, null for a
   * record not yet sealed.
   */
  static String withHashes(String records, String orderBy) {
    return """
        SELECT l.id, l.at, l.recorded_at, l.tenant_id, l.actor_sub, l.actor_role, l.action, l.target, l.outcome,
               l.client_ip, l.user_agent, l.correlation_id, l.details, l.tags, l.txid,
               CASE WHEN l.txid IS NULL THEN l.prev_hash
                    WHEN p.pos = 0 THEN s.prev_hash
                    ELSE substring(s.hashes FROM (p.pos - 1) * 32 + 1 FOR 32) END AS prev_hash,
               CASE WHEN l.txid IS NULL THEN l.hash ELSE substring(s.hashes FROM p.pos * 32 + 1 FOR 32) END AS hash
        FROM (%s) l
        LEFT JOIN LATERAL (
          SELECT from_txid, prev_hash, hashes FROM audit_seals
          WHERE l.txid IS NOT NULL AND to_txid > l.txid ORDER BY to_txid LIMIT 1
        ) s ON s.from_txid <= l.txid
        LEFT JOIN LATERAL (
          SELECT count(*)::int AS pos FROM audit_log x
          WHERE s.from_txid IS NOT NULL AND x.txid >= s.from_txid AND (x.txid, x.id) < (l.txid, l.id)
        ) p ON true
        ORDER BY %s
        """.formatted(records, orderBy);
  }

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
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE tenant_id = $1");
    int p = 2;
    for (Filter filter : filters) {
      sql.append(" AND ").append(filter.condition.formatted("$" + p++));
    }
    return withHashes(sql.append(" ORDER BY id DESC LIMIT $").append(p).toString(), "l.id DESC");
  }

  /**
   * $1 from, $2 to (each null for an open end): the first and last id of the pre-seal records (hashes in their own
   * row) in the time range, across tenants, or nulls when it holds none.
   */
  static final String LEGACY_RANGE_IDS = """
      SELECT min(id) AS first_id, max(id) AS last_id FROM audit_log
      WHERE txid IS NULL AND ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
      """;

  /** $1 id: the pre-seal record just before it in chain order (its id and hash), if any. */
  static final String LEGACY_RECORD_BEFORE = """
      SELECT id, hash FROM audit_log WHERE id < $1 AND txid IS NULL ORDER BY id DESC LIMIT 1
      """;

  /** $1 after id (exclusive), $2 last id (inclusive), $3 page size: the next pre-seal records, in order. */
  static final String LEGACY_PAGE = "SELECT * FROM audit_log WHERE id > $1 AND id <= $2 AND txid IS NULL "
      + "ORDER BY id LIMIT $3";

  /**
   * $1 from, $2 to (each null for an open end), $3 the last archived seal (0 for none): the first and last seal after
   * it holding a record of the time range.
   */
  static final String SEAL_RANGE = """
      SELECT min(id) AS first_id, max(id) AS last_id FROM audit_seals
      WHERE ($1::timestamptz IS NULL OR last_at >= $1) AND ($2::timestamptz IS NULL OR first_at < $2) AND id > $3
      """;

  /** The latest checkpoint of archival (where the stored chain starts), if any. */
  static final String LATEST_CHECKPOINT = """
      SELECT seal_id, last_id, hash, archived, archived_at FROM audit_checkpoints ORDER BY id DESC LIMIT 1
      """;

  /**
   * How far the chain last verified intact ({@code audit_verified}, one row or none), with the hash its seal holds now
   * ({@code seal_hash}) to check that the seal was not changed since.
   */
  static final String LAST_VERIFIED = """
      SELECT v.seal_id, v.last_id, v.hash, v.verified_at, s.hash AS seal_hash
      FROM audit_verified v LEFT JOIN audit_seals s ON s.id = v.seal_id
      """;

  /**
   * $1 seal id, $2 its last record's id, $3 that record's hash: records that the chain verified intact through that
   * seal. Only forward: a verification that reached an earlier seal than the one recorded (it ran beside a later one)
   * changes nothing, whatever order concurrent verifications end in. One row when it moved the checkpoint, else none.
   */
  static final String ADVANCE_VERIFIED = """
      INSERT INTO audit_verified AS v (id, seal_id, last_id, hash) VALUES (1, $1, $2, $3)
      ON CONFLICT (id) DO UPDATE
        SET seal_id = EXCLUDED.seal_id, last_id = EXCLUDED.last_id, hash = EXCLUDED.hash,
            verified_at = clock_timestamp()
        WHERE v.seal_id < EXCLUDED.seal_id
      RETURNING v.seal_id
      """;

  /**
   * $1 the last archived seal (0 for none), $2 seals, $3 horizon: the last of the next $2 seals whose records are all
   * older than the horizon (null when none is): how far the next archival step may reach.
   */
  static final String ARCHIVE_REACH = """
      SELECT max(id) AS upto FROM (SELECT id, last_at FROM audit_seals WHERE id > $1 ORDER BY id LIMIT $2) s
      WHERE last_at < $3
      """;

  /**
   * $1 horizon, $2 the last seal it may archive: one archival step, run by {@code arbiter_archive_audit} (migration
   * V15) as the schema's owner. It archives the chain's prefix of whole seals up to $2 whose records are older than the
   * horizon and name no task that still exists, and writes the checkpoint. One row (the new checkpoint) or none.
   */
  static final String ARCHIVE = "SELECT * FROM arbiter_archive_audit($1, $2)";

  /** $1 after seal id (exclusive), $2 last seal id (inclusive): the next seal. */
  static final String SEAL_AFTER = "SELECT * FROM audit_seals WHERE id > $1 AND id <= $2 ORDER BY id LIMIT 1";

  /** $1 seal id: the last record of the seal before it (id and hash), if any. */
  static final String SEAL_BEFORE = "SELECT last_id AS id, hash FROM audit_seals WHERE id < $1 ORDER BY id DESC LIMIT 1";

  /**
   * $1 from txid, $2 to txid, $3 and $4 the txid and id of the last record read (exclusive), $5 page size: the next
   * records of a seal, in chain order.
   */
  static final String SEAL_PAGE = "SELECT " + RECORD_COLUMNS + " FROM audit_log "
      + "WHERE txid >= $1 AND txid < $2 AND (txid, id) > ($3, $4) ORDER BY txid, id LIMIT $5";
}
