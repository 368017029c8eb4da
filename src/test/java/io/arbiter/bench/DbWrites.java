package io.arbiter.bench;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.Awaitility;

/**
 * What the database wrote: rows inserted, updated (HOT or not) and deleted per table of the schema
 * ({@code pg_stat_user_tables}), the WAL position, the database's committed transactions ({@code pg_stat_database}),
 * and the full-page images in the WAL (the first change of a page after a checkpoint writes the whole page) and the
 * WAL flushes to disk ({@code pg_stat_wal}). Two readings around a run give row writes, WAL bytes, commits and WAL
 * flushes per task; with durable commits every flush waits for the disk, so commits and flushes per task are what a
 * slow disk multiplies.
 * PostgreSQL publishes a backend's table counters when it goes idle, at most once a second, so {@link #settled} reads
 * until two readings half a second apart agree.
 */
record DbWrites(Map<String, long[]> tables, long walBytes, String walPosition, long fullPages, long commits,
                long walFlushes) {

  private static final String READ = """
      SELECT t.relname, t.n_tup_ins, t.n_tup_upd, t.n_tup_del, db.wal, db.lsn, db.fpi, db.commits, db.flushes
      FROM (SELECT pg_wal_lsn_diff(l.lsn, '0/0')::bigint AS wal, l.lsn::text AS lsn, w.wal_fpi AS fpi,
                   (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
                   w.wal_sync AS flushes
            FROM pg_stat_wal w, pg_current_wal_lsn() AS l(lsn)) db
      CROSS JOIN pg_stat_user_tables t WHERE t.schemaname = current_schema()
      """;

  private static final String WAL_RECORDS = """
      SELECT COALESCE(sum(count) FILTER (WHERE kind IN ('Btree/INSERT_LEAF', 'Btree/INSERT_POST')), 0)::bigint
               AS entries,
             COALESCE(sum(count) FILTER (WHERE kind IN ('Heap/LOCK', 'Heap2/LOCK_UPDATED')), 0)::bigint AS locks,
             COALESCE(sum(count) FILTER (WHERE kind LIKE 'Btree/SPLIT%'), 0)::bigint AS splits
      FROM (SELECT "resource_manager/record_type" AS kind, count
            FROM pg_get_wal_stats($1::pg_lsn, $2::pg_lsn, true)) s
      """;

  static DbWrites read(Pool pool) throws Exception {
    Map<String, long[]> tables = new TreeMap<>();
    long wal = 0;
    String lsn = null;
    long fpi = 0;
    long commits = 0;
    long flushes = 0;
    for (Row row : TaskBenchmark.await(pool.query(READ).execute(), 60)) {
      tables.put(row.getString("relname"),
          new long[] {row.getLong("n_tup_ins"), row.getLong("n_tup_upd"), row.getLong("n_tup_del")});
      wal = row.getLong("wal");
      lsn = row.getString("lsn");
      fpi = row.getLong("fpi");
      commits = row.getLong("commits");
      flushes = row.getLong("flushes");
    }
    return new DbWrites(tables, wal, lsn, fpi, commits, flushes);
  }

  /** A reading once the counters stop moving (at most about ten seconds). */
  static DbWrites settled(Pool pool) throws Exception {
    AtomicReference<DbWrites> last = new AtomicReference<>(read(pool));
    try {
      Awaitility.await("the write counters settle").atMost(Duration.ofSeconds(10)).pollInSameThread()
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            DbWrites now = read(pool);
            return last.getAndSet(now).rows() == now.rows();
          });
    } catch (ConditionTimeoutException e) {
      // still moving after ten seconds: the latest reading
    }
    return last.get();
  }

  long rows() {
    return tables.values().stream().mapToLong(c -> c[0] + c[1] + c[2]).sum();
  }

  /**
   * {@code rows per task (table ins/upd/del …); WAL bytes, commits and WAL flushes per task}, from {@code before} to
   * this reading.
   */
  String perTask(DbWrites before, long tasks) {
    String byTable = tables.entrySet().stream().map(e -> {
      long[] was = before.tables.getOrDefault(e.getKey(), new long[3]);
      long[] now = e.getValue();
      double ins = (now[0] - was[0]) / (double) tasks;
      double upd = (now[1] - was[1]) / (double) tasks;
      double del = (now[2] - was[2]) / (double) tasks;
      return ins + upd + del < 0.005 ? null : String.format("%s %.2f/%.2f/%.2f", e.getKey(), ins, upd, del);
    }).filter(s -> s != null).collect(Collectors.joining(", "));
    return String.format("%.1f rows (%s; ins/upd/del); WAL %.0f bytes (%.2f full-page images); %.2f commits, "
            + "%.2f WAL flushes",
        (rows() - before.rows()) / (double) tasks, byTable, (walBytes - before.walBytes) / (double) tasks,
        (fullPages - before.fullPages) / (double) tasks,
        (commits - before.commits) / (double) tasks, (walFlushes - before.walFlushes) / (double) tasks);
  }

  /**
   * The WAL records between two readings that show what each row write cost, from {@code pg_walinspect}: index
   * entries (B-tree leaf insertions: every inserted row and every version of a row that is not a heap-only update
   * enters each of its table's indexes whose predicate it meets), row locks ({@code SELECT … FOR UPDATE}, a foreign
   * key's check of a row its statement does not hold yet, and an update whose new version moves to another page) and
   * index page splits. Null where the extension is not installed;
   * a run whose WAL PostgreSQL has already recycled (more than {@code max_wal_size} of it) says so instead.
   */
  static String walRecords(Pool pool, DbWrites before, DbWrites after, long tasks) throws Exception {
    boolean installed = TaskBenchmark.await(pool.query(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_walinspect'").execute(), 60).size() > 0;
    if (!installed || before.walPosition == null || after.walPosition == null) {
      return null;
    }
    Row row;
    try {
      row = TaskBenchmark.await(pool.preparedQuery(WAL_RECORDS)
          .execute(Tuple.of(before.walPosition, after.walPosition)), 60).iterator().next();
    } catch (PgException e) {
      if (!"58P01".equals(e.getSqlState())) {
        throw e;
      }
      return "not counted: the run wrote more WAL than PostgreSQL keeps (" + e.getErrorMessage() + "); a run of "
          + "fewer tasks counts them";
    }
    return String.format("%.1f index entries, %.2f row locks, %.2f index page splits",
        row.getLong("entries") / (double) tasks, row.getLong("locks") / (double) tasks,
        row.getLong("splits") / (double) tasks);
  }
}
