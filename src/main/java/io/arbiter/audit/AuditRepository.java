package io.arbiter.audit;

import io.arbiter.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The audit domain's reads and writes of {@code audit_log} (SQL in {@link AuditSql}). */
final class AuditRepository {

  /** The first and last record ids of a verification's time range; both null when it holds no record. */
  record Range(Long firstId, Long lastId) {}

  /** The record just before a range: where a verification starts from. */
  record Anchor(long id, byte[] hash) {}

  private final Pool pool;

  AuditRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Moves up to {@code batch} outbox rows into the log, chained, in one transaction under the drain lock: reads them
   * in outbox order with their new ids and the last record's hash, chains them here, and inserts them in one
   * statement that also deletes them from the outbox. Returns the records appended, in log order.
   */
  Future<List<AuditRecord>> drain(int batch) {
    return pool.withTransaction(tx -> tx.query(AuditSql.LOCK_DRAIN).execute()
        .compose(v -> tx.preparedQuery(AuditSql.READ_BATCH).execute(Tuple.of(batch)))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(List.of()) : append(tx, rows)));
  }

  private static Future<List<AuditRecord>> append(SqlConnection tx, RowSet<Row> rows) {
    List<Row> batch = new ArrayList<>(rows.size());
    rows.forEach(batch::add);
    long[] ids = batch.stream().mapToLong(row -> row.getLong("id")).sorted().toArray();
    Buffer last = batch.get(0).getBuffer("last_hash");
    OffsetDateTime recordedAt = batch.get(0).getOffsetDateTime("recorded_at");
    byte[] prevHash = last == null ? AuditChain.genesis() : last.getBytes();
    Long[] seqs = new Long[batch.size()];
    Long[] logIds = new Long[batch.size()];
    Buffer[] prevHashes = new Buffer[batch.size()];
    Buffer[] hashes = new Buffer[batch.size()];
    List<AuditRecord> records = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      AuditRecord record = record(row, ids[i], recordedAt).chained(prevHash);
      records.add(record);
      seqs[i] = row.getLong("seq");
      logIds[i] = record.id();
      prevHashes[i] = Buffer.buffer(record.prevHash());
      hashes[i] = Buffer.buffer(record.hash());
      prevHash = record.hash();
    }
    return tx.preparedQuery(AuditSql.APPEND_CHAINED)
        .execute(Tuple.tuple().addArrayOfLong(seqs).addArrayOfLong(logIds).addArrayOfBuffer(prevHashes)
            .addArrayOfBuffer(hashes).addOffsetDateTime(recordedAt))
        .map(moved -> {
          if (moved.rowCount() != batch.size()) {
            throw new IllegalStateException("audit drain moved " + moved.rowCount() + " of " + batch.size()
                + " outbox rows; rolled back");
          }
          return records;
        });
  }

  /** One page of a tenant's records, newest first; {@code params} follow {@link AuditSql#query}'s order. */
  Future<List<AuditRecord>> query(List<AuditSql.Filter> filters, List<Object> params) {
    return pool.preparedQuery(AuditSql.query(filters)).execute(Tuple.wrap(params)).map(AuditRepository::records);
  }

  Future<Range> range(OffsetDateTime from, OffsetDateTime to) {
    return pool.preparedQuery(AuditSql.RANGE_IDS).execute(Tuple.of(from, to)).map(rows -> {
      Row row = rows.iterator().next();
      return new Range(row.getLong("first_id"), row.getLong("last_id"));
    });
  }

  /** The record before {@code id}, or null when {@code id} is the first. */
  Future<Anchor> before(long id) {
    return pool.preparedQuery(AuditSql.RECORD_BEFORE).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Anchor(row.getLong("id"), bytes(row.getBuffer("hash")));
    });
  }

  /** Up to {@code size} records after {@code afterId} up to {@code lastId}, in id order. */
  Future<List<AuditRecord>> page(long afterId, long lastId, int size) {
    return pool.preparedQuery(AuditSql.CHAIN_PAGE).execute(Tuple.of(afterId, lastId, size))
        .map(AuditRepository::records);
  }

  Future<Long> pending() {
    return pool.query(AuditSql.COUNT_PENDING).execute().map(rows -> rows.iterator().next().getLong("pending"));
  }

  private static List<AuditRecord> records(RowSet<Row> rows) {
    List<AuditRecord> records = new ArrayList<>(rows.size());
    rows.forEach(row -> records.add(record(row, row.getLong("id"), row.getOffsetDateTime("recorded_at"))
        .withHashes(bytes(row.getBuffer("prev_hash")), bytes(row.getBuffer("hash")))));
    return records;
  }

  /** A record's fields as PostgreSQL returned them, without hashes. */
  private static AuditRecord record(Row row, long id, OffsetDateTime recordedAt) {
    Object details = row.getValue("details");
    if (!(details instanceof JsonObject object)) {
      throw Failure.INTERNAL.exception("audit record " + id + " has details that are not a JSON object");
    }
    return new AuditRecord(id, instant(row.getOffsetDateTime("at")), instant(recordedAt), row.getString("tenant_id"),
        row.getString("actor_sub"), row.getString("actor_role"), row.getString("action"), row.getString("target"),
        row.getString("outcome"), row.getString("client_ip"), row.getString("user_agent"),
        row.getString("correlation_id"), object, Arrays.asList(row.getArrayOfStrings("tags")), null, null);
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  private static byte[] bytes(Buffer buffer) {
    return buffer == null ? null : buffer.getBytes();
  }
}
