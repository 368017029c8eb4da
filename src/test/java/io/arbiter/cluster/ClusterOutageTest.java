package io.arbiter.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.StoppableDatabase;
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
 * Two clustered nodes and PostgreSQL stopped for longer than a lease. Node B rescues leases quickly and node A replays
 * its journal slowly, so without a cluster-wide pause B would time out the lease whose result A accepted, and A's
 * replay would then be refused as stale.
 */
@DisplayName("Two clustered nodes through a PostgreSQL outage")
class ClusterOutageTest {

  private StoppableDatabase database;
  private TestApp a;
  private TestApp b;

  @AfterEach
  void stop() {
    for (TestApp node : new TestApp[] {b, a}) {
      if (node != null) {
        node.close();
      }
    }
    if (database != null) {
      database.close();
    }
  }


  private Map<String, Object> node(LocalCluster cluster, int index, Map<String, Object> more) {
    Map<String, Object> settings = new HashMap<>(Map.of("db.url", database.url(), "db.connectTimeoutMs", 500,
        "tasks.leaseMs", 1000, "tasks.claimPollMs", 100));
    settings.putAll(more);
    return cluster.settings(index, settings);
  }

  @Test
  @DisplayName("a result one node buffered lands on its attempt: no node judges its lease before the replay")
  void bufferedResultOutlivesItsLeaseOnEveryNode() {
    database = StoppableDatabase.start();
    LocalCluster cluster = new LocalCluster("outage-test", 2);
    a = TestApp.start(node(cluster, 0, Map.of("breaker.resetTimeoutMs", 3000, "journal.replayIntervalMs", 3000,
        "tasks.rescueIntervalMs", 60_000)));
    b = TestApp.start(node(cluster, 1, Map.of("breaker.resetTimeoutMs", 300, "tasks.rescueIntervalMs", 100)));

    AgentClient agent = new AgentClient(a, "acme", "outage-agent");
    assertThat(agent.register("code-editing", 2).status()).isEqualTo(201);
    String id = a.http().post("/api/v1/tasks", a.tokens().of("acme", Role.SUBMITTER, "client"),
        new JsonObject().put("type", "code-editing")).json().getString("id");
    TestApp.eventually(Duration.ofSeconds(10), "the task is delivered", () -> !agent.claim(1, 1).isEmpty());
    assertThat(agent.ack(id, 1).status()).isEqualTo(200);

    database.stop();
    Http.Reply result = agent.result(id, 1, "succeeded");
    assertThat(result.status()).as(result.toString()).isEqualTo(202);
    assertThat(result.json().getBoolean("buffered")).isTrue();
    TestApp.eventually(Duration.ofSeconds(10), "node B's breaker is open", () ->
        "degraded".equals(b.http().get("/health/ready", null).json().getString("status")));
    database.resume();

    TestApp.eventually(Duration.ofSeconds(30), "the result landed", () -> {
      JsonObject task = b.http().get("/api/v1/tasks/" + id, b.tokens().admin("acme")).json();
      return "succeeded".equals(task.getString("state")) || task.getInteger("attempt", 0) > 1;
    });
    JsonObject task = b.http().get("/api/v1/tasks/" + id, b.tokens().admin("acme")).json();
    assertThat(task.getString("state")).as(task.encode()).isEqualTo("succeeded");
    assertThat(task.getInteger("attempt")).isEqualTo(1);
    assertThat(a.http().get("/metrics", null).text()).contains("arbiter_journal_refused_total 0.0");
  }
}
