package io.arbiter.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.Processes;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The two SDKs against one real Arbiter, each serving the other: a Python agent ({@code clients/python}) runs the
 * tasks that the TypeScript client submits, and a TypeScript agent ({@code clients/typescript}) those that the Python
 * client submits, each side as its own process ({@code src/test/resources/clients/cross_agent.*}). Each client checks
 * echoes, a retry after a failed attempt and a cancel during work; the test then checks from the server's side who
 * ran what. It needs python3, Node.js and the TypeScript SDK's dependencies, and fails without them.
 */
@DisplayName("A Python and a TypeScript agent each complete the tasks the other language's client submits")
class CrossLanguageTest {

  private static final String TENANT = "cross";
  private static final String PYTHON_TYPE = "python.echo";
  private static final String TS_TYPE = "ts.echo";
  /** Each client submits 3 echoes, 1 task that fails its first attempt, and 1 that it cancels while it runs. */
  private static final int TASKS_EACH = 5;
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final Path SCRIPTS = Path.of("src/test/resources/clients");

  @Test
  @DisplayName("echoes, a retry after a failure and a cancel during work, across the two languages")
  void eachLanguagesAgentCompletesTheOthersTasks() throws Exception {
    TypeScriptClientTest.built();
    try (TestApp app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100,
        "tasks.leaseMs", 3000, "tasks.rescueIntervalMs", 100, "tasks.backoffBaseMs", 10, "tasks.backoffCapMs", 50))) {
      String url = "http://127.0.0.1:" + app.arbiter().port();
      CompletableFuture<Processes.Run> python = CompletableFuture.supplyAsync(() -> Processes.run(Path.of("."),
          side(app, url, "py-cross", PYTHON_TYPE, TS_TYPE, Map.of("PYTHONPATH",
              Path.of("clients/python").toAbsolutePath().toString(), "PYTHONDONTWRITEBYTECODE", "1")),
          TIMEOUT, "python", "install Python 3.9+; .ci/run does",
          List.of("python3", SCRIPTS.resolve("cross_agent.py").toString())));
      CompletableFuture<Processes.Run> typescript = CompletableFuture.supplyAsync(() -> Processes.run(Path.of("."),
          side(app, url, "ts-cross", TS_TYPE, PYTHON_TYPE, Map.of()), TIMEOUT, "typescript",
          "install Node.js 20+; .ci/run does", List.of("node", SCRIPTS.resolve("cross_agent.mjs").toString())));

      for (Processes.Run run : List.of(python.get(), typescript.get())) {
        assertThat(run.exit()).as("exited with %d:%n%s", run.exit(), run.output()).isZero();
        assertThat(run.output()).contains("CLIENT-DONE").doesNotContain("FAILED");
      }
      assertRanBy(app, TS_TYPE, "ts-cross", "python");
      assertRanBy(app, PYTHON_TYPE, "py-cross", "typescript");
    }
  }

  /** The settings of one side: its agent serves {@code own}, its client submits {@code other}. */
  private static Map<String, String> side(TestApp app, String url, String agentId, String own, String other,
      Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.putAll(Map.of("ARBITER_URL", url, "AGENT_ID", agentId, "AGENT_TOKEN", app.tokens().agent(TENANT, agentId),
        "SUBMITTER_TOKEN", app.tokens().of(TENANT, Role.SUBMITTER, agentId + "-client"), "OWN_TYPE", own,
        "OTHER_TYPE", other, "EXPECTED_TASKS", String.valueOf(TASKS_EACH)));
    return env;
  }

  /**
   * Every task of {@code type} ran on {@code agentId} and was submitted by the {@code submitter} side's client: the
   * submission is each task's first {@code task.queued} record (a task submitted before any agent could take it is
   * marked unroutable first, in the same transaction).
   */
  private static void assertRanBy(TestApp app, String type, String agentId, String submitter) {
    JsonArray tasks = app.http().get("/api/v1/tasks?type=" + type, app.tokens().admin(TENANT)).json()
        .getJsonArray("items");
    assertThat(tasks).hasSize(TASKS_EACH);
    List<JsonObject> items = tasks.stream().map(JsonObject.class::cast).toList();
    assertThat(items).allSatisfy(t -> assertThat(t.getString("assignedAgentId")).isEqualTo(agentId));
    assertThat(items).extracting(t -> t.getString("state")).containsExactlyInAnyOrder("succeeded", "succeeded",
        "succeeded", "succeeded", "canceled");
    assertThat(items).filteredOn(t -> "succeeded".equals(t.getString("state")))
        .allSatisfy(t -> assertThat(t.getJsonObject("result").getString("by")).isEqualTo(
            agentId.startsWith("py") ? "python" : "typescript"));
    String submitterSub = (submitter.equals("python") ? "py-cross" : "ts-cross") + "-client";
    assertThat(app.sql("SELECT count(*) AS n FROM tasks t WHERE t.type = $2 AND (SELECT a.actor_sub FROM audit_log a "
        + "WHERE a.target = 'task:' || t.id AND a.action = 'task.queued' ORDER BY a.id LIMIT 1) = $1", submitterSub, type).iterator().next()
        .getLong("n")).as("the %s tasks were submitted by the %s client", type, submitter).isEqualTo(TASKS_EACH);
  }
}
