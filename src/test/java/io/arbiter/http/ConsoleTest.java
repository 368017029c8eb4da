package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The operator console in a real browser: Debian's Chromium, headless, driven by playwright-core from
 * {@code src/test/js/console} ({@code .ci/run} installs both; without them this test fails and says how to get
 * them, it never skips). It writes a screenshot of each view to {@code target/console/}, or, with
 * {@code -Darbiter.screenshots=docs/console}, to the documentation's copies.
 */
@DisplayName("The operator console in headless Chromium")
class ConsoleTest {

  private static final Path DRIVER = Path.of("src/test/js/console");
  private static final Path SHOTS = Path.of(System.getProperty("arbiter.screenshots", "target/console"));
  private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
  private static final String TENANT = "console";
  private static final String TYPE = "code-editing";
  private static final String BULK_TYPE = "lint";

  @Test
  @DisplayName("signs in, watches a task submitted on the page finish live and the last hour's latency, filters and "
      + "pages through tasks, requeues a type's dead tasks at once and a dead task found by id, cancels a waiting one, "
      + "reads an agent's leases, learning arms and results, drains an agent, verifies the chain, browses the audit "
      + "records, creates and revokes a waiver, edits the tenant limits, signs out; an auditor is offered no action; the "
      + "platform role lists the tenant's tasks")
  void operatorWorksThroughTheConsole() throws Exception {
    assertThat(DRIVER.resolve("node_modules/playwright-core")).as(
        "playwright-core is installed: run npm ci in %s (.ci/run does)", DRIVER).exists();
    assertThat(Path.of(CHROMIUM)).as("Chromium is installed: apt-get install chromium (.ci/run does)").exists();
    // agents registered by the admin never heartbeat: they stay online for the whole walk through the pages
    try (TestApp app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100,
        "registry.heartbeatWindowMs", 600_000))) {
      String admin = app.tokens().of(TENANT, Role.ADMIN, "console-admin");
      String dead = deadTask(app, admin);
      List<String> bulk = deadTasksToRequeueAtOnce(app, admin);
      String held = heldTask(app, admin);
      JsonArray backlog = new JsonArray();
      for (int i = 0; i < 12; i++) {
        backlog.add(new JsonObject().put("type", "backlog").put("priority", i % 10));
      }
      assertThat(app.http().post("/api/v1/task-batches", admin, new JsonObject().put("tasks", backlog)).status())
          .isEqualTo(202);
      AgentClient worker = new AgentClient(app, TENANT, "worker");
      assertThat(worker.register(TYPE, 2).status()).isEqualTo(201);
      assertThat(app.http().post("/api/v1/agents", admin, Agents.registration("spare", "translation")).status())
          .isEqualTo(201);
      Files.createDirectories(SHOTS);
      AtomicBoolean working = new AtomicBoolean(true);
      CompletableFuture<Void> work = CompletableFuture.runAsync(() -> runEverything(worker, working));
      String waiting = waitingChild(app, admin);
      ProcessBuilder builder = new ProcessBuilder("node", "drive.mjs").directory(DRIVER.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().putAll(Map.of("BASE_URL", "http://127.0.0.1:" + app.arbiter().port(),
          "TOKEN", admin, "AUDITOR_TOKEN", app.tokens().of(TENANT, Role.AUDITOR, "console-auditor"),
          "SHOTS", SHOTS.toAbsolutePath().toString(), "CHROMIUM", CHROMIUM, "TASK_TYPE", TYPE,
          "DEAD_TASK", dead, "WAITING_TASK", waiting, "SPARE_AGENT", "spare"));
      builder.environment().putAll(Map.of("WORKER_AGENT", "worker", "BULK_TYPE", BULK_TYPE,
          "HOLDER_AGENT", "holder", "HELD_TASK", held, "TENANT", TENANT,
          "PLATFORM_TOKEN", app.tokens().of("platform-ops", Role.PLATFORM, "console-platform")));
      Process node = builder.start();
      node.getOutputStream().close();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        String submitted = CompletableFuture.supplyAsync(() -> lineStartingWith(out, "SUBMITTED "))
            .get(90, TimeUnit.SECONDS);
        CompletableFuture.supplyAsync(() -> lineStartingWith(out, "BULK_REQUEUED")).get(120, TimeUnit.SECONDS);
        for (String id : bulk) {
          assertThat(app.http().get("/api/v1/tasks/" + id + "/history", admin).text())
              .as("requeued at once: " + id).contains("\"from\":\"dead\",\"to\":\"queued\"");
        }
        String waiver = CompletableFuture.supplyAsync(() -> lineStartingWith(out, "WAIVER "))
            .get(180, TimeUnit.SECONDS);
        CompletableFuture.supplyAsync(() -> lineStartingWith(out, "LIMITS")).get(90, TimeUnit.SECONDS);
        JsonObject limits = app.http().get("/api/v1/tenant-limits", admin).json();
        assertThat(limits.getInteger("maxFiles")).as(limits.encode()).isEqualTo(50);
        assertThat(limits.getInteger("maxPayloadBytes")).as(limits.encode()).isEqualTo(100000);
        CompletableFuture.supplyAsync(() -> lineStartingWith(out, "DONE")).get(90, TimeUnit.SECONDS);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();

        assertThat(app.http().get("/api/v1/tasks/" + submitted, admin).json().getString("state"))
            .isEqualTo("succeeded");
        assertThat(app.http().get("/api/v1/tasks/" + dead + "/history", admin).text()).contains("\"from\":\"dead\"");
        assertThat(app.http().get("/api/v1/tasks/" + waiting, admin).json().getString("state")).isEqualTo("canceled");
        JsonObject revoked = app.http().get("/api/v1/waivers/" + waiver, admin).json();
        assertThat(revoked.getBoolean("active")).as(revoked.encode()).isFalse();
        assertThat(revoked.getString("revokedBy")).as(revoked.encode()).isEqualTo("console-admin");
        assertThat(app.http().get("/api/v1/agents/spare", admin).json().getString("status"))
            .isIn("draining", "offline");
        for (String view : List.of("sign-in", "overview", "overview-dark", "tasks", "task", "task-waiting", "agents",
            "agent", "agent-learning", "audit", "audit-records", "limits")) {
          assertThat(Files.size(SHOTS.resolve(view + ".png"))).as("the screenshot of " + view).isPositive();
        }
      } finally {
        working.set(false);
        node.destroyForcibly();
        work.get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** A task whose only attempt failed: dead, with a routing decision and a history of four moves. */
  private static String deadTask(TestApp app, String admin) {
    AgentClient reviewer = new AgentClient(app, TENANT, "reviewer");
    assertThat(reviewer.register("review", 1).status()).isEqualTo(201);
    String id = app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", "review").put("maxAttempts", 1))
        .json().getString("id");
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(Duration.ofSeconds(10), "the reviewer gets the task",
        () -> delivered.addAll(reviewer.claim(1, 1)));
    assertThat(reviewer.ack(id, 1).status()).isEqualTo(200);
    assertThat(reviewer.result(id, new JsonObject().put("attempt", 1).put("outcome", "failed")
        .put("error", "the linter crashed")).status()).isEqualTo(200);
    TestApp.eventually(Duration.ofSeconds(10), "the task is dead",
        () -> "dead".equals(app.http().get("/api/v1/tasks/" + id, admin).json().getString("state")));
    return id;
  }

  /**
   * Three tasks of {@link #BULK_TYPE} whose only attempt failed: dead, for the requeue of them all. Their agent is
   * drained afterwards, so that once requeued they wait in the queue.
   */
  private static List<String> deadTasksToRequeueAtOnce(TestApp app, String admin) {
    AgentClient linter = new AgentClient(app, TENANT, "linter");
    assertThat(linter.register(BULK_TYPE, 3).status()).isEqualTo(201);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", BULK_TYPE).put("maxAttempts", 1))
          .json().getString("id"));
    }
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(Duration.ofSeconds(10), "the linter gets its three tasks",
        () -> delivered.addAll(linter.claim(1, 3)) && delivered.size() == 3);
    for (String id : ids) {
      assertThat(linter.result(id, new JsonObject().put("attempt", 1).put("outcome", "failed")
          .put("error", "lint rules missing")).status()).isEqualTo(200);
    }
    TestApp.eventually(Duration.ofSeconds(10), "the three are dead", () -> ids.stream().allMatch(
        id -> "dead".equals(app.http().get("/api/v1/tasks/" + id, admin).json().getString("state"))));
    assertThat(app.http().delete("/api/v1/agents/linter", admin).status()).isLessThan(300);
    return ids;
  }

  /** A task the holder agent has acknowledged and works on (its lease, on the agent's page). */
  private static String heldTask(TestApp app, String admin) {
    AgentClient holder = new AgentClient(app, TENANT, "holder");
    assertThat(holder.register("held", 1).status()).isEqualTo(201);
    String id = app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", "held").put("maxAttempts", 10))
        .json().getString("id");
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(Duration.ofSeconds(10), "the holder gets its task",
        () -> delivered.addAll(holder.claim(1, 1)));
    assertThat(holder.ack(id, 1).status()).isEqualTo(200);
    return id;
  }

  /**
   * The child of a two-step workflow whose parent the worker has run: queued, with a parent and a graph, waiting for
   * an agent that takes its type ({@code summary}, which none does).
   */
  private static String waitingChild(TestApp app, String admin) {
    JsonObject workflow = new JsonObject()
        .put("nodes", new JsonArray().add(new JsonObject().put("key", "draft").put("type", TYPE))
            .add(new JsonObject().put("key", "summary").put("type", "summary")))
        .put("edges", new JsonArray().add(new JsonObject().put("from", "draft").put("to", "summary")));
    String id = app.http().post("/api/v1/workflows", admin, workflow).json().getJsonObject("tasks")
        .getString("summary");
    TestApp.eventually(Duration.ofSeconds(20), "the summary is queued once its draft succeeded",
        () -> "queued".equals(app.http().get("/api/v1/tasks/" + id, admin).json().getString("state")));
    return id;
  }

  /** The worker agent: runs every task it is given to success until told to stop. */
  private static void runEverything(AgentClient worker, AtomicBoolean working) {
    while (working.get()) {
      for (JsonObject delivery : worker.claim(1, 4)) {
        String taskId = delivery.getString("taskId");
        int attempt = delivery.getInteger("attempt");
        worker.ack(taskId, attempt);
        worker.result(taskId, new JsonObject().put("attempt", attempt).put("outcome", "succeeded")
            .put("quality", 0.9).put("result", new JsonObject().put("summary", "done")));
      }
    }
  }

  private static String lineStartingWith(BufferedReader out, String prefix) {
    try {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
      throw new AssertionError("the browser driver ended without printing " + prefix.trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
