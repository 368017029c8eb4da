package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * What a caller does to tasks beyond submitting them: cancel one, requeue one dead task, or requeue a tenant's dead
 * tasks of a type in bulk. A move the task's state does not allow is refused as {@link Failure#CONFLICT}; each move
 * wakes the tenant's dispatch lanes, and a cancel settles the canceled task's dependants.
 */
final class OperatorActions {

  /** How many dead tasks a bulk requeue takes when it names no limit, and the most it may name. */
  static final int REQUEUE_DEAD_DEFAULT = 100;
  static final int REQUEUE_DEAD_MAX = 1_000;

  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final GateCache gates;
  private final TaskTimer timer;
  private final TaskNudges nudges;

  OperatorActions(DbBreaker breaker, TaskRepository tasks, GateCache gates, TaskTimer timer, TaskNudges nudges) {
    this.breaker = breaker;
    this.tasks = tasks;
    this.gates = gates;
    this.timer = timer;
    this.nudges = nudges;
  }

  /** Cancels the task; answers it as it is now. The holder's slot is freed in the same statement. */
  Future<JsonObject> cancel(RequestContext ctx, JsonObject body) {
    UUID id = TaskRequests.taskId(body);
    return breaker.execute(() -> tasks.cancel(ctx, id)).compose(g -> {
      if (!g.moved()) {
        return Future.failedFuture(Failure.CONFLICT.exception("task " + id + " is " + g.state().wire()
            + " and can no longer be canceled"));
      }
      nudges.changed(List.of(ctx.tenantId()));
      gates.forget(List.of(id));
      timer.settle(List.of(id));
      return breaker.execute(() -> tasks.get(ctx, id));
    });
  }

  /** Requeues a dead task with a fresh set of attempts; answers it as it is now. */
  Future<JsonObject> requeue(RequestContext ctx, JsonObject body) {
    UUID id = TaskRequests.taskId(body);
    return breaker.execute(() -> tasks.requeue(ctx, id)).compose(g -> {
      if (!g.moved()) {
        return Future.failedFuture(Failure.CONFLICT.exception("task " + id + " is " + g.state().wire()
            + "; only dead tasks can be requeued"));
      }
      nudges.changed(List.of(ctx.tenantId()));
      return breaker.execute(() -> tasks.get(ctx, id));
    });
  }

  /** Requeues the tenant's dead tasks of a {@code type}, at most {@code limit} of them, longest dead first. */
  Future<JsonObject> requeueDead(RequestContext ctx, JsonObject body) {
    String type = body.getString("type");
    int limit = body.getInteger("limit", REQUEUE_DEAD_DEFAULT);
    if (type == null) {
      return Future.failedFuture(TaskRequests.badField("type", "is required"));
    }
    if (limit < 1 || limit > REQUEUE_DEAD_MAX) {
      return Future.failedFuture(TaskRequests.badField("limit", "must be 1 to " + REQUEUE_DEAD_MAX));
    }
    return breaker.execute(() -> tasks.requeueDead(ctx, type, limit)).map(ids -> {
      if (!ids.isEmpty()) {
        nudges.changed(List.of(ctx.tenantId()));
      }
      return new JsonObject().put("type", type).put("requeued", ids.size())
          .put("taskIds", new JsonArray(ids.stream().map(UUID::toString).toList()));
    });
  }
}
