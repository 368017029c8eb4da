package io.arbiter.bench;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Samples what PostgreSQL's client backends are doing every {@code periodMs} while a run goes on: the wait event of each
 * active backend ({@code pg_stat_activity}; {@code CPU} when it waits on nothing) and the locks being waited for
 * ({@code pg_locks} not granted, by lock type and relation). Printed as shares of all samples: where the database's
 * time goes, and which lock, if any, serializes the work.
 */
final class WaitSampler {

  private static final String ACTIVITY = """
      SELECT COALESCE(wait_event_type || ':' || wait_event, 'CPU') AS what, count(*) AS n
      FROM pg_stat_activity
      WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
      GROUP BY 1
      """;
  private static final String LOCKS = """
      SELECT l.locktype || COALESCE(' ' || c.relname, '') AS what, count(*) AS n
      FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
      WHERE NOT l.granted
      GROUP BY 1
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final long timer;
  private final Map<String, AtomicLong> activity = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> locks = new ConcurrentHashMap<>();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicBoolean busy = new AtomicBoolean();

  WaitSampler(Vertx vertx, Pool pool, long periodMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.timer = vertx.setPeriodic(periodMs, id -> sample());
  }

  private void sample() {
    if (!busy.compareAndSet(false, true)) {
      return;
    }
    pool.query(ACTIVITY).execute().compose(a -> pool.query(LOCKS).execute().map(l -> {
      samples.incrementAndGet();
      add(activity, a);
      add(locks, l);
      return null;
    })).onComplete(done -> busy.set(false));
  }

  private static void add(Map<String, AtomicLong> into, Iterable<Row> rows) {
    for (Row row : rows) {
      into.computeIfAbsent(row.getString("what"), k -> new AtomicLong()).addAndGet(row.getLong("n"));
    }
  }

  /** Stops sampling; two lines: the average number of active backends by what they wait on, and lock waits. */
  String stop() {
    vertx.cancelTimer(timer);
    long n = Math.max(1, samples.get());
    return "active backends " + top(activity, n) + "\n  lock waits            " + (locks.isEmpty() ? "none"
        : top(locks, n)) + "  (average per sample, " + n + " samples)";
  }

  private static String top(Map<String, AtomicLong> counts, long samples) {
    return counts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).limit(8)
        .map(e -> String.format("%s %.2f", e.getKey(), e.getValue().get() / (double) samples))
        .collect(Collectors.joining(", "));
  }
}
