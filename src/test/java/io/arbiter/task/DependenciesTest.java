package io.arbiter.task;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp({"routing.pollIntervalMs=200", "tasks.claimPollMs=200"})
@DisplayName("Dependent tasks and workflows run in order, and a parent's bad end reaches its dependants")
class DependenciesTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  private static String submitter(String tenant) {
    return app.tokens().of(tenant, Role.SUBMITTER, "client-1");
  }

  private static JsonObject get(String tenant, String id) {
    return http.get("/api/v1/tasks/" + id, submitter(tenant)).json();
  }

  private static JsonObject workflow(String tenant, JsonArray nodes, JsonArray edges) {
    Http.Reply reply = http.post("/api/v1/workflows", submitter(tenant),
        new JsonObject().put("nodes", nodes).put("edges", edges));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getJsonObject("tasks");
  }

  private static JsonObject node(String key) {
    return new JsonObject().put("key", key).put("type", "step").put("payload", new JsonObject().put("step", key));
  }

  private static JsonObject edge(String from, String to) {
    return new JsonObject().put("from", from).put("to", to);
  }

  /** Claims the one task the agent has now, and reports it with {@code outcome}. */
  private static JsonObject runOne(AgentClient agent, String outcome) {
    List<JsonObject> claimed = agent.claim(5, 10);
    assertThat(claimed).as("one task at a time").hasSize(1);
    JsonObject delivery = claimed.get(0);
    Http.Reply reported = agent.result(delivery.getString("taskId"), new JsonObject()
        .put("attempt", delivery.getInteger("attempt")).put("outcome", outcome)
        .put("result", new JsonObject().put("did", delivery.getJsonObject("payload").getString("step"))));
    assertThat(reported.status()).as(reported.toString()).isEqualTo(200);
    return delivery;
  }

  @Test
  @DisplayName("a three-node workflow A → B → C runs in order, each child reading its parent's result")
  void runsAChainInOrder() {
    AgentClient agent = new AgentClient(app, "chain", "chain-1");
    assertThat(agent.register("step", 5).status()).isEqualTo(201);
    JsonObject ids = workflow("chain", new JsonArray().add(node("c")).add(node("b")).add(node("a")),
        new JsonArray().add(edge("a", "b")).add(edge("b", "c")));
    assertThat(get("chain", ids.getString("b")).getString("state")).isEqualTo("waiting");
    assertThat(get("chain", ids.getString("c")).getString("state")).isEqualTo("waiting");

    JsonObject first = runOne(agent, "succeeded");
    assertThat(first.getString("taskId")).isEqualTo(ids.getString("a"));
    JsonObject second = runOne(agent, "succeeded");
    assertThat(second.getString("taskId")).isEqualTo(ids.getString("b"));
    JsonArray parents = second.getJsonArray("parents");
    assertThat(parents).hasSize(1);
    assertThat(parents.getJsonObject(0).getString("id")).isEqualTo(ids.getString("a"));
    assertThat(parents.getJsonObject(0).getString("state")).isEqualTo("succeeded");
    assertThat(parents.getJsonObject(0).getJsonObject("result").getString("did")).isEqualTo("a");
    JsonObject third = runOne(agent, "succeeded");
    assertThat(third.getString("taskId")).isEqualTo(ids.getString("c"));
    assertThat(get("chain", ids.getString("c")).getString("state")).isEqualTo("succeeded");

    JsonObject graph = http.get("/api/v1/tasks/" + ids.getString("b") + "/graph", submitter("chain")).json();
    assertThat(graph.getJsonArray("nodes")).hasSize(3);
    assertThat(graph.getJsonArray("edges")).hasSize(2);
    assertThat(graph.getBoolean("truncated")).isFalse();
  }

  @Test
  @DisplayName("a parent that ends dead cancels its dependants, naming it, in cascade")
  void deadParentCancelsDependants() {
    AgentClient agent = new AgentClient(app, "cascade", "cascade-1");
    assertThat(agent.register("step", 5).status()).isEqualTo(201);
    JsonObject ids = workflow("cascade", new JsonArray().add(node("a").put("maxAttempts", 1)).add(node("b"))
        .add(node("c")), new JsonArray().add(edge("a", "b")).add(edge("b", "c")));
    runOne(agent, "failed");
    String a = ids.getString("a");
    String b = ids.getString("b");
    TestApp.eventually(Duration.ofSeconds(5), "the dependants end canceled",
        () -> "canceled".equals(get("cascade", ids.getString("c")).getString("state")));
    assertThat(get("cascade", a).getString("state")).isEqualTo("dead");
    assertThat(get("cascade", b).getString("error")).isEqualTo("parent " + a + " ended dead");
    assertThat(get("cascade", ids.getString("c")).getString("error")).isEqualTo("parent " + b + " ended canceled");
    List<JsonObject> history = http.get("/api/v1/tasks/" + b + "/history", submitter("cascade")).json()
        .getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    assertThat(history).extracting(t -> t.getString("to")).containsExactly("waiting", "canceled");
    assertThat(history.get(1).getString("reason")).contains(a);
  }

  @Test
  @DisplayName("a continue edge runs the dependant anyway; a canceled parent on a cancel edge ends it")
  void continueEdgeRunsAnyway() {
    AgentClient agent = new AgentClient(app, "anyway", "anyway-1");
    assertThat(agent.register("step", 5).status()).isEqualTo(201);
    JsonObject ids = workflow("anyway", new JsonArray().add(node("a").put("maxAttempts", 1)).add(node("b")),
        new JsonArray().add(edge("a", "b").put("onFailure", "continue")));
    runOne(agent, "failed");
    JsonObject ran = runOne(agent, "succeeded");
    assertThat(ran.getString("taskId")).isEqualTo(ids.getString("b"));
    assertThat(ran.getJsonArray("parents").getJsonObject(0).getString("state")).isEqualTo("dead");

    Http.Reply later = http.post("/api/v1/tasks", submitter("anyway"), new JsonObject().put("type", "nobody-does")
        .put("delayMs", 60_000));
    String parent = later.json().getString("id");
    Http.Reply child = http.post("/api/v1/tasks", submitter("anyway"), new JsonObject().put("type", "step")
        .put("dependsOn", new JsonArray().add(new JsonObject().put("taskId", parent))));
    assertThat(child.status()).as(child.toString()).isEqualTo(202);
    assertThat(child.json().getString("state")).isEqualTo("waiting");
    assertThat(http.post("/api/v1/tasks/" + parent + "/cancel", submitter("anyway"), null).status()).isEqualTo(200);
    String childId = child.json().getString("id");
    TestApp.eventually(Duration.ofSeconds(5), "the child ends canceled",
        () -> "canceled".equals(get("anyway", childId).getString("state")));
    assertThat(get("anyway", childId).getString("error")).isEqualTo("parent " + parent + " ended canceled");
  }

  @Test
  @DisplayName("a child of a parent that already succeeded is queued at once")
  void parentAlreadyEnded() {
    AgentClient agent = new AgentClient(app, "late", "late-1");
    assertThat(agent.register("step", 5).status()).isEqualTo(201);
    JsonObject ids = workflow("late", new JsonArray().add(node("a")), new JsonArray());
    runOne(agent, "succeeded");
    Http.Reply child = http.post("/api/v1/tasks", submitter("late"), new JsonObject().put("type", "step")
        .put("payload", new JsonObject().put("step", "z"))
        .put("dependsOn", new JsonArray().add(new JsonObject().put("taskId", ids.getString("a")))));
    assertThat(child.status()).isEqualTo(202);
    JsonObject ran = runOne(agent, "succeeded");
    assertThat(ran.getString("taskId")).isEqualTo(child.json().getString("id"));
    JsonObject task = get("late", ran.getString("taskId"));
    assertThat(task.getJsonArray("parents").getJsonObject(0).getJsonObject("result").getString("did")).isEqualTo("a");
  }

  @Test
  @DisplayName("a release whose nudge was lost (a parent ended outside the task statements) is made by the poll")
  void pollReleasesWithoutANudge() {
    JsonObject ids = workflow("lost", new JsonArray().add(node("a").put("type", "nobody-does")).add(node("b")),
        new JsonArray().add(edge("a", "b")));
    app.sql("UPDATE tasks SET state = 'succeeded', finished_at = now() WHERE id = $1",
        UUID.fromString(ids.getString("a")));
    TestApp.eventually(Duration.ofSeconds(5), "the poll releases the child",
        () -> "queued".equals(get("lost", ids.getString("b")).getString("state")));
  }

  @Test
  @DisplayName("a cycle is refused with 400 naming its keys")
  void refusesACycle() {
    Http.Reply reply = http.post("/api/v1/workflows", submitter("cycle"), new JsonObject()
        .put("nodes", new JsonArray().add(node("a")).add(node("b")).add(node("c")))
        .put("edges", new JsonArray().add(edge("a", "b")).add(edge("b", "c")).add(edge("c", "a"))));
    JsonObject problem = assertProblem(reply, Failure.BAD_REQUEST);
    assertThat(problem.getString("detail")).contains("cycle").contains("a -> b -> c -> a");
    assertThat(http.get("/api/v1/tasks", submitter("cycle")).json().getJsonArray("items")).as("nothing written")
        .isEmpty();
  }

  @Test
  @DisplayName("an unknown parent is refused with 400 naming it")
  void refusesAnUnknownParent() {
    String unknown = UUID.randomUUID().toString();
    JsonObject problem = assertProblem(http.post("/api/v1/tasks", submitter("orphan"), new JsonObject()
        .put("type", "step").put("dependsOn", new JsonArray().add(new JsonObject().put("taskId", unknown)))),
        Failure.BAD_REQUEST);
    assertThat(problem.getString("detail")).contains(unknown).contains("dependsOn[0].taskId");

    Http.Reply other = http.post("/api/v1/tasks", submitter("someone-else"), new JsonObject().put("type", "step"));
    JsonObject crossTenant = assertProblem(http.post("/api/v1/workflows", submitter("orphan"), new JsonObject()
        .put("nodes", new JsonArray().add(node("a").put("dependsOn", new JsonArray()
            .add(new JsonObject().put("taskId", other.json().getString("id"))))))), Failure.BAD_REQUEST);
    assertThat(crossTenant.getString("detail")).as("another tenant's task is unknown here")
        .contains("nodes[0].dependsOn[0].taskId");
  }
}
