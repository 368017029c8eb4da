package io.arbiter.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.Http;
import io.arbiter.support.NodeAgent;
import io.arbiter.support.LocalCluster;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes and the JavaScript agent example connected to the first: the first node goes away while the
 * agent works on a task; the agent connects to the second node, reports the task there within its lease, and takes
 * the next task the second node assigns.
 */
@DisplayName("A bridge agent whose node goes away carries on through another node")
class NodeLossTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "js";

  private TestApp a;
  private TestApp b;
  private NodeAgent agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    for (TestApp node : new TestApp[] {a, b}) {
      if (node != null) {
        node.close();
      }
    }
  }


  private static Map<String, Object> node(LocalCluster cluster, int index, Map<String, Object> more) {
    Map<String, Object> settings = new HashMap<>(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100,
        "tasks.leaseMs", 20_000, "shutdown.graceMs", 2_000));
    settings.putAll(more);
    return cluster.settings(index, settings);
  }

  private String submit(TestApp node, int pr) {
    Http.Reply reply = node.http().post("/api/v1/tasks", node.tokens().admin(TENANT), new JsonObject()
        .put("type", "code-review").put("payload", new JsonObject().put("pr", pr)).put("maxAttempts", 3));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private JsonObject task(String id) {
    return b.http().get("/api/v1/tasks/" + id, b.tokens().admin(TENANT)).json();
  }

  @Test
  @DisplayName("the agent's task in hand succeeds on its first attempt through the other node, and new work follows")
  void agentMovesToTheOtherNode() {
    NodeAgent.assertInstalled();
    LocalCluster cluster = new LocalCluster("node-loss", 2);
    a = TestApp.start(node(cluster, 0, Map.of()));
    b = TestApp.start(node(cluster, 1, Map.of("db.url", a.dbUrl())));
    String urls = "http://127.0.0.1:" + a.arbiter().port() + ",http://127.0.0.1:" + b.arbiter().port();
    agent = NodeAgent.start(a, TENANT, "roamer", Map.of("ARBITER_URL", urls, "TASK_TYPES", "code-review",
        "WORK_MS", "4000", "HEARTBEAT_MS", "500", "RECONNECT_MS", "200"));
    agent.awaitLine(WAIT, "CONNECTED");

    String first = submit(b, 1);
    agent.awaitLine(WAIT, "ACKED " + first);
    a.close();
    a = null;
    agent.awaitLine(WAIT, "CONNECTED roamer http://127.0.0.1:" + b.arbiter().port());

    TestApp.eventually(WAIT, "the task in hand succeeded", () -> "succeeded".equals(task(first).getString("state")));
    assertThat(task(first).getInteger("attempt")).as("the lease was honoured, not rescued").isEqualTo(1);

    String second = submit(b, 2);
    TestApp.eventually(WAIT, "new work reaches the agent through the other node",
        () -> "succeeded".equals(task(second).getString("state")));
    assertThat(task(second).getString("assignedAgentId")).isEqualTo("roamer");
  }
}
