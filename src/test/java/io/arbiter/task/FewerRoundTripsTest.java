package io.arbiter.task;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp({"routing.pollIntervalMs=100", "tasks.claimPollMs=200", "tasks.leaseMs=600000"})
@ExtendWith(VertxExtension.class)
@DisplayName("Agents that want fewer round trips: a claim that acknowledges, a result that returns the next work")
class FewerRoundTripsTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  private static String submit(String tenant, String type) {
    Http.Reply reply = http.post("/api/v1/tasks", app.tokens().admin(tenant),
        new JsonObject().put("type", type).put("payload", new JsonObject()));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private static List<String> history(String tenant, String taskId) {
    return http.get("/api/v1/tasks/" + taskId + "/history", app.tokens().admin(tenant)).json().getJsonArray("items")
        .stream().map(t -> ((JsonObject) t).getString("to") + "/" + ((JsonObject) t).getString("reason")).toList();
  }

  private static void awaitAssigned(String tenant, Set<String> ids) {
    TestApp.eventually(Duration.ofSeconds(10), "tasks " + ids + " are assigned", () -> ids.stream().allMatch(id ->
        "assigned".equals(http.get("/api/v1/tasks/" + id, app.tokens().admin(tenant)).json().getString("state"))));
  }

  @Test
  @DisplayName("claim?ack=true delivers the task already running, with its history, lease and audit as an ack writes")
  void claimWithAckDeliversRunningTasks() {
    AgentClient agent = new AgentClient(app, "acme", "acking-agent");
    assertThat(agent.register("ack-claims", 4).status()).isEqualTo(201);
    String id = submit("acme", "ack-claims");

    Http.Reply claim = http.post("/api/v1/agents/acking-agent/claim?wait=10&ack=true",
        app.tokens().agent("acme", "acking-agent"), null);

    assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
    JsonObject delivery = claim.json().getJsonArray("tasks").getJsonObject(0);
    assertThat(delivery.getString("taskId")).isEqualTo(id);
    assertThat(delivery.getString("state")).isEqualTo("running");
    assertThat(java.time.OffsetDateTime.parse(delivery.getString("leaseExpiresAt")))
        .as("the lease is the configured tasks.leaseMs (10 minutes)")
        .isAfter(java.time.OffsetDateTime.now().plusMinutes(9));
    assertThat(delivery.containsKey("ackDeadline")).isFalse();
    JsonObject task = http.get("/api/v1/tasks/" + id, app.tokens().admin("acme")).json();
    assertThat(task.getString("state")).isEqualTo("running");
    assertThat(history("acme", id)).endsWith("running/acknowledged");
    assertThat(agent.ack(id, 1).status()).as("a later ack of the same attempt is a repeat").isEqualTo(200);
    TestApp.eventually(Duration.ofSeconds(10), "the ack is in the audit trail", () -> app.sql(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'task.running' AND target = $1", "task:" + id)
        .iterator().next().getLong("n") == 1);
    assertThat(agent.result(id, 1, "succeeded").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a result with next=N returns up to N of the agent's assigned tasks, running, and none when none wait")
  void resultWithNextReturnsTheNextWork() {
    AgentClient agent = new AgentClient(app, "acme", "chaining-agent");
    assertThat(agent.register("chained-work", 8).status()).isEqualTo(201);
    String first = submit("acme", "chained-work");
    awaitAssigned("acme", Set.of(first));
    JsonObject delivery = agent.claim(5, 1).get(0);
    assertThat(agent.ack(first, delivery.getInteger("attempt")).status()).isEqualTo(200);
    Set<String> waiting = Set.of(submit("acme", "chained-work"), submit("acme", "chained-work"),
        submit("acme", "chained-work"));
    awaitAssigned("acme", waiting);

    Http.Reply reply = http.post("/api/v1/agents/chaining-agent/tasks/" + first + "/result?next=2",
        app.tokens().agent("acme", "chaining-agent"), new JsonObject().put("attempt", 1).put("outcome", "succeeded"));

    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    assertThat(reply.json().getString("state")).isEqualTo("succeeded");
    JsonArray next = reply.json().getJsonArray("next");
    assertThat(next).hasSize(2);
    Set<String> taken = next.stream().map(d -> ((JsonObject) d).getString("taskId")).collect(Collectors.toSet());
    assertThat(waiting).containsAll(taken);
    next.forEach(d -> assertThat(((JsonObject) d).getString("state")).isEqualTo("running"));
    for (String id : taken) {
      assertThat(http.get("/api/v1/tasks/" + id, app.tokens().admin("acme")).json().getString("state"))
          .isEqualTo("running");
    }

    String last = waiting.stream().filter(id -> !taken.contains(id)).findFirst().orElseThrow();
    String one = taken.iterator().next();
    JsonArray more = http.post("/api/v1/agents/chaining-agent/tasks/" + one + "/result?next=5",
        app.tokens().agent("acme", "chaining-agent"), new JsonObject().put("attempt", 1).put("outcome", "succeeded"))
        .json().getJsonArray("next");
    assertThat(more.stream().map(d -> ((JsonObject) d).getString("taskId")).toList()).containsExactly(last);
    String other = taken.stream().filter(id -> !id.equals(one)).findFirst().orElseThrow();
    JsonArray none = http.post("/api/v1/agents/chaining-agent/tasks/" + other + "/result?next=5",
        app.tokens().agent("acme", "chaining-agent"), new JsonObject().put("attempt", 1).put("outcome", "succeeded"))
        .json().getJsonArray("next");
    assertThat(none).isEmpty();
  }

  @Test
  @DisplayName("next and ack are bounded: next above 1000 or below 0 is a 400 problem naming the parameter")
  void nextIsBounded() {
    AgentClient agent = new AgentClient(app, "acme", "bounded-agent");
    assertThat(agent.register("bounded-work", 1).status()).isEqualTo(201);
    Http.Reply reply = http.post("/api/v1/agents/bounded-agent/tasks/00000000-0000-0000-0000-000000000001/result"
        + "?next=1001", app.tokens().agent("acme", "bounded-agent"),
        new JsonObject().put("attempt", 1).put("outcome", "succeeded"));
    assertProblem(reply, Failure.BAD_REQUEST);
    assertThat(reply.text()).contains("next");
    assertProblem(http.post("/api/v1/agents/bounded-agent/claim?ack=maybe",
        app.tokens().agent("acme", "bounded-agent"), null), Failure.BAD_REQUEST);
  }
}
