package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp({"routing.pollIntervalMs=200", "tasks.claimPollMs=200"})
@DisplayName("Why a task waits is visible: unroutable tasks, queue time-outs and the decision of a queued task")
class WaitingVisibleTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  private static String submitter(String tenant) {
    return app.tokens().of(tenant, Role.SUBMITTER, "client-1");
  }

  private static JsonObject get(String tenant, String id) {
    return http.get("/api/v1/tasks/" + id, submitter(tenant)).json();
  }

  private static String submit(String tenant, JsonObject task) {
    Http.Reply reply = http.post("/api/v1/tasks", submitter(tenant), task);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private static List<String> actions(String id) {
    List<String> actions = new ArrayList<>();
    app.sql("SELECT action FROM audit_log WHERE target = $1 ORDER BY id", "task:" + id)
        .forEach(row -> actions.add(row.getString("action")));
    return actions;
  }

  @Test
  @DisplayName("a task no agent takes is reported unroutable within a second, and times out per queueTimeoutMs")
  void unroutableThenTimedOut() {
    long submitted = System.nanoTime();
    String id = submit("ghosts", new JsonObject().put("type", "ghost-work").put("queueTimeoutMs", 1_500));
    TestApp.eventually(Duration.ofSeconds(1), "the task is marked unroutable",
        () -> get("ghosts", id).getString("unroutable") != null);
    assertThat(Duration.ofNanos(System.nanoTime() - submitted)).isLessThan(Duration.ofSeconds(1));
    assertThat(get("ghosts", id).getString("unroutable")).contains("ghost-work");
    JsonObject decision = http.get("/api/v1/tasks/" + id + "/decision", submitter("ghosts")).json();
    assertThat(decision.getString("state")).isEqualTo("queued");
    assertThat(decision.getJsonObject("waiting").getString("unroutable")).contains("ghost-work");
    assertThat(actions(id)).contains("task.unroutable");

    TestApp.eventually(Duration.ofSeconds(5), "the task times out in the queue",
        () -> "dead".equals(get("ghosts", id).getString("state")));
    JsonObject dead = get("ghosts", id);
    assertThat(dead.getString("error")).isEqualTo("queue timeout");
    List<String> states = http.get("/api/v1/tasks/" + id + "/history", submitter("ghosts")).json()
        .getJsonArray("items").stream().map(t -> ((JsonObject) t).getString("to")).toList();
    assertThat(states).containsExactly("queued", "timed_out", "dead");
  }

  @Test
  @DisplayName("the mark clears when an agent able to take the task registers, and the agent gets it")
  void clearsWhenAnAbleAgentRegisters() {
    String id = submit("ghosts-then", new JsonObject().put("type", "rare-work"));
    assertThat(get("ghosts-then", id).getString("unroutable")).isNotNull();
    AgentClient agent = new AgentClient(app, "ghosts-then", "rare-1");
    assertThat(agent.register("rare-work", 1).status()).isEqualTo(201);
    TestApp.eventually(Duration.ofSeconds(5), "the mark clears",
        () -> get("ghosts-then", id).getString("unroutable") == null);
    assertThat(agent.claim(5, 1)).extracting(d -> d.getString("taskId")).containsExactly(id);
    TestApp.eventually(Duration.ofSeconds(5), "the clearing is audited",
        () -> actions(id).contains("task.routable"));
  }

  @Test
  @DisplayName("a task no agent takes any more, after its only able agent left, is marked")
  void markedWhenTheLastAbleAgentLeaves() {
    AgentClient agent = new AgentClient(app, "left", "left-1");
    assertThat(agent.register("odd-work", 1).status()).isEqualTo(201);
    String id = submit("left", new JsonObject().put("type", "odd-work").put("delayMs", 60_000));
    assertThat(get("left", id).getString("unroutable")).isNull();
    assertThat(http.delete("/api/v1/agents/left-1", app.tokens().agent("left", "left-1")).status()).isEqualTo(200);
    TestApp.eventually(Duration.ofSeconds(2), "the task is marked",
        () -> get("left", id).getString("unroutable") != null);
  }

  @Test
  @DisplayName("the decision of a queued task says why each capable agent did not take it")
  void explainsAQueuedTask() {
    AgentClient agent = new AgentClient(app, "crowded", "crowded-1");
    assertThat(agent.register("slow-work", 1).status()).isEqualTo(201);
    String first = submit("crowded", new JsonObject().put("type", "slow-work").put("priority", 9));
    TestApp.eventually(Duration.ofSeconds(5), "the first task takes the agent's only slot",
        () -> "assigned".equals(get("crowded", first).getString("state")));
    String second = submit("crowded", new JsonObject().put("type", "slow-work"));
    Http.Reply reply = http.get("/api/v1/tasks/" + second + "/decision", submitter("crowded"));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    JsonObject waiting = reply.json().getJsonObject("waiting");
    assertThat(waiting.getString("unroutable")).isNull();
    JsonObject held = waiting.getJsonArray("agents").getJsonObject(0);
    assertThat(held.getString("agentId")).isEqualTo("crowded-1");
    assertThat(held.getString("reason")).isEqualTo("full: 1 of 1 slots in use");
    assertThat(waiting.getString("reason")).contains("none of the 1 agent(s)");
  }
}
