package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.routing.LaneWork;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two Arbiter nodes on one PostgreSQL, each with three HTTP ingress instances and three dispatch lanes: submissions
 * and agents of four tenants go through both nodes at once, each tenant's tasks dispatched by one lane per node, and
 * the database alone keeps single assignment and capacity.
 */
@DisplayName("Several ingress instances and several dispatch lanes on two nodes sharing one PostgreSQL")
class ParallelLanesTest {

  private static final int TASKS = 160;
  private static final int AGENTS = 4;
  private static final List<String> TENANTS = List.of("acme", "globex", "hooli", "stark");
  private static final int CAPACITY = 2;

  @Test
  @DisplayName("assign no task twice and put no agent over its capacity")
  void noTaskTwiceAndNoAgentOverCapacity() throws Exception {
    Map<String, Object> lanes = Map.of("http.instances", 3, "routing.lanes", 3, "routing.pollIntervalMs", 50,
        "tasks.claimPollMs", 100);
    assertThat(TENANTS.stream().map(t -> LaneWork.laneOf(t, 3)).distinct().count())
        .as("the tenants fall into every lane").isEqualTo(3);
    ExecutorService threads = Executors.newFixedThreadPool(16);
    AtomicBoolean running = new AtomicBoolean(true);
    try (TestApp a = TestApp.start(lanes);
         TestApp b = TestApp.start(merged(lanes, Map.of("db.url", a.dbUrl())))) {
      assertThat(a.arbiter().ingressInstances()).isEqualTo(3);
      assertThat(b.arbiter().ingressInstances()).isEqualTo(3);
      assertThat(a.arbiter().routingLanes()).isEqualTo(3);
      List<TestApp> nodes = List.of(a, b);
      for (int i = 0; i < AGENTS; i++) {
        String tenant = TENANTS.get(i % TENANTS.size());
        assertThat(new AgentClient(a, tenant, "lane-agent-" + i).register("lanes", CAPACITY).status()).isEqualTo(201);
      }

      ConcurrentLinkedQueue<String> overCapacity = new ConcurrentLinkedQueue<>();
      Future<?> watcher = threads.submit(() -> {
        while (running.get()) {
          for (Row row : a.sql("SELECT assigned_agent_id, count(*) AS n FROM tasks "
              + "WHERE state IN ('assigned', 'running') GROUP BY tenant_id, assigned_agent_id")) {
            if (row.getLong("n") > CAPACITY) {
              overCapacity.add(row.getString("assigned_agent_id") + " held " + row.getLong("n"));
            }
          }
        }
        return null;
      });
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < AGENTS; i++) {
        String tenant = TENANTS.get(i % TENANTS.size());
        for (TestApp node : nodes) {
          AgentClient agent = new AgentClient(node, tenant, "lane-agent-" + i);
          work.add(threads.submit(() -> agentLoop(node.http(), agent, node.tokens().agent(tenant, agent.id()),
              running)));
        }
      }
      List<Future<?>> submitters = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        TestApp node = nodes.get(s % 2);
        String tenant = TENANTS.get(s);
        submitters.add(threads.submit(() -> {
          for (int t = 0; t < TASKS / 4; t++) {
            Http.Reply reply = node.http().post("/api/v1/tasks", node.tokens().admin(tenant),
                new JsonObject().put("type", "lanes").put("payload", new JsonObject()));
            assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
          }
          return null;
        }));
      }
      for (Future<?> submitter : submitters) {
        submitter.get(60, TimeUnit.SECONDS);
      }
      TestApp.eventually(Duration.ofSeconds(60), "every task succeeded", () -> a.sql(
          "SELECT count(*) AS n FROM tasks WHERE state = 'succeeded'").iterator().next().getLong("n") == TASKS);
      running.set(false);
      watcher.get(10, TimeUnit.SECONDS);
      for (Future<?> loop : work) {
        loop.get(30, TimeUnit.SECONDS);
      }

      assertThat(overCapacity).as("agents seen over their capacity").isEmpty();
      assertThat(a.sql("SELECT task_id FROM task_history WHERE to_state = 'assigned' GROUP BY task_id "
          + "HAVING count(*) > 1").size()).as("tasks assigned more than once").isZero();
      assertThat(a.sql("SELECT count(*) AS n FROM task_results").iterator().next().getLong("n"))
          .as("one result per task").isEqualTo(TASKS);
      for (String tenant : TENANTS) {
        a.awaitOutcomesFolded(tenant);
      }
      assertThat(a.sql("SELECT sum(task_count) AS n FROM agents").iterator().next()
          .getLong("n")).as("every result folded into its agent's figures once").isEqualTo(TASKS);
      for (Row agent : a.sql("SELECT id, current_load FROM agents")) {
        assertThat(agent.getInteger("current_load")).as("load of %s at the end", agent.getString("id")).isZero();
      }
    } finally {
      running.set(false);
      threads.shutdownNow();
    }
  }

  /** Claims (acknowledged at once) and reports success until told to stop. */
  private static Void agentLoop(Http http, AgentClient agent, String token, AtomicBoolean running) {
    while (running.get()) {
      Http.Reply claim = http.post("/api/v1/agents/" + agent.id() + "/claim?wait=1&max=" + CAPACITY + "&ack=true",
          token, null);
      if (claim.status() == 204) {
        continue;
      }
      assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
      claim.json().getJsonArray("tasks").forEach(d -> {
        JsonObject delivery = (JsonObject) d;
        Http.Reply result = agent.result(delivery.getString("taskId"), delivery.getInteger("attempt"), "succeeded");
        assertThat(result.status()).as(result.toString()).isEqualTo(200);
      });
    }
    return null;
  }

  private static Map<String, Object> merged(Map<String, Object> a, Map<String, Object> b) {
    Map<String, Object> all = new java.util.HashMap<>(a);
    all.putAll(b);
    return all;
  }
}
