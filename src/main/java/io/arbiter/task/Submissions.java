package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.callback.CallbackSettings;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.db.DbBreaker;
import io.arbiter.db.GroupCommit;
import io.arbiter.policy.TaskPolicy;
import io.arbiter.policy.TenantLimits;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The submission path: one task, a bulk batch or a workflow, each checked against its tenant's limits and its parents
 * ({@link ParentCheck}), then written by group commit (single submissions share one transaction and statement) or in
 * one transaction of its own. A task written is remembered for the result gates ({@link GateCache}), a waiting one is
 * settled at once if its parents already ended ({@link TaskTimer#settle}), and its tenant's dispatch lanes are woken.
 * While the database is unavailable, single and bulk submissions go to the outage journal ({@link OutageFallback})
 * and are answered as buffered.
 */
final class Submissions {

  private final ArbiterConfig.Tasks settings;
  private final CallbackSettings callbacks;
  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final LimitsCache limits;
  private final ParentCheck parents;
  private final GateCache gates;
  private final TaskTimer timer;
  private final OutageFallback fallback;
  private final TaskMetrics metrics;
  private final TaskNudges nudges;
  private final GroupCommit<Submission, JsonObject> groupCommit;

  /** @param maxInFlight the most group-commit batches written at once (the pool's size) */
  Submissions(ArbiterConfig.Tasks settings, CallbackSettings callbacks, int maxInFlight, DbBreaker breaker,
              TaskRepository tasks, LimitsCache limits, ParentCheck parents, GateCache gates, TaskTimer timer,
              OutageFallback fallback, TaskMetrics metrics, TaskNudges nudges) {
    this.settings = settings;
    this.callbacks = callbacks;
    this.breaker = breaker;
    this.tasks = tasks;
    this.limits = limits;
    this.parents = parents;
    this.gates = gates;
    this.timer = timer;
    this.fallback = fallback;
    this.metrics = metrics;
    this.nudges = nudges;
    this.groupCommit = new GroupCommit<>(settings.submitBatchMax(), maxInFlight, this::write,
        e -> !Failure.UNAVAILABLE.is(e));
  }

  /** One task; {@code body} may carry its {@code idempotencyKey}. Answers {@code {task, created}}. */
  Future<JsonObject> submit(RequestContext ctx, JsonObject request) {
    JsonObject body = request.copy();
    String key = (String) body.remove("idempotencyKey");
    return limitsForSubmission(ctx.tenantId()).compose(limits -> {
      Submission submission = Submission.from(body, key, ctx, settings, limits, "", callbacks);
      return parents.check(ctx, List.of(submission), i -> "").compose(v -> fallback.orBuffered(
          groupCommit.submit(submission), JournalReplay.entry("submit", ctx, List.of(submission.toJournal())),
          () -> new JsonObject().put("task", bufferedTask(submission)).put("created", true)));
    });
  }

  /**
   * A workflow: its nodes submitted in one statement, each waiting on its parents (by key, or by task id); answers
   * {@code {tasks: {key: id}}}.
   */
  Future<JsonObject> workflow(RequestContext ctx, JsonObject body) {
    return limitsForSubmission(ctx.tenantId()).compose(limits -> {
      Workflow.Plan plan = Workflow.plan(body,
          (node, field) -> Submission.from(node, null, ctx, settings, limits, field, callbacks));
      return parents.check(ctx, plan.batch(), n -> "nodes[" + n + "].")
          .compose(v -> write(plan.batch()))
          .compose(outcomes -> Future.all(outcomes).map(done -> new JsonObject().put("tasks", plan.ids())));
    });
  }

  /** A tenant with limits breaks none of them in its batch, or the whole batch is refused naming the item and rule. */
  Future<JsonObject> batch(RequestContext ctx, JsonObject body) {
    JsonArray items = body.getJsonArray("tasks");
    return limitsForSubmission(ctx.tenantId()).compose(limits -> {
      List<Submission> batch = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        batch.add(Submission.from(items.getJsonObject(i), null, ctx, settings, limits, "tasks[" + i + "].",
            callbacks));
      }
      Future<JsonObject> live = parents.check(ctx, batch, i -> "tasks[" + i + "].")
          .compose(v -> write(batch)).map(outcomes -> {
            JsonArray accepted = new JsonArray();
            outcomes.forEach(o -> accepted.add(new JsonObject()
                .put("id", o.result().getJsonObject("task").getString("id"))
                .put("state", o.result().getJsonObject("task").getString("state"))));
            return new JsonObject().put("tasks", accepted);
          });
      List<JsonObject> journaled = batch.stream().map(Submission::toJournal).toList();
      return fallback.orBuffered(live, JournalReplay.entry("submit", ctx, journaled), () -> {
        JsonArray accepted = new JsonArray();
        batch.forEach(s -> accepted.add(new JsonObject().put("id", s.id().toString())
            .put("state", s.flow().initialState(Instant.now()).wire()).put("buffered", true)));
        return new JsonObject().put("tasks", accepted);
      });
    });
  }

  /** One transaction for a whole batch (a group commit, or a bulk request); one outcome per submission, in order. */
  private Future<List<Future<JsonObject>>> write(List<Submission> batch) {
    return breaker.execute(() -> tasks.submit(batch)).onSuccess(outcomes -> {
      List<UUID> waiting = new ArrayList<>();
      long created = 0;
      for (int i = 0; i < outcomes.size(); i++) {
        if (outcomes.get(i).succeeded() && outcomes.get(i).result().getBoolean("created")) {
          Submission s = batch.get(i);
          created++;
          gates.remember(s.id(), s.type(), TaskPolicy.from(s.budget(), s.gates()));
          if (!s.flow().dependsOn().isEmpty()) {
            waiting.add(s.id());
          }
        }
      }
      timer.settle(waiting);
      if (created > 0) {
        metrics.submitted(created);
        nudges.changed(batch.stream().map(sub -> sub.ctx().tenantId()).toList());
      }
    });
  }

  /**
   * The limits a submission is checked against: while the database is unavailable, the last ones read for the tenant
   * (however old), or none, so that the submission can still go to the outage journal.
   */
  private Future<TenantLimits> limitsForSubmission(String tenantId) {
    return limits.limits(tenantId).recover(e -> Failure.UNAVAILABLE.is(e)
        ? Future.succeededFuture(limits.lastKnown(tenantId)) : Future.failedFuture(e));
  }

  private static JsonObject bufferedTask(Submission s) {
    return TaskJson.queued(s, OffsetDateTime.now()).put("buffered", true);
  }
}
