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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One connection to the database, so one claim statement at a time: the claims that arrive while one is taken wait,
 * and are taken together next.
 */
@ArbiterApp({"db.poolSize=1", "routing.pollIntervalMs=100", "tasks.claimPollMs=200", "tasks.leaseMs=600000",
    "registry.heartbeatWindowMs=600000"})
@ExtendWith(VertxExtension.class)
@DisplayName("Claims sent one a request, by several agents, are taken together")
class ClaimGroupCommitTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  @Test
  @DisplayName("claims of two agents that arrive while another is taken share one transaction; each takes its own "
      + "agent's task, audited with its own request's actor")
  void claimsOfSeveralAgentsShareOneCommit() {
    String type = "grouped-claims";
    List<AgentClient> agents = List.of(new AgentClient(app, "acme", type + "-a"),
        new AgentClient(app, "acme", type + "-b"), new AgentClient(app, "acme", type + "-c"));
    agents.forEach(agent -> assertThat(agent.register(type, 1).status()).isEqualTo(201));
    for (int i = 0; i < agents.size(); i++) {
      Http.Reply submitted = http.post("/api/v1/tasks", app.tokens().admin("acme"),
          new JsonObject().put("type", type).put("payload", new JsonObject()));
      assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    }
    TestApp.eventually(Duration.ofSeconds(20), "each agent has one task assigned", () -> app.sql(
        "SELECT count(DISTINCT assigned_agent_id) FROM tasks WHERE type = $1 AND state = 'assigned'", type)
        .iterator().next().getLong(0) == 3);
    String first = agents.get(0).id();

    // a claim refreshes a heartbeat older than a quarter of the window (here 150 s), so its statement locks the
    // agent's row: held here, the first claim waits in the database while the other two arrive
    app.sql("UPDATE agents SET last_heartbeat_at = now() - interval '200 seconds' WHERE id = $1", first);
    List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
    try (TestApp.Held lock = app.holdTransaction("SELECT 1 FROM agents WHERE id = '" + first + "' FOR UPDATE")) {
      replies.add(claim(first));
      TestApp.eventually(Duration.ofSeconds(10), "the first claim waits on its agent's row lock", () -> app.sql(
          "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").iterator().next().getLong(0) >= 1);
      replies.add(claim(agents.get(1).id()));
      replies.add(claim(agents.get(2).id()));
      TestApp.eventually(Duration.ofSeconds(10), "the others wait for the next batch", () -> http.get("/metrics", null)
          .text().contains("arbiter_claims_batch_waiting 2.0"));
      lock.commit();
    }

    Map<String, String> taken = new HashMap<>();
    for (int i = 0; i < agents.size(); i++) {
      Http.Reply reply = replies.get(i).join();
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      JsonArray tasks = reply.json().getJsonArray("tasks");
      assertThat(tasks).as(reply.toString()).hasSize(1);
      assertThat(tasks.getJsonObject(0).getString("state")).isEqualTo("running");
      taken.put(agents.get(i).id(), tasks.getJsonObject(0).getString("taskId"));
    }
    taken.forEach((agent, task) -> assertThat(app.sql("SELECT assigned_agent_id FROM tasks WHERE id = $1",
        UUID.fromString(task)).iterator().next().getString(0)).as("the task of " + agent).isEqualTo(agent));
    UUID[] together = {UUID.fromString(taken.get(agents.get(1).id())), UUID.fromString(taken.get(agents.get(2).id()))};
    assertThat(app.sql("SELECT count(DISTINCT xmin::text) FROM tasks WHERE id = ANY($1::uuid[])", (Object) together)
        .iterator().next().getLong(0)).as("one transaction took both tasks").isEqualTo(1);
    taken.forEach((agent, task) -> {
      Row record = app.sql("SELECT actor_sub, correlation_id FROM audit_log WHERE action = 'task.running' "
          + "AND target = $1", "task:" + task).iterator().next();
      assertThat(record.getString("actor_sub")).isEqualTo(agent);
      assertThat(record.getString("correlation_id")).isEqualTo("corr-" + agent);
    });
  }

  @Test
  @DisplayName("two claims of one agent in one statement take different tasks, best first, each up to its max")
  void claimsOfOneAgentShareItsTasksInOrder() {
    String tenant = "split-claims";
    app.sql("""
        INSERT INTO tasks (id, tenant_id, type, priority, timeout_ms, max_attempts, attempt_budget, state, attempt,
                           assigned_agent_id, assigned_at, lease_expires_at)
        SELECT gen_random_uuid(), $1, 'split', i::smallint, 60000, 3, 3, 'assigned', 1, 'solo', now(),
               now() + interval '1 minute'
        FROM generate_series(1, 4) AS i""", tenant);
    JsonArray claims = new JsonArray()
        .add(claimItem(1, "solo", 1)).add(claimItem(2, "other", 1)).add(claimItem(3, "solo", 2));

    List<Row> rows = new ArrayList<>();
    app.sql(TaskSql.CLAIM, tenant, claims.encode(), 60_000L).forEach(rows::add);

    assertThat(rows).extracting(row -> row.getInteger("n")).containsExactly(1, 3, 3);
    assertThat(rows).extracting(row -> row.getInteger("priority")).containsExactly(4, 3, 2);
    assertThat(app.sql("SELECT count(*) FROM tasks WHERE tenant_id = $1 AND delivered_at IS NULL", tenant)
        .iterator().next().getLong(0)).as("the lowest-priority task stays undelivered").isEqualTo(1);
  }

  private static JsonObject claimItem(int n, String agent, int max) {
    return new JsonObject().put("n", n).put("agent", agent).put("max", max).put("self", true)
        .put("actor_sub", agent).put("actor_role", "agent").put("correlation_id", "corr-" + n);
  }

  private static CompletableFuture<Http.Reply> claim(String agent) {
    return CompletableFuture.supplyAsync(() -> http.send(HttpMethod.POST,
        "/api/v1/agents/" + agent + "/claim?ack=true", app.tokens().agent("acme", agent), null, null,
        MultiMap.caseInsensitiveMultiMap().add(CorrelationId.HEADER, "corr-" + agent)));
  }
}
