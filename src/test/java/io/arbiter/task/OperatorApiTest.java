package io.arbiter.task;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The console's operator reads and actions: time series, bulk requeue, list filters, agent activity")
class OperatorApiTest {

  private static TestApp app;

  @BeforeAll
  static void boot() {
    app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100));
  }

  @AfterAll
  static void shutdown() {
    app.close();
  }

  private static String tenant() {
    return "ops-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String submit(String token, JsonObject task) {
    Http.Reply reply = app.http().post("/api/v1/tasks", token, task);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  /** A task no agent takes, dead once its short queue time-out passes. */
  private static String dead(String token, String type) {
    String id = submit(token, new JsonObject().put("type", type).put("queueTimeoutMs", 100));
    TestApp.eventually(Duration.ofSeconds(15), "task " + id + " is dead",
        () -> "dead".equals(app.http().get("/api/v1/tasks/" + id, token).json().getString("state")));
    return id;
  }

  /** Runs one task of {@code type} through {@code agent} to {@code outcome}; the task's id. */
  private static String run(String token, AgentClient agent, String type, String outcome) {
    String id = submit(token, new JsonObject().put("type", type).put("maxAttempts", 1));
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(Duration.ofSeconds(10), "the agent gets " + id, () -> delivered.addAll(agent.claim(1, 1)));
    assertThat(agent.ack(id, 1).status()).isEqualTo(200);
    assertThat(agent.result(id, 1, outcome).status()).isEqualTo(200);
    return id;
  }

  private static String encoded(Instant at) {
    return URLEncoder.encode(at.toString(), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("the time series counts the tenant's tasks per step with latency percentiles, and bounds its window")
  void timeseriesCountsPerStep() {
    String tenant = tenant();
    String admin = app.tokens().of(tenant, Role.ADMIN, "ops");
    AgentClient agent = new AgentClient(app, tenant, "runner");
    assertThat(agent.register("series", 1).status()).isEqualTo(201);
    run(admin, agent, "series", "succeeded");
    run(admin, agent, "series", "succeeded");
    run(admin, agent, "series", "failed");
    dead(admin, "nobody-takes");

    JsonObject series = app.http().get("/api/v1/stats/timeseries?window=1h&step=1m", admin).json();
    assertThat(series.getInteger("stepSeconds")).isEqualTo(60);
    JsonArray points = series.getJsonArray("points");
    assertThat(points).hasSize(60);
    assertThat(Instant.parse(series.getString("to"))).isAfter(Instant.now().minusSeconds(1));
    assertThat(Duration.between(Instant.parse(series.getString("from")), Instant.parse(series.getString("to"))))
        .isEqualTo(Duration.ofHours(1));
    JsonObject summary = series.getJsonObject("summary");
    assertThat(summary.getLong("submitted")).as(summary.encode()).isEqualTo(4);
    assertThat(summary.getLong("succeeded")).as(summary.encode()).isEqualTo(2);
    assertThat(summary.getLong("failed")).as(summary.encode()).isEqualTo(1);
    assertThat(summary.getLong("dead")).as(summary.encode()).isEqualTo(2);
    JsonObject assign = summary.getJsonObject("assignLatencyMs");
    JsonObject endToEnd = summary.getJsonObject("endToEndLatencyMs");
    assertThat(assign.getLong("p50")).isNotNegative().isLessThanOrEqualTo(assign.getLong("p99"));
    assertThat(endToEnd.getLong("p95")).isGreaterThanOrEqualTo(endToEnd.getLong("p50"));
    long submittedInPoints = points.stream().mapToLong(p -> ((JsonObject) p).getLong("submitted")).sum();
    assertThat(submittedInPoints).isEqualTo(4);
    assertThat(points.getJsonObject(0).getValue("assignLatencyMs")).isNull();

    JsonObject stranger = app.http().get("/api/v1/stats/timeseries", app.tokens().of(tenant(), Role.AUDITOR, "x"))
        .json().getJsonObject("summary");
    assertThat(stranger.getLong("submitted")).as("another tenant sees none of them").isZero();

    assertThat(assertProblem(app.http().get("/api/v1/stats/timeseries?window=25h", admin), Failure.BAD_REQUEST)
        .getString("field")).isEqualTo("window");
    assertThat(assertProblem(app.http().get("/api/v1/stats/timeseries?step=5s", admin), Failure.BAD_REQUEST)
        .getString("field")).isEqualTo("step");
    assertThat(assertProblem(app.http().get("/api/v1/stats/timeseries?window=24h&step=30s", admin),
        Failure.BAD_REQUEST).getString("detail")).contains("2880 steps");
    assertProblem(app.http().get("/api/v1/stats/timeseries?window=1d", admin), Failure.BAD_REQUEST);
    assertProblem(app.http().get("/api/v1/stats/timeseries?window=10m&step=1h", admin), Failure.BAD_REQUEST);
  }

  @Test
  @DisplayName("requeues a type's dead tasks in bounded batches, auditing each, for operators of the tenant only")
  void requeuesDeadTasksOfAType() {
    String tenant = tenant();
    String operator = app.tokens().of(tenant, Role.OPERATOR, "night-shift");
    AgentClient agent = new AgentClient(app, tenant, "failing");
    assertThat(app.http().post("/api/v1/agents", operator, Agents.registration("failing", "flaky", "steady")).status()).isEqualTo(201);
    List<String> flaky = List.of(run(operator, agent, "flaky", "failed"), run(operator, agent, "flaky", "failed"),
        run(operator, agent, "flaky", "failed"));
    String other = run(operator, agent, "steady", "failed");

    assertProblem(app.http().post("/api/v1/task-requeues", app.tokens().of(tenant, Role.AUDITOR, "a"),
        new JsonObject().put("type", "flaky")), Failure.FORBIDDEN);
    assertThat(app.http().post("/api/v1/task-requeues", app.tokens().of(tenant(), Role.OPERATOR, "stranger"),
        new JsonObject().put("type", "flaky")).json().getInteger("requeued")).as("another tenant's").isZero();
    assertProblem(app.http().post("/api/v1/task-requeues", operator,
        new JsonObject().put("type", "flaky").put("limit", 1001)), Failure.BAD_REQUEST);
    assertProblem(app.http().post("/api/v1/task-requeues", operator,
        new JsonObject().put("type", "flaky").put("state", "failed")), Failure.BAD_REQUEST);

    JsonObject first = app.http().post("/api/v1/task-requeues", operator,
        new JsonObject().put("type", "flaky").put("state", "dead").put("limit", 2)).json();
    assertThat(first.getInteger("requeued")).as(first.encode()).isEqualTo(2);
    JsonObject second = app.http().post("/api/v1/task-requeues", operator, new JsonObject().put("type", "flaky"))
        .json();
    assertThat(second.getInteger("requeued")).as(second.encode()).isEqualTo(1);
    List<String> requeued = new ArrayList<>(first.getJsonArray("taskIds").getList());
    requeued.addAll(second.getJsonArray("taskIds").getList());
    assertThat(requeued).containsExactlyInAnyOrderElementsOf(flaky);
    assertThat(app.http().post("/api/v1/task-requeues", operator, new JsonObject().put("type", "flaky")).json()
        .getInteger("requeued")).isZero();

    for (String id : flaky) {
      List<Row> audited = new ArrayList<>();
      app.sql("SELECT actor_sub, details FROM audit_log WHERE tenant_id = $1 AND target = $2 "
          + "AND action = 'task.requeued'", tenant, "task:" + id).forEach(audited::add);
      assertThat(audited).as("one requeue record for " + id).hasSize(1);
      assertThat(audited.get(0).getString("actor_sub")).isEqualTo("night-shift");
      assertThat(app.http().get("/api/v1/tasks/" + id + "/history", operator).text()).contains("dead\",\"to\":\"queued");
    }
    assertThat(app.http().get("/api/v1/tasks/" + other, operator).json().getString("state")).isEqualTo("dead");
  }

  @Test
  @DisplayName("the task list filters by agent and creation time; only the platform role lists another tenant")
  void listFiltersByAgentTimeAndTenant() {
    String tenant = tenant();
    String admin = app.tokens().of(tenant, Role.ADMIN, "ops");
    AgentClient agent = new AgentClient(app, tenant, "lister");
    assertThat(agent.register("listed", 1).status()).isEqualTo(201);
    Instant before = Instant.now().minusSeconds(1);
    String ran = run(admin, agent, "listed", "succeeded");
    String waits = submit(admin, new JsonObject().put("type", "unlisted"));
    Instant after = Instant.now().plusSeconds(1);

    assertThat(ids(app.http().get("/api/v1/tasks?agent=lister", admin))).containsExactly(ran);
    assertThat(ids(app.http().get("/api/v1/tasks?from=" + encoded(before) + "&to=" + encoded(after), admin)))
        .containsExactlyInAnyOrder(ran, waits);
    assertThat(ids(app.http().get("/api/v1/tasks?from=" + encoded(after), admin))).isEmpty();
    assertThat(ids(app.http().get("/api/v1/tasks?to=" + encoded(before), admin))).isEmpty();
    assertThat(assertProblem(app.http().get("/api/v1/tasks?from=" + encoded(after) + "&to=" + encoded(before), admin),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("from");
    assertProblem(app.http().get("/api/v1/tasks?from=yesterday", admin), Failure.BAD_REQUEST);

    assertThat(ids(app.http().get("/api/v1/tasks?tenant=" + tenant, admin))).containsExactlyInAnyOrder(ran, waits);
    assertProblem(app.http().get("/api/v1/tasks?tenant=" + tenant, app.tokens().of(tenant(), Role.ADMIN, "x")),
        Failure.FORBIDDEN);
    String platform = app.tokens().of("platform-ops", Role.PLATFORM, "root");
    assertThat(ids(app.http().get("/api/v1/tasks?tenant=" + tenant + "&agent=lister", platform)))
        .containsExactly(ran);
    assertThat(ids(app.http().get("/api/v1/tasks", platform))).as("its own tenant holds none").isEmpty();
  }

  @Test
  @DisplayName("an agent's activity lists the tasks it holds and its latest results, within the caller's tenant")
  void agentActivityShowsLeasesAndResults() {
    String tenant = tenant();
    String operator = app.tokens().of(tenant, Role.OPERATOR, "ops");
    AgentClient agent = new AgentClient(app, tenant, "busy-bee");
    assertThat(agent.register("buzz", 2).status()).isEqualTo(201);
    String done = run(operator, agent, "buzz", "failed");
    String held = submit(operator, new JsonObject().put("type", "buzz"));
    TestApp.eventually(Duration.ofSeconds(10), "the agent gets " + held, () -> !agent.claim(1, 1).isEmpty());
    assertThat(agent.ack(held, 1).status()).isEqualTo(200);

    JsonObject activity = app.http().get("/api/v1/agents/busy-bee/activity?limit=5", operator).json();
    JsonArray leases = activity.getJsonArray("leases");
    assertThat(leases).hasSize(1);
    assertThat(leases.getJsonObject(0).getString("taskId")).isEqualTo(held);
    assertThat(leases.getJsonObject(0).getString("state")).isEqualTo("running");
    assertThat(leases.getJsonObject(0).getString("leaseExpiresAt")).isNotNull();
    JsonArray results = activity.getJsonArray("results");
    assertThat(results).hasSize(1);
    assertThat(results.getJsonObject(0).getString("taskId")).isEqualTo(done);
    assertThat(results.getJsonObject(0).getString("outcome")).isEqualTo("failed");
    assertThat(results.getJsonObject(0).getString("type")).isEqualTo("buzz");

    JsonObject stranger = app.http().get("/api/v1/agents/busy-bee/activity",
        app.tokens().of(tenant(), Role.OPERATOR, "x")).json();
    assertThat(stranger.getJsonArray("leases")).isEmpty();
    assertThat(stranger.getJsonArray("results")).isEmpty();
    assertProblem(app.http().get("/api/v1/agents/busy-bee/activity?limit=201", operator), Failure.BAD_REQUEST);
    assertProblem(app.http().get("/api/v1/agents/busy-bee/activity", app.tokens().of(tenant, Role.SUBMITTER, "s")),
        Failure.FORBIDDEN);
  }

  private static List<String> ids(Http.Reply reply) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    reply.json().getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("id")));
    return ids;
  }
}
