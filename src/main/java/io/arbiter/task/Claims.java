package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Bulkhead;
import io.arbiter.db.DbBreaker;
import io.arbiter.db.GroupCommit;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Delivery to agents by claim: an agent's assigned tasks now, or, with {@code wait}, as soon as an assignment wakes its
 * long poll ({@link ClaimWaits}); with {@code ack}, each delivery comes back acknowledged (running under its lease).
 * Every claim also counts as the agent's sign of life ({@link TaskSql#CLAIM}).
 *
 * <p>New claims' first statements (the claim, and the registry's check of an agent with nothing to claim) are bounded
 * to half of a pool and its wait queue: a flood of claims (an agent's token claiming in tight loops, say for an agent
 * never registered) cannot fill the queues and turn away submissions and results. A claim that may wait holds one of
 * its agent's {@code tasks.maxWaitingClaims} places from its first statement on, so a burst of long polls for one
 * agent sends at most that many statements; the polls of claims already waiting are bounded by the same places.
 *
 * <p>Claims are group-committed as acks and results are ({@link ReportCommit}): the claims that arrive while the
 * database takes earlier ones, from any of a tenant's agents, are then taken together, one statement and one
 * transaction for them all (those that acknowledge at once apart from those that do not). Each claim gets the tasks
 * handed to it, and each audit record its own request's actor.
 */
final class Claims {

  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final ClaimWaits waits;
  private final Bulkhead firstAttempts;
  private final Supplier<LiveSettings> live;
  private final BiFunction<RequestContext, String, Future<Void>> agentExists;
  private final TaskNudges nudges;
  private final GroupCommit<TaskRepository.ClaimItem, List<Row>> batches;

  /** What the claims of one batch share: their tenant, and whether they acknowledge at once. */
  private record Batch(String tenantId, boolean running) {}

  /**
   * @param firstAttempts how many new claims' first statements may be in flight at once
   * @param agentExists fails as the registry does when the tenant has no such agent
   * @param maxBatch the most claims in one statement
   * @param maxInFlight the most claim statements written at once (the pool's size)
   */
  Claims(DbBreaker breaker, TaskRepository tasks, ClaimWaits waits, int firstAttempts, Supplier<LiveSettings> live,
         BiFunction<RequestContext, String, Future<Void>> agentExists, TaskNudges nudges, int maxBatch,
         int maxInFlight) {
    this.breaker = breaker;
    this.tasks = tasks;
    this.batches = new GroupCommit<>(maxBatch, maxInFlight, this::write, e -> !Failure.UNAVAILABLE.is(e),
        item -> new Batch(item.ctx().tenantId(), item.running()));
    this.waits = waits;
    this.firstAttempts = new Bulkhead(firstAttempts);
    this.live = live;
    this.agentExists = agentExists;
    this.nudges = nudges;
  }

  /**
   * The agent's deliveries now, or, with {@code wait}, as soon as it has some within that many seconds. With
   * {@code ack} each delivery comes back acknowledged (running under its lease): one call instead of a claim and an
   * ack. The bridge's claim for a connected agent ({@code push}) never waits.
   */
  Future<JsonObject> claim(RequestContext ctx, JsonObject body) {
    String agentId = body.getString("agentId");
    int max = body.getInteger("max", 1);
    long waitMs = body.getInteger("wait", 0) * 1000L;
    boolean ack = body.getBoolean("ack", false);
    if (body.getBoolean("push", false)) {
      return claimOnce(ctx, agentId, max, true).map(rows -> deliveries(rows, false));
    }
    Supplier<Future<List<Row>>> attempt = () -> ack ? claimRunning(ctx, agentId, max, true)
        : claimOnce(ctx, agentId, max, false);
    // the first attempt, and for a claim that found nothing the check that its agent exists, count against the
    // bulkhead; the wait after them does not (tasks.maxWaitingClaims bounds it per agent, first attempts included)
    Supplier<Future<List<Row>>> first = () -> firstAttempts.run(() -> attempt.get().compose(found -> found.isEmpty()
        ? agentExists.apply(ctx, agentId).map(found) : Future.succeededFuture(found)),
        () -> Failure.OVERLOADED.exception("too many claims in flight on this node (half of the tasks pool and its "
            + "wait queue); retry shortly"));
    return waits.await(ctx.tenantId(), agentId, ctx.correlationId(), waitMs, first, attempt)
        .map(rows -> deliveries(rows, ack));
  }

  /**
   * Up to {@code max} of the agent's assigned tasks, acknowledged in the same statement. {@code selfClaim}: the agent's
   * own claim, which makes it a consuming claim agent (a result's next work leaves its delivery channel as it is).
   */
  Future<List<Row>> claimRunning(RequestContext ctx, String agentId, int max, boolean selfClaim) {
    return batches.submit(new TaskRepository.ClaimItem(ctx, agentId, max, selfClaim, true))
        .onSuccess(rows -> {
          if (!rows.isEmpty()) {
            nudges.drainAudit();
          }
        });
  }

  /** The claims waiting for a batch (for the gauge). */
  int waiting() {
    return batches.waiting();
  }

  /** The client of a long-polling claim went away ({@code {agentId}}, the claim's request context). */
  Future<JsonObject> cancel(RequestContext ctx, JsonObject body) {
    waits.cancel(ctx.tenantId(), body.getString("agentId"), ctx.correlationId());
    return Future.succeededFuture(new JsonObject());
  }

  /** An assignment was made: wakes the agent's waiting claims ({@code {tenantId, agentId, count}}). */
  void wake(JsonObject assigned) {
    waits.wake(assigned.getString("tenantId"), assigned.getString("agentId"), assigned.getInteger("count", 1));
  }

  /** {@code {tasks: [...]}}: the deliveries, as a claim answers them (acknowledged ones with their lease). */
  static JsonObject deliveries(List<Row> rows, boolean acknowledged) {
    return new JsonObject().put("tasks", new JsonArray(rows.stream()
        .map(row -> acknowledged ? TaskJson.runningDelivery(row) : TaskJson.delivery(row)).toList()));
  }

  private Future<List<Row>> claimOnce(RequestContext ctx, String agentId, int max, boolean push) {
    return batches.submit(new TaskRepository.ClaimItem(ctx, agentId, max, !push, false));
  }

  /** One batch of claims, one statement: the tasks each claim took. */
  private Future<List<Future<List<Row>>>> write(List<TaskRepository.ClaimItem> batch) {
    long aliveRefreshMs = aliveRefreshMs();
    return breaker.execute(() -> tasks.claimAll(batch, aliveRefreshMs))
        .map(taken -> taken.stream().map(Future::succeededFuture).toList());
  }

  /** How stale an agent's heartbeat may be before a claim refreshes it. */
  private long aliveRefreshMs() {
    return live.get().heartbeatWindowMs() / 4;
  }
}
