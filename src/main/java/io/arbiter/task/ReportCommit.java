package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.db.DbBreaker;
import io.arbiter.db.GroupCommit;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Group commit of the acks and results that agents send one at a time: while the database writes earlier ones, the
 * reports that arrive, from any of a tenant's agents, wait and are then written together, one statement and one
 * transaction for them all, as submissions are ({@link Submissions}). Each report keeps its own answer, and each audit
 * record its own request's actor. A batch holds one tenant's reports, since the statements are scoped by tenant.
 */
final class ReportCommit {

  private final GroupCommit<TaskRepository.AckItem, TaskRepository.Guarded> acks;
  private final GroupCommit<TaskRepository.ResultItem, TaskRepository.Guarded> results;

  /**
   * @param maxBatch the most reports in one statement
   * @param maxInFlight the most statements of each kind written at once (the pool's size)
   */
  ReportCommit(int maxBatch, int maxInFlight, DbBreaker breaker, TaskRepository tasks) {
    this.acks = new GroupCommit<>(maxBatch, maxInFlight, batch -> write(batch, breaker, tasks::ackAll),
        e -> !Failure.UNAVAILABLE.is(e), item -> item.ctx().tenantId());
    this.results = new GroupCommit<>(maxBatch, maxInFlight, batch -> write(batch, breaker, tasks::resultAll),
        e -> !Failure.UNAVAILABLE.is(e), item -> item.ctx().tenantId());
  }

  /** One ack: the task as the statement left it; fails with 404 for an unknown task. */
  Future<TaskRepository.Guarded> ack(TaskRepository.AckItem item) {
    return acks.submit(item);
  }

  /** One result: the task as the statement left it; fails with 404 for an unknown task. */
  Future<TaskRepository.Guarded> result(TaskRepository.ResultItem item) {
    return results.submit(item);
  }

  /** The acks and results waiting for a batch (for the gauge). */
  int waiting() {
    return acks.waiting() + results.waiting();
  }

  private static <I> Future<List<Future<TaskRepository.Guarded>>> write(
      List<I> batch, DbBreaker breaker, Function<List<I>, Future<List<TaskRepository.Guarded>>> statement) {
    return breaker.execute(() -> statement.apply(batch)).map(all -> {
      List<Future<TaskRepository.Guarded>> answers = new ArrayList<>(all.size());
      all.forEach(g -> answers.add(g == null ? Future.failedFuture(TaskRepository.notFound())
          : Future.succeededFuture(g)));
      return answers;
    });
  }
}
