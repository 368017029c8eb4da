package io.arbiter.bench;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
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
record DbWrites(Map<String, long[]> tables, long walBytes, long fullPages, long commits, long walFlushes) {

  private static final String READ = """
      SELECT t.relname, t.n_tup_ins, t.n_tup_upd, t.n_tup_del, db.wal, db.fpi, db.commits, db.flushes
      FROM (SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS wal, w.wal_fpi AS fpi,
                   (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
                   w.wal_sync AS flushes
            FROM pg_stat_wal w) db
      CROSS JOIN pg_stat_user_tables t WHERE t.schemaname = current_schema()
      """;

  static DbWrites read(Pool pool) throws Exception {
    Map<String, long[]> tables = new TreeMap<>();
    long wal = 0;
    long fpi = 0;
    long commits = 0;
    long flushes = 0;
    for (Row row : TaskBenchmark.await(pool.query(READ).execute(), 60)) {
      tables.put(row.getString("relname"),
          new long[] {row.getLong("n_tup_ins"), row.getLong("n_tup_upd"), row.getLong("n_tup_del")});
      wal = row.getLong("wal");
      fpi = row.getLong("fpi");
      commits = row.getLong("commits");
      flushes = row.getLong("flushes");
    }
    return new DbWrites(tables, wal, fpi, commits, flushes);
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
}
