package io.arbiter.task;

import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease rescuer's tick: every held task whose lease or deadline passed, or whose agent went offline, becomes a
 * timed-out attempt ({@link TaskSql#RESCUE}), retried after backoff or dead. One node rescues at a time (an advisory
 * lock); a tick waits while any node's outage journal holds items ({@link JournalHolds}), so that a result accepted
 * during an outage lands before its lease is judged. A full batch is followed at once by another. A tick at least
 * {@link #STATE_COUNTS_INTERVAL_MS} after the last count also refreshes the tasks-by-state gauges
 * ({@link TaskMetrics#stateCounts}).
 */
final class LeaseRescue {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseRescue.class);

  /**
   * How often the tasks-by-state gauges are counted. The count reads every unfinished task through its state's index,
   * so its cost grows with the backlog (about 30 ms with 60,000 tasks queued); a few seconds is finer than any
   * scrape interval or alert window needs.
   */
  static final long STATE_COUNTS_INTERVAL_MS = 5_000;

  private final Vertx vertx;
  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final OutageJournal journal;
  private final JournalHolds holds;
  private final TaskTimer timer;
  private final TaskMetrics metrics;
  private final TaskNudges nudges;
  private final int batchSize;
  private boolean rescuing;
  private long countedAtNanos;

  /** @param batchSize {@code tasks.rescueBatchSize}: the most tasks one statement rescues */
  LeaseRescue(Vertx vertx, DbBreaker breaker, TaskRepository tasks, OutageJournal journal, JournalHolds holds,
              TaskTimer timer, TaskMetrics metrics, TaskNudges nudges, int batchSize) {
    this.vertx = vertx;
    this.breaker = breaker;
    this.tasks = tasks;
    this.journal = journal;
    this.holds = holds;
    this.timer = timer;
    this.metrics = metrics;
    this.nudges = nudges;
    this.batchSize = batchSize;
  }

  void start(long intervalMs) {
    countedAtNanos = System.nanoTime() - STATE_COUNTS_INTERVAL_MS * 1_000_000;
    vertx.setPeriodic(intervalMs, id -> rescue());
  }

  private void rescue() {
    if (rescuing || journal.buffered() > 0) {
      return;
    }
    rescuing = true;
    holds.anyHeld().compose(held -> {
      if (held) {
        metrics.rescuePass("paused");
        return Future.succeededFuture(new TaskRepository.Rescue(false, List.of()));
      }
      return breaker.execute(tasks::rescue).onSuccess(r -> metrics.rescuePass(r.ran() ? "ran" : "locked"));
    })
        .onComplete(result -> {
          rescuing = false;
          if (result.failed()) {
            LOG.debug("lease rescue skipped: {}", result.cause().getMessage());
            return;
          }
          List<Row> recovered = result.result().recovered();
          if (!recovered.isEmpty()) {
            recovered.forEach(row -> LOG.info("task {} of tenant {} recovered from agent {} ({}): now {}",
                row.getUUID("id"), row.getString("tenant_id"), row.getString("assigned_agent_id"),
                row.getString("reason"), row.getString("state")));
            nudges.changed(recovered.stream().map(row -> row.getString("tenant_id")).toList());
            timer.settle(recovered.stream().filter(row -> TaskState.DEAD.wire().equals(row.getString("state")))
                .map(row -> row.getUUID("id")).toList());
            if (recovered.size() >= batchSize) {
              vertx.runOnContext(v -> rescue());
            }
          }
        });
    if (System.nanoTime() - countedAtNanos >= STATE_COUNTS_INTERVAL_MS * 1_000_000) {
      countedAtNanos = System.nanoTime();
      breaker.execute(tasks::stateCounts).onSuccess(metrics::stateCounts);
    }
  }
}
