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

/**
 * The audit domain's reads and writes of {@code audit_log}, {@code audit_seals}, {@code audit_checkpoints} and
 * {@code audit_verified} (SQL in {@link AuditSql}).
 */
final class AuditRepository {

  /** The first and last ids (of records or of seals) of a verification's time range; both null when it holds none. */
  record Range(Long firstId, Long lastId) {}

  /** The record just before a range: where a verification starts from. */
  record Anchor(long id, byte[] hash) {}

  /** A seal: the records of the transactions [fromTxid, toTxid), their count and hashes (32 bytes each). */
  record Seal(long id, long fromTxid, long toTxid, int records, long lastId, byte[] prevHash, byte[] hash,
              byte[] hashes) {

    /** The hashes of its records, in chain order. */
    List<byte[]> sealed() {
      List<byte[]> sealed = new ArrayList<>(records);
      for (int i = 0; i < records; i++) {
        sealed.add(Arrays.copyOfRange(hashes, i * AuditChain.HASH_BYTES, (i + 1) * AuditChain.HASH_BYTES));
      }
      return sealed;
    }
  }

  /** One page of a seal's records in chain order, and the transaction id of its last record (the next page's key). */
  record SealPage(List<AuditRecord> records, long lastTxid) {}

  private final Pool pool;

  AuditRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Seals the next records into the chain, in one transaction under the seal lock: the records of the ended
   * transactions after the last seal, in chain order, up to {@code batch} of them (a batch ends between two
   * transactions, so one transaction's records are never split; a transaction larger than the batch is sealed alone).
   * Returns the records sealed, with their hashes, in chain order (none when nothing new has ended), or
   * {@link Sealed#SKIPPED} when another sealer holds the lock: that sealer takes every ended transaction's records,
   * whichever node wrote them.
   */
  Future<Sealed> sealNext(int batch) {
    return pool.withTransaction(tx -> tx.preparedQuery(AuditSql.TRY_LOCK_SEAL).execute()
        .compose(lock -> lock.iterator().next().getBoolean("held")
            ? seal(tx, batch).map(records -> new Sealed(true, records))
            : Future.succeededFuture(Sealed.SKIPPED)));
  }

  /** One seal turn: whether this sealer held the lock, and the records it sealed. */
  record Sealed(boolean held, List<AuditRecord> records) {
    static final Sealed SKIPPED = new Sealed(false, List.of());
  }

  private static Future<List<AuditRecord>> seal(SqlConnection tx, int batch) {
    return tx.preparedQuery(AuditSql.SEAL_START).execute()
        .compose(start -> {
          Row row = start.iterator().next();
          long lo = row.getLong("lo");
          long horizon = row.getLong("horizon");
          Buffer last = row.getBuffer("prev_hash");
          byte[] prevHash = last == null ? AuditChain.genesis() : last.getBytes();
          if (horizon <= lo) {
            return Future.succeededFuture(List.<AuditRecord>of());
          }
          return tx.preparedQuery(AuditSql.RECORDS_OF_TXIDS).execute(Tuple.of(lo, horizon, batch + 1))
              .compose(rows -> {
                List<Row> list = new ArrayList<>(rows.size());
                rows.forEach(list::add);
                if (list.size() <= batch) {
                  return append(tx, list, lo, horizon, prevHash);
                }
                long cut = list.get(batch).getLong("txid");
                List<Row> whole = list.stream().filter(r -> r.getLong("txid") < cut).toList();
                if (!whole.isEmpty()) {
                  return append(tx, whole, lo, cut, prevHash);
                }
                // the first transaction alone holds more records than a batch
                return tx.preparedQuery(AuditSql.RECORDS_OF_TXIDS).execute(Tuple.of(lo, cut + 1, Integer.MAX_VALUE))
                    .compose(all -> {
                      List<Row> one = new ArrayList<>(all.size());
                      all.forEach(one::add);
                      return append(tx, one, lo, cut + 1, prevHash);
                    });
              });
        });
  }

  private static Future<List<AuditRecord>> append(SqlConnection tx, List<Row> rows, long fromTxid, long toTxid,
                                                  byte[] prevHash) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<AuditRecord> records = new ArrayList<>(rows.size());
    Buffer hashes = Buffer.buffer(rows.size() * AuditChain.HASH_BYTES);
    byte[] previous = prevHash;
    OffsetDateTime firstAt = null;
    OffsetDateTime lastAt = null;
    for (Row row : rows) {
      AuditRecord record = record(row).chained(previous);
      records.add(record);
      hashes.appendBytes(record.hash());
      previous = record.hash();
      OffsetDateTime at = row.getOffsetDateTime("at");
      firstAt = firstAt == null || at.isBefore(firstAt) ? at : firstAt;
      lastAt = lastAt == null || at.isAfter(lastAt) ? at : lastAt;
    }
    Tuple seal = Tuple.tuple().addLong(fromTxid).addLong(toTxid).addInteger(records.size())
        .addOffsetDateTime(firstAt).addOffsetDateTime(lastAt).addLong(records.get(records.size() - 1).id())
        .addBuffer(Buffer.buffer(prevHash)).addBuffer(Buffer.buffer(previous)).addBuffer(hashes);
    return tx.preparedQuery(AuditSql.INSERT_SEAL).execute(seal).map(records);
  }

  /** One page of a tenant's records, newest first; {@code params} follow {@link AuditSql#query}'s order. */
  Future<List<AuditRecord>> query(List<AuditSql.Filter> filters, List<Object> params) {
    return pool.preparedQuery(AuditSql.query(filters)).execute(Tuple.wrap(params)).map(AuditRepository::records);
  }

  /** The pre-seal records of a time range. */
  Future<Range> legacyRange(OffsetDateTime from, OffsetDateTime to) {
    return range(AuditSql.LEGACY_RANGE_IDS, from, to);
  }

  /** The seals after the last archived one ({@code afterSeal}, 0 for none) holding records of a time range. */
  Future<Range> sealRange(OffsetDateTime from, OffsetDateTime to, long afterSeal) {
    return range(AuditSql.SEAL_RANGE, Tuple.of(from, to, afterSeal));
  }

  /** The latest checkpoint, or null when nothing was archived. */
  Future<Checkpoint> checkpoint() {
    return pool.preparedQuery(AuditSql.LATEST_CHECKPOINT).execute().map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Checkpoint(row.getLong("seal_id"), row.getLong("last_id"), bytes(row.getBuffer("hash")),
          row.getLong("archived"), instant(row.getOffsetDateTime("archived_at")));
    });
  }

  /** How far the chain last verified intact, or null before the first whole-chain verification that found it so. */
  Future<VerifiedCheckpoint> verified() {
    return pool.preparedQuery(AuditSql.LAST_VERIFIED).execute().map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new VerifiedCheckpoint(row.getLong("seal_id"), row.getLong("last_id"), bytes(row.getBuffer("hash")),
          instant(row.getOffsetDateTime("verified_at")), bytes(row.getBuffer("seal_hash")));
    });
  }

  /** Moves the verified checkpoint forward to {@code reached}; false when it already stood there or later. */
  Future<Boolean> advanceVerified(VerifiedCheckpoint reached) {
    return pool.preparedQuery(AuditSql.ADVANCE_VERIFIED)
        .execute(Tuple.of(reached.sealId(), reached.lastId(), Buffer.buffer(reached.hash())))
        .map(rows -> rows.size() > 0);
  }

  /** The last seal the next archival step may reach: one of the next {@code seals} after {@code afterSeal}; or null. */
  Future<Long> archiveReach(long afterSeal, int seals, OffsetDateTime horizon) {
    return pool.preparedQuery(AuditSql.ARCHIVE_REACH).execute(Tuple.of(afterSeal, seals, horizon))
        .map(rows -> rows.iterator().next().getLong("upto"));
  }

  /** What one archival step removed, and the checkpoint it wrote. */
  record Archived(long records, Checkpoint checkpoint) {}

  /** One archival step up to seal {@code upto}; null when nothing was archived. */
  Future<Archived> archive(OffsetDateTime horizon, long upto) {
    return pool.preparedQuery(AuditSql.ARCHIVE).execute(Tuple.of(horizon, upto)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(null);
      }
      long records = rows.iterator().next().getLong("records");
      return checkpoint().map(checkpoint -> new Archived(records, checkpoint));
    });
  }

  private Future<Range> range(String sql, OffsetDateTime from, OffsetDateTime to) {
    return range(sql, Tuple.of(from, to));
  }

  private Future<Range> range(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      Row row = rows.iterator().next();
      return new Range(row.getLong("first_id"), row.getLong("last_id"));
    });
  }

  /** The pre-seal record before {@code id}, or null when none precedes it. */
  Future<Anchor> legacyBefore(long id) {
    return anchor(AuditSql.LEGACY_RECORD_BEFORE, id);
  }

  /** The last pre-seal record, or null when the log has none. */
  Future<Anchor> lastLegacy() {
    return anchor(AuditSql.LEGACY_RECORD_BEFORE, Long.MAX_VALUE);
  }

  /** The last record of the seal before seal {@code id}, or null for the first seal. */
  Future<Anchor> sealBefore(long id) {
    return anchor(AuditSql.SEAL_BEFORE, id);
  }

  private Future<Anchor> anchor(String sql, long id) {
    return pool.preparedQuery(sql).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Anchor(row.getLong("id"), bytes(row.getBuffer("hash")));
    });
  }

  /** Up to {@code size} pre-seal records after {@code afterId} up to {@code lastId}, in id order. */
  Future<List<AuditRecord>> legacyPage(long afterId, long lastId, int size) {
    return pool.preparedQuery(AuditSql.LEGACY_PAGE).execute(Tuple.of(afterId, lastId, size))
        .map(AuditRepository::records);
  }

  /** The first seal after seal {@code afterId} up to {@code lastId}, or null when none is left. */
  Future<Seal> sealAfter(long afterId, long lastId) {
    return pool.preparedQuery(AuditSql.SEAL_AFTER).execute(Tuple.of(afterId, lastId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Seal(row.getLong("id"), row.getLong("from_txid"), row.getLong("to_txid"), row.getInteger("records"),
          row.getLong("last_id"), bytes(row.getBuffer("prev_hash")), bytes(row.getBuffer("hash")), bytes(row.getBuffer("hashes")));
    });
  }

  /** The next records of {@code seal} after the one at ({@code afterTxid}, {@code afterId}), without hashes. */
  Future<SealPage> sealPage(Seal seal, long afterTxid, long afterId, int size) {
    return pool.preparedQuery(AuditSql.SEAL_PAGE)
        .execute(Tuple.of(seal.fromTxid(), seal.toTxid(), afterTxid, afterId, size)).map(rows -> {
          List<AuditRecord> records = new ArrayList<>(rows.size());
          long lastTxid = afterTxid;
          for (Row row : rows) {
            records.add(record(row));
            lastTxid = row.getLong("txid");
          }
          return new SealPage(records, lastTxid);
        });
  }

  Future<Long> pending() {
    return pool.preparedQuery(AuditSql.COUNT_UNSEALED).execute().map(rows -> rows.iterator().next().getLong("pending"));
  }

  Future<Boolean> anyUnsealed() {
    return pool.preparedQuery(AuditSql.ANY_UNSEALED).execute()
        .map(rows -> rows.iterator().next().getBoolean("waiting"));
  }

  private static List<AuditRecord> records(RowSet<Row> rows) {
    List<AuditRecord> records = new ArrayList<>(rows.size());
    rows.forEach(row -> records.add(record(row)
        .withHashes(bytes(row.getBuffer("prev_hash")), bytes(row.getBuffer("hash")))));
    return records;
  }

  /** A record's fields as PostgreSQL returned them, without hashes. */
  private static AuditRecord record(Row row) {
    long id = row.getLong("id");
    OffsetDateTime recordedAt = row.getOffsetDateTime("recorded_at");
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
