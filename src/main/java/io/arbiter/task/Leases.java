package io.arbiter.task;

import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The lease an agent holds on its attempt: acknowledgements (one, or a batch in one statement) that start it, and
 * heartbeats and progress reports that extend it. Each answer follows {@link LeaseRules}.
 */
final class Leases {

  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final ReportCommit reports;
  private final TaskNudges nudges;

  Leases(DbBreaker breaker, TaskRepository tasks, ReportCommit reports, TaskNudges nudges) {
    this.breaker = breaker;
    this.tasks = tasks;
    this.reports = reports;
    this.nudges = nudges;
  }

  /**
   * {@code {taskId, agentId, attempt}}: assigned → running, under a fresh lease; group-committed with the acks that
   * other requests send meanwhile ({@link ReportCommit}).
   */
  Future<JsonObject> ack(RequestContext ctx, JsonObject body) {
    UUID id = TaskRequests.taskId(body);
    String agentId = body.getString("agentId");
    int attempt = body.getInteger("attempt");
    return reports.ack(new TaskRepository.AckItem(ctx, agentId, new TaskRepository.AttemptRef(id, attempt))).map(g -> {
      JsonObject reply = LeaseRules.acked(id, agentId, attempt, g);
      if (g.moved()) {
        nudges.drainAudit();
      }
      return reply;
    });
  }

  /** {@code {agentId, tasks: [{taskId, attempt}]}}: many acks in one statement, answered item by item. */
  Future<JsonObject> ackBatch(RequestContext ctx, JsonObject body) {
    String agentId = body.getString("agentId");
    JsonArray items = body.getJsonArray("tasks");
    List<TaskRepository.AttemptRef> refs = new ArrayList<>(items.size());
    List<TaskRepository.AckItem> acks = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      TaskRepository.AttemptRef ref = new TaskRepository.AttemptRef(
          TaskRequests.uuid(item.getString("taskId"), "tasks[" + i + "].taskId"), item.getInteger("attempt"));
      refs.add(ref);
      acks.add(new TaskRepository.AckItem(ctx, agentId, ref));
    }
    return breaker.execute(() -> tasks.ackAll(acks)).map(all -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < refs.size(); i++) {
        TaskRepository.AttemptRef ref = refs.get(i);
        TaskRepository.Guarded g = all.get(i);
        out.add(TaskRequests.item(ref.id(), ref.attempt(),
            () -> LeaseRules.acked(ref.id(), agentId, ref.attempt(), g)));
      }
      if (all.stream().anyMatch(g -> g != null && g.moved())) {
        nudges.drainAudit();
      }
      return new JsonObject().put("items", out);
    });
  }

  /** A heartbeat ({@code withProgress} false) or a progress report ({@code percent}, {@code message}). */
  Future<JsonObject> extend(RequestContext ctx, JsonObject body, boolean withProgress) {
    UUID id = TaskRequests.taskId(body);
    String agentId = body.getString("agentId");
    int attempt = body.getInteger("attempt");
    JsonObject progress = withProgress ? progress(body) : null;
    return breaker.execute(() -> tasks.extend(ctx, id, agentId, attempt, progress))
        .map(g -> LeaseRules.extended(id, agentId, attempt, g, progress != null));
  }

  private static JsonObject progress(JsonObject body) {
    return new JsonObject().put("percent", body.getValue("percent")).put("message", body.getString("message"))
        .put("at", Instant.now().toString());
  }
}
