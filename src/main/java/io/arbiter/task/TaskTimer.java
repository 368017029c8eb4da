package io.arbiter.task;

import io.arbiter.db.Coalescer;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task domain's one timer per node, for work that waits on time or on other tasks. Every {@link #TICK_MS} it moves
 * the due scheduled tasks to the queue and ends the queued tasks whose queue time-out passed; every
 * {@link #SETTLE_EVERY} ticks it settles any waiting task whose parents ended (the fallback for a nudge lost in a
 * crash). {@link #settle} is the nudge: called right after the statements that end tasks (or submit waiting ones), it
 * settles their dependants at once, and the dependants those cancel, in turn. Every statement takes its rows with
 * {@code FOR UPDATE SKIP LOCKED} and guards on the source state, so timers on several nodes never move a task twice.
 * Whatever joins the queue, or ends, is reported to {@code changed} with its tenants (a dispatch nudge).
 */
final class TaskTimer {

  private static final Logger LOG = LoggerFactory.getLogger(TaskTimer.class);

  /** How often the timer looks for due tasks: a task joins the queue at most this long after its due time. */
  static final long TICK_MS = 200;
  /** The poll for waiting tasks runs every this many ticks. */
  static final int SETTLE_EVERY = 5;
  /** Most tasks one statement moves. */
  static final int BATCH = 500;

  private final Vertx vertx;
  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final Consumer<Collection<String>> changed;
  private final Coalescer due = new Coalescer(this::dueOnce);
  private final Coalescer waiting = new Coalescer(() -> settleOnce(null));
  private final java.util.Set<UUID> nudged = new java.util.LinkedHashSet<>();
  private final Coalescer nudges = new Coalescer(this::settleNudged);
  private long ticks;

  TaskTimer(Vertx vertx, DbBreaker breaker, TaskRepository tasks, Consumer<Collection<String>> changed) {
    this.vertx = vertx;
    this.breaker = breaker;
    this.tasks = tasks;
    this.changed = changed;
  }

  void start() {
    vertx.setPeriodic(TICK_MS, id -> {
      due.request();
      if (++ticks % SETTLE_EVERY == 0) {
        waiting.request();
      }
    });
  }

  /**
   * Settles the waiting tasks among {@code ids} and their dependants, now: ids that come while a settle runs are
   * settled together right after it, so a burst of finished tasks costs one statement.
   */
  void settle(Collection<UUID> ids) {
    if (!ids.isEmpty()) {
      nudged.addAll(ids);
      nudges.request();
    }
  }

  private Future<Boolean> settleNudged() {
    if (nudged.isEmpty()) {
      return Future.succeededFuture(false);
    }
    List<UUID> ids = List.copyOf(nudged);
    nudged.clear();
    return settleOnce(ids).map(more -> !nudged.isEmpty());
  }

  /** One batch of due tasks and one of queue time-outs; true when either was full. */
  private Future<Boolean> dueOnce() {
    Future<List<TaskRepository.Moved>> promoted = breaker.execute(() -> tasks.promoteDue(BATCH));
    return promoted.compose(queued -> breaker.execute(() -> tasks.queueTimeouts(BATCH)).map(ended -> {
      report(queued);
      report(ended);
      settle(ended.stream().map(TaskRepository.Moved::id).toList());
      return queued.size() >= BATCH || ended.size() >= BATCH;
    })).onFailure(e -> LOG.debug("task timer skipped: {}", e.getMessage()));
  }

  /** Settles the waiting tasks among {@code ids} and their children (all waiting ones for null), cascading cancels. */
  private Future<Boolean> settleOnce(List<UUID> ids) {
    return breaker.execute(() -> tasks.settle(ids, BATCH)).map(moved -> {
      report(moved);
      List<UUID> canceled = new ArrayList<>();
      moved.forEach(m -> {
        if (TaskState.CANCELED.wire().equals(m.state())) {
          canceled.add(m.id());
        }
      });
      settle(canceled);
      if (ids != null && moved.size() >= BATCH) {
        waiting.request();
      }
      return ids == null && moved.size() >= BATCH;
    }).onFailure(e -> LOG.debug("settling waiting tasks skipped: {}", e.getMessage()));
  }

  private void report(List<TaskRepository.Moved> moved) {
    if (!moved.isEmpty()) {
      changed.accept(moved.stream().map(TaskRepository.Moved::tenantId).toList());
    }
  }
}
