package io.arbiter.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.Arbiter;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.BridgeClient;
import io.arbiter.support.Http;
import io.arbiter.support.LocalCluster;
import io.arbiter.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two Arbiter nodes on one PostgreSQL, joined by Hazelcast on 127.0.0.1. Dispatch and claims run only when nudged (their
 * fallback timers are 30 s and more), and a node nudges only its own dispatchers: what reaches an agent on the other node
 * within seconds travelled over the clustered event bus.
 */
@DisplayName("Two clustered nodes: an agent on one node gets the work submitted on the other")
class ClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TENANT = "acme";

  private static TestApp a;
  private static TestApp b;
  private static Vertx vertx;

  @BeforeAll
  static void startTwoNodes() {
    LocalCluster cluster = new LocalCluster("cluster-test", 2);
    a = TestApp.start(node(cluster, 0, Map.of()));
    b = TestApp.start(node(cluster, 1, Map.of("db.url", a.dbUrl())));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      TestApp.await(vertx.close());
    }
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  /** Node {@code index} of {@code cluster}, dispatching and waking claims only when nudged; {@code more} above. */
  private static Map<String, Object> node(LocalCluster cluster, int index, Map<String, Object> more) {
    Map<String, Object> settings = new HashMap<>(Map.of("routing.pollIntervalMs", 60_000, "tasks.claimPollMs", 30_000,
        "registry.heartbeatWindowMs", 120_000, "auth.revocationRefreshMs", 60_000));
    settings.putAll(more);
    return cluster.settings(index, settings);
  }

  private static String submit(TestApp node, String type) {
    Http.Reply reply = node.http().post("/api/v1/tasks", node.tokens().of(TENANT, Role.SUBMITTER, "client"),
        new JsonObject().put("type", type).put("payload", new JsonObject().put("n", 1)));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  @Test
  @DisplayName("a token revoked on node B is refused on node A at once, long before A's next reload of the deny list")
  void revocationReachesEveryNodeAtOnce() {
    String token = a.tokens().of(TENANT, Role.OPERATOR, "olga");
    assertThat(a.http().get("/api/v1/agents", token).status()).isEqualTo(200);
    Http.Reply revoked = b.http().post("/api/v1/token-revocations", b.tokens().admin(TENANT),
        new JsonObject().put("token", token));
    assertThat(revoked.status()).as(revoked.toString()).isEqualTo(201);
    TestApp.eventually(Duration.ofSeconds(5), "node A refuses the token",
        () -> a.http().get("/api/v1/agents", token).status() == 401);
  }

  @Test
  @DisplayName("a bridge agent connected to node A is pushed a task submitted on node B")
  void bridgeAgentOnOneNodeGetsWorkFromTheOther() {
    Http.Reply registered = a.http().post("/api/v1/agents", a.tokens().admin(TENANT),
        Agents.registration("bridged", "cluster-bridge").put("maxConcurrentTasks", 2));
    assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
    BridgeClient client = BridgeClient.connect(vertx, a.arbiter().port());
    try {
      client.register("arbiter.agent.bridged.tasks", a.tokens().agent(TENANT, "bridged"));
      TestApp.eventually(WAIT, "the channel is open", () -> a.http().get("/api/v1/agents/bridged",
          a.tokens().admin(TENANT)).json().getBoolean("consuming"));

      String taskId = submit(b, "cluster-bridge");
      JsonObject delivery = client.awaitFrame(WAIT, "the delivery", "arbiter.agent.bridged.tasks")
          .getJsonObject("body");
      assertThat(delivery.getString("taskId")).isEqualTo(taskId);
    } finally {
      client.close();
    }
  }

  @Test
  @DisplayName("a long-polling claim on node A is answered as soon as node B assigns it work")
  void longPollOnOneNodeWakesOnAssignmentByTheOther() throws Exception {
    AgentClient agent = new AgentClient(a, TENANT, "polling");
    assertThat(agent.register("cluster-poll", 1).status()).isEqualTo(201);
    java.util.concurrent.CompletableFuture<List<JsonObject>> claim =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> agent.claim(30, 1));
    TestApp.eventually(WAIT, "the claim waits", () -> a.http().get("/metrics", null).text()
        .contains("arbiter_claims_waiting 1.0"));

    String taskId = submit(b, "cluster-poll");
    List<JsonObject> delivered = claim.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(delivered).extracting(t -> t.getString("taskId")).containsExactly(taskId);
  }

  @Test
  @DisplayName("a stream ticket opens one stream in the whole cluster: once used on node A, node B refuses it")
  void aTicketUsedOnOneNodeIsRefusedOnTheOther() {
    Http.Reply issued = b.http().post("/api/v1/stream-tickets", b.tokens().of(TENANT, Role.OPERATOR, "holder"), null);
    assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
    String uri = "/api/v1/stream?ticket=" + issued.json().getString("ticket");
    WebSocket first = TestApp.await(streamOn(a, uri));
    assertThatThrownBy(() -> TestApp.await(streamOn(b, uri)))
        .hasRootCauseInstanceOf(UpgradeRejectedException.class).rootCause()
        .satisfies(e -> assertThat(((UpgradeRejectedException) e).getStatus()).isEqualTo(401));
    TestApp.await(first.close());
  }

  private static Future<WebSocket> streamOn(TestApp node, String uri) {
    return vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(node.arbiter().port()).setURI(uri));
  }

  @Test
  @DisplayName("a WebSocket stream on node A sees the events of a task submitted on node B")
  void streamOnOneNodeSeesEventsOfTheOther() {
    List<JsonObject> seen = new CopyOnWriteArrayList<>();
    WebSocket socket = TestApp.await(vertx.createWebSocketClient().connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(a.arbiter().port()).setURI("/api/v1/stream")
        .addHeader("Authorization", "Bearer " + a.tokens().of(TENANT, Role.OPERATOR, "watcher"))));
    socket.textMessageHandler(text -> seen.add(new JsonObject(text)));

    String taskId = submit(b, "cluster-stream");
    TestApp.eventually(WAIT, "node A's stream sees the submission", () -> seen.stream()
        .anyMatch(e -> taskId.equals(e.getString("taskId")) && "task.queued".equals(e.getString("type"))));
    TestApp.await(socket.close());
  }

  @Test
  @DisplayName("an unusable member list stops the start with the key named")
  void badMembersStopTheStart() {
    assertThatThrownBy(() -> TestApp.start(Map.of("cluster.enabled", "true", "cluster.members", "no-port-here")))
        .isInstanceOf(Arbiter.StartupException.class).hasMessageContaining("cluster.members");
  }
}
