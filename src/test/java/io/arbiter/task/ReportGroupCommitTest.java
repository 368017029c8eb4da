package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.CorrelationId;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One connection to the database, so one statement of each kind at a time: the acks and results that arrive while one
 * is written wait, and are written together next.
 */
@ArbiterApp({"db.poolSize=1", "routing.pollIntervalMs=100", "tasks.claimPollMs=200", "tasks.leaseMs=600000"})
@ExtendWith(VertxExtension.class)
@DisplayName("Acks and results sent one a request, by several agents, are committed together")
class ReportGroupCommitTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  @Test
  @DisplayName("results of two agents that arrive while another is written share one transaction, and each keeps its "
      + "own answer and its own request's actor in the audit trail")
  void resultsOfSeveralAgentsShareOneCommit() {
    Map<String, List<String>> held = claimThree("grouped-results", false);
    String first = firstOfTheAgentWithTwo(held);
    List<String> together = allBut(held, first);

    List<CompletableFuture<Http.Reply>> replies = whileOneIsWritten(held, first, "result",
        together.stream().map(id -> (Supplier<CompletableFuture<Http.Reply>>) () -> report(held, id, "result"))
            .toList());

    replies.forEach(reply -> {
      Http.Reply r = reply.join();
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.json().getString("state")).isEqualTo("succeeded");
    });
    List<Row> rows = new ArrayList<>();
    app.sql("SELECT count(DISTINCT xmin::text) AS transactions, count(DISTINCT agent_id) AS agents FROM task_results "
        + "WHERE task_id = ANY($1::uuid[])", (Object) uuids(together)).forEach(rows::add);
    assertThat(rows.get(0).getLong("transactions")).as("one transaction wrote both results").isEqualTo(1);
    assertThat(rows.get(0).getLong("agents")).isEqualTo(2);
    assertActorsAreTheirOwn(held, "task.succeeded");
  }

  @Test
  @DisplayName("acks of two agents that arrive while another is written share one transaction, each audited with its "
      + "own request's actor; an ack by an agent that does not hold the task moves nothing")
  void acksOfSeveralAgentsShareOneCommit() {
    Map<String, List<String>> held = claimThree("grouped-acks", true);
    String first = firstOfTheAgentWithTwo(held);
    List<String> together = allBut(held, first);
    String stranger = held.keySet().stream().filter(agent -> !held.get(agent).contains(together.get(0))).findFirst()
        .orElseThrow();

    List<Supplier<CompletableFuture<Http.Reply>>> meanwhile = new ArrayList<>();
    meanwhile.add(() -> send(stranger, together.get(0), "ack", "foreign-ack"));
    together.forEach(id -> meanwhile.add(() -> report(held, id, "ack")));
    List<CompletableFuture<Http.Reply>> replies = new ArrayList<>(whileOneIsWritten(held, first, "ack", meanwhile));

    Http.Reply refused = replies.remove(1).join();
    assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
    assertThat(refused.text()).contains("is not held by agent " + stranger);
    replies.forEach(reply -> {
      Http.Reply r = reply.join();
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.json().getString("state")).isEqualTo("running");
    });
    assertThat(app.sql("SELECT count(DISTINCT xmin::text) FROM tasks WHERE id = ANY($1::uuid[])",
        (Object) uuids(together)).iterator().next().getLong(0))
        .as("one transaction moved both tasks").isEqualTo(1);
    assertActorsAreTheirOwn(held, "task.running");
  }

  /**
   * Sends {@code call} for {@code first} while a transaction holds its task's row, so that its statement waits in the
   * database; then sends the others, which wait for the next batch; then lets the first go. The replies, in order.
   */
  private static List<CompletableFuture<Http.Reply>> whileOneIsWritten(
      Map<String, List<String>> held, String first, String call, List<Supplier<CompletableFuture<Http.Reply>>> others) {
    List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
    try (TestApp.Held lock = app.holdTransaction("SELECT 1 FROM tasks WHERE id = '" + first + "' FOR UPDATE")) {
      replies.add(report(held, first, call));
      TestApp.eventually(Duration.ofSeconds(10), "the first " + call + " waits on its task's row lock", () -> app.sql(
          "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").iterator().next().getLong(0) >= 1);
      others.forEach(send -> replies.add(send.get()));
      TestApp.eventually(Duration.ofSeconds(10), "the others wait for the next batch", () -> http.get("/metrics", null)
          .text().contains("arbiter_reports_waiting " + others.size() + ".0"));
      lock.commit();
    }
    return replies;
  }

  private static String firstOfTheAgentWithTwo(Map<String, List<String>> held) {
    return held.values().stream().filter(ids -> ids.size() == 2).findFirst().orElseThrow().get(0);
  }

  private static List<String> allBut(Map<String, List<String>> held, String first) {
    List<String> rest = new ArrayList<>(held.values().stream().flatMap(List::stream).toList());
    rest.remove(first);
    return rest;
  }

  /** Three tasks of {@code type}, claimed by two agents of capacity 2 (one holds two); by agent. */
  private static Map<String, List<String>> claimThree(String type, boolean leaveAssigned) {
    List<AgentClient> agents = List.of(new AgentClient(app, "acme", type + "-a"),
        new AgentClient(app, "acme", type + "-b"));
    agents.forEach(agent -> assertThat(agent.register(type, 2).status()).isEqualTo(201));
    for (int i = 0; i < 3; i++) {
      Http.Reply submitted = http.post("/api/v1/tasks", app.tokens().admin("acme"),
          new JsonObject().put("type", type).put("payload", new JsonObject()));
      assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    }
    Map<String, List<String>> held = new HashMap<>();
    TestApp.eventually(Duration.ofSeconds(20), "the agents hold the three tasks", () -> {
      for (AgentClient agent : agents) {
        Http.Reply claim = http.post("/api/v1/agents/" + agent.id() + "/claim?wait=1&max=2"
            + (leaveAssigned ? "" : "&ack=true"), app.tokens().agent("acme", agent.id()), null);
        assertThat(claim.status()).as(claim.toString()).isIn(200, 204);
        JsonArray tasks = claim.status() == 204 ? new JsonArray() : claim.json().getJsonArray("tasks");
        for (int i = 0; i < tasks.size(); i++) {
          held.computeIfAbsent(agent.id(), a -> new ArrayList<>()).add(tasks.getJsonObject(i).getString("taskId"));
        }
      }
      return held.values().stream().mapToInt(List::size).sum() == 3;
    });
    return held;
  }

  private static UUID[] uuids(List<String> ids) {
    return ids.stream().map(UUID::fromString).toArray(UUID[]::new);
  }

  private static CompletableFuture<Http.Reply> report(Map<String, List<String>> held, String taskId, String call) {
    String agent = held.entrySet().stream().filter(e -> e.getValue().contains(taskId)).findFirst().orElseThrow()
        .getKey();
    return send(agent, taskId, call, "corr-" + taskId);
  }

  private static CompletableFuture<Http.Reply> send(String agent, String taskId, String call, String correlationId) {
    JsonObject body = new JsonObject().put("attempt", 1);
    if (call.equals("result")) {
      body.put("outcome", "succeeded");
    }
    return CompletableFuture.supplyAsync(() -> http.send(HttpMethod.POST,
        "/api/v1/agents/" + agent + "/tasks/" + taskId + "/" + call, app.tokens().agent("acme", agent),
        "application/json", body.toBuffer(), MultiMap.caseInsensitiveMultiMap().add(CorrelationId.HEADER,
            correlationId)));
  }

  /** Each task's {@code action} record names the agent that reported it and that request's correlation id. */
  private static void assertActorsAreTheirOwn(Map<String, List<String>> held, String action) {
    held.forEach((agent, ids) -> ids.forEach(id -> {
      Row record = app.sql("SELECT actor_sub, correlation_id FROM audit_log WHERE action = $1 AND target = $2",
          action, "task:" + id).iterator().next();
      assertThat(record.getString("actor_sub")).isEqualTo(agent);
      assertThat(record.getString("correlation_id")).isEqualTo("corr-" + id);
    }));
  }
}
