package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.NodeAgent;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript agent example ({@code examples/js-agent}) as a real Node.js process against a real server: it runs
 * on the TypeScript SDK's {@code BridgeAgent} exactly as its README says ({@code .ci/run} installs both with
 * {@code npm ci}; without them this test fails and says so, it never skips).
 */
@DisplayName("The JavaScript agent example over the event-bus bridge")
class JsAgentTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "js";

  private TestApp app;
  private String admin;
  private final List<NodeAgent> agents = new ArrayList<>();

  @BeforeEach
  void start() {
    NodeAgent.assertInstalled();
    app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100, "tasks.leaseMs", 1500, "tasks.ackTimeoutMs", 2000,
        "tasks.rescueIntervalMs", 100, "tasks.backoffBaseMs", 10, "tasks.backoffCapMs", 50));
    admin = app.tokens().admin(TENANT);
  }

  @AfterEach
  void stop() {
    agents.forEach(NodeAgent::close);
    app.close();
  }

  private NodeAgent run(String agentId, Map<String, String> env) {
    NodeAgent agent = NodeAgent.start(app, TENANT, agentId, env);
    agents.add(agent);
    agent.awaitLine(WAIT, "CONNECTED");
    TestApp.eventually(WAIT, agentId + " consumes over the bridge", () -> {
      JsonObject json = agent(agentId);
      return "push".equals(json.getString("delivery")) && json.getBoolean("consuming");
    });
    return agent;
  }

  private String submit(int pr) {
    Http.Reply reply = app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", "code-review")
        .put("payload", new JsonObject().put("repo", "acme/api").put("pr", pr)).put("maxAttempts", 3));
    assertThat(reply.status()).as("submission: %s", reply).isEqualTo(202);
    return reply.json().getString("id");
  }

  private JsonObject task(String taskId) {
    return app.http().get("/api/v1/tasks/" + taskId, admin).json();
  }

  private JsonObject agent(String agentId) {
    return app.http().get("/api/v1/agents/" + agentId, admin).json();
  }

  @Test
  @DisplayName("runs every task submitted over REST to success through the bridge")
  void runsSubmittedTasksToSuccessThroughTheBridge() {
    NodeAgent node = run("node-1", Map.of("TASK_TYPES", "code-review", "CAPACITY", "3", "WORK_MS", "300",
        "HEARTBEAT_MS", "200"));
    List<String> taskIds = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      taskIds.add(submit(i));
    }
    TestApp.eventually(WAIT, "every task succeeded", () -> taskIds.stream()
        .allMatch(id -> "succeeded".equals(task(id).getString("state"))));
    for (String id : taskIds) {
      JsonObject done = task(id);
      assertThat(done.getString("assignedAgentId")).isEqualTo("node-1");
      assertThat(done.getInteger("attempt")).isEqualTo(1);
      assertThat(done.getJsonObject("progress").getInteger("percent")).isEqualTo(50);
      assertThat(done.getJsonObject("result").getString("summary")).isEqualTo("handled code-review");
      assertThat(node.lines()).anyMatch(line -> line.startsWith("DONE " + id + " 1 succeeded"));
    }
    app.awaitOutcomesFolded(TENANT);
    JsonObject agent = agent("node-1");
    assertThat(agent.getBoolean("alive")).isTrue();
    assertThat(agent.getInteger("currentLoad")).isZero();
    assertThat(agent.getJsonObject("performance").getInteger("taskCount")).isEqualTo(6);
  }

  @Test
  @DisplayName("a Node agent killed mid-task: its lease expires and another agent finishes the task")
  void killedAgentsTaskIsReroutedAfterItsLeaseExpiresAndSucceeds() {
    NodeAgent doomed = run("node-doomed", Map.of("WORK_MS", "600000", "HEARTBEAT_MS", "300"));
    String taskId = submit(42);
    doomed.awaitLine(WAIT, "ACKED " + taskId);
    assertThat(task(taskId).getString("state")).isEqualTo("running");

    doomed.kill();
    TestApp.eventually(WAIT, "the dropped socket is noticed", () -> !agent("node-doomed").getBoolean("consuming"));

    AgentClient rescuer = new AgentClient(app, TENANT, "rescuer");
    assertThat(rescuer.register("code-review", 2).status()).isEqualTo(201);
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(WAIT, "the task is re-routed to the other agent", () -> {
      delivered.addAll(rescuer.claim(1, 1));
      return !delivered.isEmpty();
    });
    JsonObject delivery = delivered.get(0);
    assertThat(delivery.getString("taskId")).isEqualTo(taskId);
    assertThat(delivery.getInteger("attempt")).isEqualTo(2);
    assertThat(rescuer.ack(taskId, 2).status()).isEqualTo(200);
    assertThat(rescuer.result(taskId, 2, "succeeded").status()).isEqualTo(200);

    JsonObject done = task(taskId);
    assertThat(done.getString("state")).isEqualTo("succeeded");
    assertThat(done.getString("assignedAgentId")).isEqualTo("rescuer");
    JsonArray history = app.http().get("/api/v1/tasks/" + taskId + "/history", admin).json().getJsonArray("items");
    assertThat(history.stream().map(JsonObject.class::cast))
        .anySatisfy(h -> {
          assertThat(h.getString("agentId")).isEqualTo("node-doomed");
          assertThat(h.getString("reason")).isEqualTo("lease expired");
        });
  }
}
