package io.arbiter.task;

import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The result path: an agent's results, judged by the result gates ({@link ResultJudge}) and recorded in one statement
 * with their verdicts, answered item by item ({@link LeaseRules}: the outcome recorded, or a repeat's first outcome).
 * What a recorded result sets moving: the attempt counted, the outcome fold (which frees the agent's slot), the audit
 * drain, and the dependants of a task that ended settled ({@link TaskTimer#settle}). A result may ask for the agent's
 * next work, claimed acknowledged in the same answer. While the database is unavailable, results go to the outage
 * journal ({@link OutageFallback}) and are answered as buffered.
 */
final class Results {

  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final ReportCommit reports;
  private final ResultJudge judge;
  private final OutageFallback fallback;
  private final Claims claims;
  private final OutcomeFold folds;
  private final GateCache gates;
  private final TaskTimer timer;
  private final TaskMetrics metrics;
  private final TaskNudges nudges;

  Results(DbBreaker breaker, TaskRepository tasks, ReportCommit reports, ResultJudge judge, OutageFallback fallback,
          Claims claims, OutcomeFold folds, GateCache gates, TaskTimer timer, TaskMetrics metrics, TaskNudges nudges) {
    this.breaker = breaker;
    this.tasks = tasks;
    this.reports = reports;
    this.judge = judge;
    this.fallback = fallback;
    this.claims = claims;
    this.folds = folds;
    this.gates = gates;
    this.timer = timer;
    this.metrics = metrics;
    this.nudges = nudges;
  }

  /**
   * One result ({@code taskId, agentId, attempt, outcome, ...}), group-committed with the results that other requests
   * send meanwhile ({@link ReportCommit}); with {@code next}, up to that many next tasks.
   */
  Future<JsonObject> result(RequestContext ctx, JsonObject body) {
    UUID id = TaskRequests.taskId(body);
    String agentId = body.getString("agentId");
    int next = body.remove("next") instanceof Number n ? n.intValue() : 0;
    Future<JsonObject> live = judge.judge(ctx, agentId, List.of(id), List.of(body)).compose(judged -> {
      ResultJudge.Judged j = judged.get(0);
      return reports.result(new TaskRepository.ResultItem(ctx, agentId, id, j.result(), j.verdict())).compose(g -> {
        if (g.moved()) {
          completed(List.of(j.result().getString("outcome")));
          ended(List.of(id), List.of(g));
        }
        return recorded(ctx, id, agentId, j, g);
      });
    });
    Future<JsonObject> answer = fallback.orBuffered(live,
        JournalReplay.entry("result", ctx, List.of(body)).put("agentId", agentId), () -> bufferedResult(body));
    return next == 0 ? answer : answer.compose(reply -> nextWork(ctx, agentId, next, reply));
  }

  /** {@code {agentId, results: [...]}}: many results in one statement, answered item by item. */
  Future<JsonObject> batch(RequestContext ctx, JsonObject body) {
    String agentId = body.getString("agentId");
    List<JsonObject> reported = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    JsonArray items = body.getJsonArray("results");
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      reported.add(item);
      ids.add(TaskRequests.uuid(item.getString("taskId"), "results[" + i + "].taskId"));
    }
    Future<JsonObject> live = record(ctx, agentId, ids, reported).map(answers -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < answers.size(); i++) {
        Future<JsonObject> answer = answers.get(i);
        out.add(answer.succeeded() ? answer.result().put("status", 200)
            : TaskRequests.problemItem(ids.get(i), reported.get(i).getInteger("attempt"), answer.cause()));
      }
      return new JsonObject().put("items", out);
    });
    return fallback.orBuffered(live, JournalReplay.entry("result", ctx, reported).put("agentId", agentId), () -> {
      JsonArray out = new JsonArray();
      reported.forEach(r -> out.add(bufferedResult(r).put("status", 202)));
      return new JsonObject().put("items", out);
    });
  }

  /**
   * One agent's results, judged by the result gates and recorded in one statement; answers each item's outcome once
   * all are known (see {@link #recorded}). Counts the attempts that completed. The journal replays through here too.
   */
  Future<List<Future<JsonObject>>> record(RequestContext ctx, String agentId, List<UUID> ids,
                                          List<JsonObject> reported) {
    return judge.judge(ctx, agentId, ids, reported).compose(judged -> {
      List<JsonObject> results = judged.stream().map(ResultJudge.Judged::result).toList();
      List<TaskRepository.ResultItem> items = new ArrayList<>(ids.size());
      for (int i = 0; i < ids.size(); i++) {
        items.add(new TaskRepository.ResultItem(ctx, agentId, ids.get(i), results.get(i), judged.get(i).verdict()));
      }
      return breaker.execute(() -> tasks.resultAll(items)).compose(all -> {
        completed(recordedOutcomes(results, all));
        ended(ids, all);
        List<Future<JsonObject>> answers = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
          TaskRepository.Guarded g = all.get(i);
          answers.add(g == null ? Future.failedFuture(TaskRepository.notFound())
              : recorded(ctx, ids.get(i), agentId, judged.get(i), g));
        }
        return Future.join(answers).transform(done -> Future.succeededFuture(answers));
      });
    });
  }

  /** The outcomes of the results that were recorded ({@code guarded} parallel to {@code results}), in order. */
  static List<String> recordedOutcomes(List<JsonObject> results, List<TaskRepository.Guarded> guarded) {
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < guarded.size(); i++) {
      if (guarded.get(i) != null && guarded.get(i).moved()) {
        outcomes.add(results.get(i).getString("outcome"));
      }
    }
    return outcomes;
  }

  /** The tasks that a result just ended ({@code guarded} parallel to {@code ids}): recorded, in a final state. */
  static List<UUID> endedTasks(List<UUID> ids, List<TaskRepository.Guarded> guarded) {
    List<UUID> ended = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      TaskRepository.Guarded g = guarded.get(i);
      if (g != null && g.moved() && g.afterState() != null && TaskState.fromWire(g.afterState()).finished()) {
        ended.add(ids.get(i));
      }
    }
    return ended;
  }

  /** The answer to a result accepted into the outage journal: it lands (and is judged) when the database is back. */
  static JsonObject bufferedResult(JsonObject item) {
    return new JsonObject().put("taskId", item.getString("taskId")).put("attempt", item.getInteger("attempt"))
        .put("outcome", item.getString("outcome")).put("state", "buffered").put("repeated", false)
        .put("buffered", true);
  }

  /**
   * Counts completed attempts and moves the audit drain and the outcome fold along (the fold frees the agents' slots,
   * then wakes the dispatcher).
   */
  private void completed(List<String> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    metrics.completed(outcomes);
    nudges.drainAudit();
    folds.request();
  }

  /** Forgets the gates of the tasks that a result just ended and settles their dependants. */
  private void ended(List<UUID> ids, List<TaskRepository.Guarded> guarded) {
    List<UUID> ended = endedTasks(ids, guarded);
    gates.forget(ended);
    timer.settle(ended);
  }

  /**
   * A result that asks for {@code next} tasks returns up to that many of the agent's assigned tasks, acknowledged (as a
   * claim with {@code ack}), in {@code next}; none when there are none yet or the database cannot say (the result
   * itself is recorded either way).
   */
  private Future<JsonObject> nextWork(RequestContext ctx, String agentId, int next, JsonObject reply) {
    if (reply.getBoolean("buffered", false)) {
      return Future.succeededFuture(reply.put("next", new JsonArray()));
    }
    return claims.claimRunning(ctx, agentId, next, false)
        .map(rows -> reply.put("next", Claims.deliveries(rows, true).getJsonArray("tasks")))
        .recover(e -> Future.succeededFuture(reply.put("next", new JsonArray())));
  }

  /**
   * The answer to one result: the outcome it recorded, or, for a repeat, the first outcome of that attempt; a result
   * that recorded nothing and finds nothing recorded is refused.
   */
  private Future<JsonObject> recorded(RequestContext ctx, UUID id, String agentId, ResultJudge.Judged judged,
                                      TaskRepository.Guarded g) {
    JsonObject body = judged.result();
    int attempt = body.getInteger("attempt");
    if (g.moved()) {
      JsonObject reply = LeaseRules.recorded(id, attempt, body.getString("outcome"), g);
      if (judged.verdict() != null) {
        reply.put("policy", judged.verdict().toJson());
      }
      return Future.succeededFuture(reply);
    }
    Future<String> outcome = g.recordedOutcome() != null || g.state().active()
        ? Future.succeededFuture(g.recordedOutcome())
        : breaker.execute(() -> tasks.recordedOutcome(ctx, id, attempt));
    return outcome.map(first -> LeaseRules.repeated(id, agentId, attempt, first, g));
  }
}
