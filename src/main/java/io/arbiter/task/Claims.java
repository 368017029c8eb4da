package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Bulkhead;
import io.arbiter.db.DbBreaker;
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
 */
final class Claims {

  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final ClaimWaits waits;
  private final Bulkhead firstAttempts;
  private final Supplier<LiveSettings> live;
  private final BiFunction<RequestContext, String, Future<Void>> agentExists;
  private final TaskNudges nudges;

  /**
   * @param firstAttempts how many new claims' first statements may be in flight at once
   * @param agentExists fails as the registry does when the tenant has no such agent
   */
  Claims(DbBreaker breaker, TaskRepository tasks, ClaimWaits waits, int firstAttempts, Supplier<LiveSettings> live,
         BiFunction<RequestContext, String, Future<Void>> agentExists, TaskNudges nudges) {
    this.breaker = breaker;
    this.tasks = tasks;
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
    long aliveRefreshMs = aliveRefreshMs();
    return breaker.execute(() -> tasks.claimRunning(ctx, agentId, max, aliveRefreshMs, selfClaim))
        .onSuccess(rows -> {
          if (!rows.isEmpty()) {
            nudges.drainAudit();
          }
        });
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
    long aliveRefreshMs = aliveRefreshMs();
    return breaker.execute(() -> tasks.claim(ctx, agentId, max, aliveRefreshMs, push));
  }

  /** How stale an agent's heartbeat may be before a claim refreshes it. */
  private long aliveRefreshMs() {
    return live.get().heartbeatWindowMs() / 4;
  }
}
