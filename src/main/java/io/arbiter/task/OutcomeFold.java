package io.arbiter.task;

import io.arbiter.bus.RequestContext;
import io.arbiter.db.Coalescer;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the recorded outcomes ({@code agent_outcomes}) to their agents in batches ({@link TaskSql#FOLD_OUTCOMES}):
 * their slots are freed, their figures, learning arms and specialization records move. Nudged after each recorded
 * result (nudges coalesce: one fold runs at a time, and another follows while a full batch suggests more), polled
 * every {@link #INTERVAL_MS} for outcomes another node or a stopped run left. A fold that applied anything wakes
 * every dispatch lane: slots were freed.
 */
final class OutcomeFold {

  private static final Logger LOG = LoggerFactory.getLogger(OutcomeFold.class);

  /** Most recorded outcomes one fold applies. */
  static final int BATCH = 1_000;
  /** How often outcomes are folded without a nudge (left by another node, or by a run that stopped). */
  static final long INTERVAL_MS = 1_000;

  private final Vertx vertx;
  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final TaskNudges nudges;
  private final Coalescer folds = new Coalescer(this::foldOnce);

  OutcomeFold(Vertx vertx, DbBreaker breaker, TaskRepository tasks, TaskNudges nudges) {
    this.vertx = vertx;
    this.breaker = breaker;
    this.tasks = tasks;
    this.nudges = nudges;
  }

  void start() {
    vertx.setPeriodic(INTERVAL_MS, id -> folds.request());
  }

  /** A nudge: outcomes were recorded. */
  void request() {
    folds.request();
  }

  /**
   * Applies one agent's outcomes, waiting for those another fold holds (before a deregistration, so that a slot its
   * last result freed counts as free). Answers {@code {applied}}.
   */
  Future<JsonObject> foldAgent(RequestContext ctx, String agentId) {
    return breaker.execute(() -> tasks.foldAgentOutcomes(ctx, agentId, BATCH))
        .map(applied -> new JsonObject().put("applied", slotsFreed(applied)));
  }

  /** One fold of recorded outcomes into their agents' load and figures; true when a full batch suggests more. */
  private Future<Boolean> foldOnce() {
    return breaker.execute(() -> tasks.foldOutcomes(BATCH)).map(applied -> slotsFreed(applied) >= BATCH)
        .onFailure(e -> LOG.debug("outcome fold skipped: {}", e.getMessage()));
  }

  /** After a fold: {@code applied} outcomes freed their slots, so the dispatcher may have work to assign. */
  private int slotsFreed(int applied) {
    if (applied > 0) {
      nudges.wakeAllLanes();
    }
    return applied;
  }
}
