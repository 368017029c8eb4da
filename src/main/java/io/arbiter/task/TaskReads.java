package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Cursor;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.function.Supplier;

/**
 * The answers to the task read addresses: one task, its history, routing decision and dependency graph, a page of
 * the tenant's tasks, its queue, its figures over a window, and an agent's activity. Each bounds what it is asked
 * for (page sizes, graph nodes, listed results) and reads through the breaker.
 */
final class TaskReads {

  /** The most nodes a task's graph answers. */
  static final int GRAPH_MAX_NODES = 200;
  /** The most leases an agent's activity lists (an agent holds at most its capacity, itself at most 1,000). */
  static final int AGENT_LEASES_MAX = 1_000;
  /** How many of an agent's results its activity lists when it names no limit, and the most it may name. */
  static final int AGENT_RESULTS_DEFAULT = 20;
  static final int AGENT_RESULTS_MAX = 200;

  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final OperatorReads reads;
  private final Supplier<LiveSettings> live;
  private final int maxPageSize;

  /** @param maxPageSize {@code api.maxPageSize}: the most tasks one page may ask for */
  TaskReads(DbBreaker breaker, TaskRepository tasks, OperatorReads reads, Supplier<LiveSettings> live,
            int maxPageSize) {
    this.breaker = breaker;
    this.tasks = tasks;
    this.reads = reads;
    this.live = live;
    this.maxPageSize = maxPageSize;
  }

  Future<JsonObject> get(RequestContext ctx, JsonObject body) {
    return breaker.execute(() -> tasks.get(ctx, TaskRequests.taskId(body)));
  }

  Future<JsonObject> history(RequestContext ctx, JsonObject body) {
    return breaker.execute(() -> tasks.history(ctx, TaskRequests.taskId(body)));
  }

  Future<JsonObject> decision(RequestContext ctx, JsonObject body) {
    return breaker.execute(() -> tasks.decision(ctx, TaskRequests.taskId(body)));
  }

  Future<JsonObject> graph(RequestContext ctx, JsonObject body) {
    return breaker.execute(() -> tasks.graph(ctx, TaskRequests.taskId(body), GRAPH_MAX_NODES));
  }

  Future<JsonObject> queue(RequestContext ctx) {
    return breaker.execute(() -> tasks.queue(ctx));
  }

  /**
   * A page of a tenant's tasks, newest first ({@code state}, {@code type}, {@code agent}, created {@code from} and
   * {@code to}, {@code limit}, {@code cursor}). Only the platform role lists another {@code tenant}'s.
   */
  Future<JsonObject> list(RequestContext ctx, JsonObject q) {
    int limit = q.getInteger("limit", live.get().defaultPageSize());
    if (limit > maxPageSize) {
      return Future.failedFuture(Failure.BAD_REQUEST.exception("limit must be at most " + maxPageSize));
    }
    Cursor.CreatedKey after = Cursor.CreatedKey.decode(q.getString("cursor"));
    String tenant = q.getString("tenant", ctx.tenantId());
    if (!ctx.platform() && !tenant.equals(ctx.tenantId())) {
      return Future.failedFuture(Failure.FORBIDDEN.exception("only the platform role lists another tenant's tasks"));
    }
    OffsetDateTime from = TaskRequests.instant(q, "from");
    OffsetDateTime to = TaskRequests.instant(q, "to");
    if (from != null && to != null && !from.isBefore(to)) {
      return Future.failedFuture(TaskRequests.badField("from", "must be before to"));
    }
    return breaker.execute(() -> tasks.list(tenant, q.getString("state"), q.getString("type"), q.getString("agent"),
        after == null ? null : after.createdAt(), after == null ? null : after.id(), limit + 1, from, to))
        .map(rows -> Cursor.page(rows, limit, TaskJson::task,
            row -> new Cursor.CreatedKey(row.getOffsetDateTime("created_at"), row.getUUID("id"))));
  }

  /** The tenant's figures over a {@code window}, by {@code step} ({@link StatsWindow}). */
  Future<JsonObject> timeseries(RequestContext ctx, JsonObject body) {
    StatsWindow window = StatsWindow.of(body.getString("window"), body.getString("step"), Instant.now());
    return breaker.execute(() -> reads.timeseries(ctx, window));
  }

  /** An agent's ({@code id}) current leases and its latest results, at most {@code limit}. */
  Future<JsonObject> agentActivity(RequestContext ctx, JsonObject body) {
    int limit = body.getInteger("limit", AGENT_RESULTS_DEFAULT);
    if (limit < 1 || limit > AGENT_RESULTS_MAX) {
      return Future.failedFuture(TaskRequests.badField("limit", "must be 1 to " + AGENT_RESULTS_MAX));
    }
    return breaker.execute(() -> reads.activity(ctx, body.getString("id"), AGENT_LEASES_MAX, limit));
  }
}
