package io.arbiter.task;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToDoubleFunction;

/**
 * The task domain's meters: tasks accepted, attempts completed by outcome, the lease rescuer's ticks, the claims
 * waiting on this node, and the tasks by state (all tenants, refreshed by each rescue tick from
 * {@link TaskSql#STATE_COUNTS}). Without a registry (metrics off) the meters count into one of their own.
 */
final class TaskMetrics {

  /** The outcomes a rescue tick is counted under. */
  static final List<String> RESCUE_OUTCOMES = List.of("ran", "locked", "paused");

  /** {@link TaskState#COUNTED}'s counts, in its order, then the unroutable tasks. */
  private final AtomicLongArray stateCounts = new AtomicLongArray(TaskState.COUNTED.size() + 1);
  private final MeterRegistry meters;
  private final Counter submitted;
  private final Counter succeeded;
  private final Counter failed;
  private final Map<String, Counter> rescuePasses = new HashMap<>();

  /**
   * @param registry where the meters go, or null for none
   * @param claims what holds this node's waiting claims ({@link ClaimWaits})
   * @param waitingClaims how many claims {@code claims} holds waiting, read by its gauge
   */
  <T> TaskMetrics(MeterRegistry registry, T claims, ToDoubleFunction<T> waitingClaims) {
    meters = registry != null ? registry : new SimpleMeterRegistry();
    submitted = Counter.builder("arbiter.tasks.submitted").description("Tasks accepted").register(meters);
    succeeded = Counter.builder("arbiter.tasks.completed").tag("outcome", "succeeded")
        .description("Attempts completed, by reported outcome").register(meters);
    failed = Counter.builder("arbiter.tasks.completed").tag("outcome", "failed")
        .description("Attempts completed, by reported outcome").register(meters);
    for (String outcome : RESCUE_OUTCOMES) {
      rescuePasses.put(outcome, Counter.builder("arbiter.tasks.rescue.passes").tag("outcome", outcome)
          .description("Lease rescue ticks of this node: ran, locked (another node was rescuing) or paused (an "
              + "outage journal held items)").register(meters));
    }
    Gauge.builder("arbiter.claims.waiting", claims, waitingClaims)
        .description("Agents' long-polling claims waiting for work on this node").register(meters);
    Gauge.builder("arbiter.tasks.queue.depth", stateCounts, counts -> counts.get(0))
        .description("Tasks waiting in the queue").register(meters);
    for (int i = 0; i < TaskState.COUNTED.size(); i++) {
      int index = i;
      Gauge.builder("arbiter.tasks", stateCounts, counts -> counts.get(index))
          .tag("state", TaskState.COUNTED.get(i).wire())
          .description("Tasks by state: not yet queued, queued, held by an agent, or dead (all tenants)")
          .register(meters);
    }
    Gauge.builder("arbiter.tasks.unroutable", stateCounts, counts -> counts.get(TaskState.COUNTED.size()))
        .description("Unassigned tasks that no registered agent of their tenant takes (all tenants)")
        .register(meters);
  }

  /** Registers the gauge of the agents' acks and results waiting for their group commit ({@link ReportCommit}). */
  void reportsWaiting(ReportCommit reports) {
    Gauge.builder("arbiter.reports.waiting", reports, ReportCommit::waiting)
        .description("Agents' acks and results on this node waiting for their group commit").register(meters);
  }

  void claimsWaiting(Claims claims) {
    Gauge.builder("arbiter.claims.batch.waiting", claims, Claims::waiting)
        .description("Agents' claims (and results' next work) on this node waiting for their group commit")
        .register(meters);
  }

  void submitted(long tasks) {
    submitted.increment(tasks);
  }

  /** Counts completed attempts by their reported outcome ({@code succeeded}, else failed). */
  void completed(List<String> outcomes) {
    outcomes.forEach(outcome -> ("succeeded".equals(outcome) ? succeeded : failed).increment());
  }

  /** Counts a rescue tick under one of {@link #RESCUE_OUTCOMES}. */
  void rescuePass(String outcome) {
    Counter counter = rescuePasses.get(outcome);
    if (counter != null) {
      counter.increment();
    }
  }

  /** The latest counts of {@link TaskRepository#stateCounts}, in {@link TaskState#COUNTED}'s order. */
  void stateCounts(long[] counts) {
    for (int i = 0; i < counts.length; i++) {
      stateCounts.set(i, counts[i]);
    }
  }
}
