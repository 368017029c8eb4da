package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.BridgeClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The agents' event-bus bridge at {@code /eventbus}, through a real SockJS client (the raw WebSocket endpoint, with
 * the bridge's JSON frames): per-agent authorization and its audit, push delivery with the REST path's lease rules,
 * and the two liveness signals.
 */
@DisplayName("The event-bus bridge for agents")
class BridgeTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TENANT = "bridge";

  private final Vertx vertx = Vertx.vertx();
  private final List<BridgeClient> clients = new ArrayList<>();
  private TestApp app;
  private String admin;

  @BeforeEach
  void start() {
    app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100, "tasks.ackTimeoutMs", 1000,
        "tasks.rescueIntervalMs", 100, "tasks.backoffBaseMs", 10, "tasks.backoffCapMs", 50));
    admin = app.tokens().admin(TENANT);
  }

  @AfterEach
  void stop() {
    clients.forEach(BridgeClient::close);
    TestApp.await(vertx.close());
    app.close();
  }

  private BridgeClient connect() {
    BridgeClient client = BridgeClient.connect(vertx, app.arbiter().port());
    clients.add(client);
    return client;
  }

  private String agentToken(String agentId) {
    return app.tokens().agent(TENANT, agentId);
  }

  private void registerAgent(String tenant, String agentId) {
    Http.Reply reply = app.http().post("/api/v1/agents", app.tokens().admin(tenant),
        Agents.registration(agentId, "code-review").put("maxConcurrentTasks", 4));
    assertThat(reply.status()).as("registration of %s: %s", agentId, reply).isEqualTo(201);
  }

  private String submit() {
    Http.Reply reply = app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", "code-review")
        .put("priority", 5).put("payload", new JsonObject().put("pr", 7)).put("maxAttempts", 5));
    assertThat(reply.status()).as("submission: %s", reply).isEqualTo(202);
    return reply.json().getString("id");
  }

  private JsonObject agent(String agentId) {
    return app.http().get("/api/v1/agents/" + agentId, admin).json();
  }

  private JsonObject task(String taskId) {
    return app.http().get("/api/v1/tasks/" + taskId, admin).json();
  }

  private static String address(String agentId, String channel) {
    return "arbiter.agent." + agentId + "." + channel;
  }

  private static void assertRefused(JsonObject frame, Failure failure, String detail) {
    assertThat(frame.getString("type")).as("frame %s", frame).isEqualTo("err");
    assertThat(frame.getInteger("failureCode")).as("frame %s", frame).isEqualTo(failure.code);
    assertThat(frame.getString("message")).contains(detail);
  }

  @Test
  @DisplayName("an agent's token cannot register on or send to another agent's addresses, and each refusal is audited")
  void agentCannotRegisterOnOrSendToAnotherAgentsAddresses() {
    registerAgent(TENANT, "agent-a");
    registerAgent(TENANT, "agent-b");
    String tokenA = agentToken("agent-a");
    BridgeClient a = connect();

    a.register(address("agent-b", "tasks"), tokenA);
    assertRefused(a.awaitFrame(WAIT, "the register refusal", address("agent-b", "tasks")), Failure.FORBIDDEN,
        "its own addresses only");
    assertRefused(a.request(address("agent-b", "ack"), tokenA, new JsonObject()
            .put("taskId", "00000000-0000-0000-0000-000000000000").put("attempt", 1)), Failure.FORBIDDEN,
        "its own addresses only");
    assertRefused(a.request(address("agent-a", "ack"), null, new JsonObject()), Failure.UNAUTHORIZED,
        "bearer token is required");
    assertRefused(a.request(address("agent-a", "ack"), "not-a-jwt", new JsonObject()), Failure.UNAUTHORIZED,
        "invalid or expired");
    assertRefused(a.request("arbiter.tasks.cancel", tokenA, new JsonObject()), Failure.FORBIDDEN,
        "is not an agent address");
    assertRefused(a.request(address("agent-a", "ack"), app.tokens().of(TENANT, Role.SUBMITTER, "agent-a"),
        new JsonObject()), Failure.FORBIDDEN, "only an agent token");
    a.register(address("agent-a", "ack"), tokenA);
    assertRefused(a.awaitFrame(WAIT, "a register off the tasks address", address("agent-a", "ack")),
        Failure.FORBIDDEN, "registers only on arbiter.agent.agent-a.tasks");

    TestApp.eventually(WAIT, "the refusals are in the audit trail", () -> app.sql(
        "SELECT count(*) FROM audit_log WHERE target LIKE 'eventbus %' AND action IN ('access.denied', 'auth.failed')")
        .iterator().next().getLong(0) >= 7);
    List<Row> audited = new ArrayList<>();
    app.sql("SELECT tenant_id, actor_sub, action, target, outcome, details::text AS details, tags FROM audit_log "
        + "WHERE target LIKE 'eventbus %' ORDER BY id").forEach(audited::add);
    Row denied = audited.stream().filter(r -> r.getString("target").equals("eventbus register "
        + address("agent-b", "tasks"))).findFirst().orElseThrow();
    assertThat(denied.getString("tenant_id")).isEqualTo(TENANT);
    assertThat(denied.getString("actor_sub")).isEqualTo("agent-a");
    assertThat(denied.getString("action")).isEqualTo("access.denied");
    assertThat(denied.getString("outcome")).isEqualTo("denied");
    assertThat(denied.getArrayOfStrings("tags")).contains("security", "SOX", "PCI-DSS");
    assertThat(audited).allSatisfy(r -> assertThat(r.getString("details")).doesNotContain(tokenA));
    assertThat(audited).anySatisfy(r -> assertThat(r.getString("action")).isEqualTo("auth.failed"));

    assertThat(agent("agent-b").getString("delivery")).as("agent-b's channel was never opened").isEqualTo("claim");
  }

  @Test
  @DisplayName("an agent of another tenant with the same id receives none of this tenant's deliveries")
  void sameAgentIdInAnotherTenantReceivesNothing() {
    registerAgent(TENANT, "twin");
    registerAgent("other", "twin");
    BridgeClient ours = connect();
    BridgeClient theirs = connect();
    ours.register(address("twin", "tasks"), agentToken("twin"));
    theirs.register(address("twin", "tasks"), app.tokens().agent("other", "twin"));
    TestApp.eventually(WAIT, "both channels are open", () -> "push".equals(agent("twin").getString("delivery"))
        && "push".equals(app.http().get("/api/v1/agents/twin", app.tokens().admin("other")).json()
        .getString("delivery")));

    String taskId = submit();
    JsonObject delivery = ours.awaitFrame(WAIT, "our twin gets the task", address("twin", "tasks"));
    assertThat(delivery.getJsonObject("body").getString("taskId")).isEqualTo(taskId);
    assertThat(delivery.containsKey("headers")).as("no internal headers reach the agent").isFalse();
    assertThat(theirs.frames(address("twin", "tasks"))).isEmpty();
  }

  @Test
  @DisplayName("pushes assignments and applies the REST path's lease, idempotency and stale-attempt rules to reports")
  void pushesAssignmentsAndAppliesTheRestRules() {
    registerAgent(TENANT, "pusher");
    String token = agentToken("pusher");
    BridgeClient client = connect();
    client.register(address("pusher", "tasks"), token);
    TestApp.eventually(WAIT, "the channel is open", () -> agent("pusher").getBoolean("consuming")
        && "push".equals(agent("pusher").getString("delivery")));
    assertThat(app.http().get("/metrics", null).text()).contains("arbiter_bridge_connections 1.0");

    String taskId = submit();
    JsonObject delivery = client.awaitFrame(WAIT, "the delivery", address("pusher", "tasks")).getJsonObject("body");
    assertThat(delivery.getString("taskId")).isEqualTo(taskId);
    assertThat(delivery.getInteger("attempt")).isEqualTo(1);
    assertThat(delivery.getString("type")).isEqualTo("code-review");
    assertThat(delivery.getJsonObject("payload")).isEqualTo(new JsonObject().put("pr", 7));
    assertThat(delivery.fieldNames()).contains("requirements", "leaseExpiresAt", "ackDeadline");

    JsonObject badAck = client.request(address("pusher", "ack"), token, new JsonObject().put("taskId", taskId)
        .put("attempt", "one"));
    assertRefused(badAck, Failure.BAD_REQUEST, "attempt");
    assertRefused(client.request(address("pusher", "ack"), token, new JsonObject().put("attempt", 1)),
        Failure.BAD_REQUEST, "taskId");
    assertRefused(client.request(address("pusher", "ack"), token, new JsonObject().put("taskId", taskId)
        .put("attempt", 2)), Failure.CONFLICT, "attempt 2 is stale");

    JsonObject lease = client.request(address("pusher", "ack"), token, new JsonObject().put("taskId", taskId)
        .put("attempt", 1));
    assertThat(lease.getString("type")).as("ack reply %s", lease).isEqualTo("rec");
    assertThat(lease.getJsonObject("body").getString("state")).isEqualTo("running");
    assertThat(lease.getJsonObject("body").getString("leaseExpiresAt")).isNotNull();

    JsonObject extended = client.request(address("pusher", "heartbeat"), token, new JsonObject()
        .put("taskId", taskId).put("attempt", 1)).getJsonObject("body");
    assertThat(extended.getBoolean("canceled")).isFalse();
    JsonObject progress = client.request(address("pusher", "progress"), token, new JsonObject()
        .put("taskId", taskId).put("attempt", 1).put("percent", 40).put("message", "reading")).getJsonObject("body");
    assertThat(progress.getString("state")).isEqualTo("running");
    assertRefused(client.request(address("pusher", "progress"), token, new JsonObject().put("taskId", taskId)
        .put("attempt", 1).put("percent", 140)), Failure.BAD_REQUEST, "percent");
    JsonObject alive = client.request(address("pusher", "heartbeat"), token, new JsonObject()).getJsonObject("body");
    assertThat(alive.getString("id")).as("an agent heartbeat answers the agent").isEqualTo("pusher");

    JsonObject result = new JsonObject().put("taskId", taskId).put("attempt", 1).put("outcome", "succeeded")
        .put("quality", 0.8).put("testsPassed", true);
    JsonObject first = client.request(address("pusher", "result"), token, result).getJsonObject("body");
    assertThat(first.getString("state")).isEqualTo("succeeded");
    assertThat(first.getBoolean("repeated")).isFalse();
    JsonObject again = client.request(address("pusher", "result"), token, result.copy().put("outcome", "failed"))
        .getJsonObject("body");
    assertThat(again.getBoolean("repeated")).isTrue();
    assertThat(again.getString("outcome")).as("a repeat answers the first outcome").isEqualTo("succeeded");
    assertRefused(client.request(address("pusher", "result"), token, result.copy().put("next", 1001)),
        Failure.BAD_REQUEST, "next");
    JsonObject withNext = client.request(address("pusher", "result"), token, result.copy().put("next", 4))
        .getJsonObject("body");
    assertThat(withNext.getJsonArray("next")).as("no assigned task waits: the next work is none").isEmpty();

    JsonObject done = task(taskId);
    assertThat(done.getString("state")).isEqualTo("succeeded");
    assertThat(done.getJsonObject("progress").getString("message")).isEqualTo("reading");
    app.awaitOutcomesFolded(TENANT);
    assertThat(agent("pusher").getInteger("currentLoad")).isZero();

    assertRefused(client.request(address("pusher", "result"), token, result.copy().put("attempt", 1)
        .put("outcome", "maybe")), Failure.BAD_REQUEST, "outcome");
    client.publish(address("pusher", "ack"), token, new JsonObject());
    TestApp.eventually(WAIT, "the publish is refused", () -> client.frames().stream()
        .anyMatch(f -> "err".equals(f.getString("type")) && "rejected".equals(f.getString("body"))));

    client.close();
    TestApp.eventually(WAIT, "the dropped socket is noticed: the agent stops consuming",
        () -> !agent("pusher").getBoolean("consuming"));
    JsonObject gone = agent("pusher");
    assertThat(gone.getBoolean("alive")).as("it is still alive (heartbeats), only not consuming").isTrue();
    assertThat(app.http().get("/metrics", null).text()).contains("arbiter_bridge_connections 0.0");
  }

  @Test
  @DisplayName("an agent that heartbeats but never acks its deliveries stops getting work; its tasks go to another")
  void agentThatHeartbeatsButNeverAcksStopsGettingWork() {
    registerAgent(TENANT, "silent");
    String token = agentToken("silent");
    BridgeClient client = connect();
    client.register(address("silent", "tasks"), token);
    TestApp.eventually(WAIT, "the channel is open", () -> "push".equals(agent("silent").getString("delivery")));

    List<String> taskIds = List.of(submit(), submit());
    TestApp.eventually(WAIT, "both are pushed", () -> client.frames(address("silent", "tasks")).size() >= 2);
    TestApp.eventually(WAIT, "unacked past the ack deadline, the agent is not consuming", () -> {
      JsonObject heartbeat = client.request(address("silent", "heartbeat"), token, new JsonObject());
      assertThat(heartbeat.getString("type")).as("heartbeat %s", heartbeat).isEqualTo("rec");
      return !agent("silent").getBoolean("consuming");
    });
    JsonObject silent = agent("silent");
    assertThat(silent.getBoolean("alive")).isTrue();
    assertThat(silent.getString("status")).isNotEqualTo("offline");
    int pushed = client.frames(address("silent", "tasks")).size();

    AgentClient other = new AgentClient(app, TENANT, "other");
    assertThat(other.register("code-review", 4).status()).isEqualTo(201);
    // each delivery is acknowledged as soon as it arrives, so that none outlives tasks.ackTimeoutMs (1 s here) while
    // the other task is still on its way; a delivery that a newer one replaced answers 409 and is skipped
    Map<String, JsonObject> running = new LinkedHashMap<>();
    TestApp.eventually(WAIT, "the other agent gets and acknowledges both tasks", () -> {
      for (JsonObject delivery : other.claim(1, 4)) {
        if (other.ack(delivery.getString("taskId"), delivery.getInteger("attempt")).status() == 200) {
          running.put(delivery.getString("taskId"), delivery);
        }
      }
      return running.size() >= 2;
    });
    assertThat(running.keySet()).containsExactlyInAnyOrderElementsOf(taskIds);
    for (JsonObject delivery : running.values()) {
      String id = delivery.getString("taskId");
      int attempt = delivery.getInteger("attempt");
      assertThat(other.result(id, attempt, "succeeded").status()).isEqualTo(200);
      assertThat(task(id).getString("state")).isEqualTo("succeeded");
      assertThat(task(id).getString("assignedAgentId")).isEqualTo("other");
    }
    assertThat(client.frames(address("silent", "tasks"))).as("no new work for the agent that does not ack")
        .hasSize(pushed);
    JsonArray history = app.http().get("/api/v1/tasks/" + taskIds.get(0) + "/history", admin).json()
        .getJsonArray("items");
    assertThat(history.stream().map(JsonObject.class::cast).map(h -> h.getString("reason")))
        .contains("not acknowledged in time");
    TestApp.eventually(WAIT, "it is audited", () -> app.sql(
        "SELECT count(*) FROM audit_log WHERE action = 'agent.stopped-consuming' AND target = 'agent:silent'")
        .iterator().next().getLong(0) == 1);
  }
}
