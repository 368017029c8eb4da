package io.arbiter.schedule;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Schedules against a real PostgreSQL. Cron expressions are UNIX (one-minute cadence), so a test makes an occurrence
 * due by writing {@code next_run_at} into the past, as an outage would leave it.
 */
@ArbiterApp("schedules.pollIntervalMs=100")
@DisplayName("Schedules: recurring tasks, against a real PostgreSQL")
class SchedulesTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TENANT = "sched";

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;
  private static String admin;

  @BeforeAll
  static void adminToken() {
    admin = app.tokens().admin(TENANT);
  }

  private static JsonObject template(String type) {
    return new JsonObject().put("type", type).put("priority", 7).put("payload", new JsonObject().put("report", "daily"))
        .put("timeoutMs", 60_000).put("maxAttempts", 2);
  }

  private static JsonObject schedule(String name, String type) {
    return new JsonObject().put("name", name).put("cron", "* * * * *").put("timeZone", "Europe/Paris")
        .put("template", template(type));
  }

  private static JsonObject create(JsonObject body) {
    Http.Reply created = http.post("/api/v1/schedules", admin, body);
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    return created.json();
  }

  /** Makes the schedule's occurrence {@code minutesAgo} minutes before the current minute due now. */
  private static void forceDue(String id, int minutesAgo) {
    app.sql("UPDATE schedules SET next_run_at = date_trunc('minute', now()) - make_interval(mins => $2) WHERE id = $1",
        java.util.UUID.fromString(id), minutesAgo);
  }

  private static List<JsonObject> runs(String id) {
    Http.Reply reply = http.get("/api/v1/schedules/" + id + "/runs?limit=500", admin);
    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    List<JsonObject> runs = new ArrayList<>();
    reply.json().getJsonArray("items").forEach(item -> runs.add((JsonObject) item));
    return runs;
  }

  @Test
  @DisplayName("create answers 201 with Location; get, list, change and delete work within the tenant only")
  void crud() {
    Http.Reply created = http.post("/api/v1/schedules", admin, schedule("crud", "crud-type").put("overlap", "queue"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    JsonObject s = created.json();
    String id = s.getString("id");
    assertThat(created.header("Location")).isEqualTo("/api/v1/schedules/" + id);
    assertThat(s.getString("cron")).isEqualTo("* * * * *");
    assertThat(s.getString("timeZone")).isEqualTo("Europe/Paris");
    assertThat(s.getString("overlap")).isEqualTo("queue");
    assertThat(s.getString("catchUp")).isEqualTo("latest");
    assertThat(s.getBoolean("paused")).isFalse();
    assertThat(s.getString("nextRunAt")).isNotNull();
    assertThat(s.getJsonObject("template").getString("type")).isEqualTo("crud-type");

    assertThat(http.get("/api/v1/schedules/" + id, admin).json().getString("name")).isEqualTo("crud");
    assertThat(http.get("/api/v1/schedules?limit=100", admin).json().getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("id"))).contains(id);
    assertProblem(http.get("/api/v1/schedules/" + id, app.tokens().admin("other-tenant")), Failure.NOT_FOUND);
    assertThat(http.get("/api/v1/schedules", app.tokens().admin("other-tenant")).json().getJsonArray("items"))
        .isEmpty();

    Http.Reply changed = http.patch("/api/v1/schedules/" + id, admin,
        new JsonObject().put("cron", "30 6 * * MON").put("timeZone", "UTC").put("catchUp", "all"));
    assertThat(changed.status()).as("%s", changed).isEqualTo(200);
    assertThat(changed.json().getString("cron")).isEqualTo("30 6 * * MON");
    assertThat(changed.json().getString("catchUp")).isEqualTo("all");
    assertThat(changed.json().getString("nextRunAt")).matches(".*T06:30:00Z");

    assertProblem(http.post("/api/v1/schedules", admin, schedule("crud", "x")), Failure.CONFLICT);
    assertThat(app.sql("SELECT action FROM audit_log WHERE target = $1 ORDER BY id", "schedule:" + id).size())
        .isEqualTo(2);

    assertThat(http.delete("/api/v1/schedules/" + id, admin).status()).isEqualTo(204);
    assertProblem(http.get("/api/v1/schedules/" + id, admin), Failure.NOT_FOUND);
    assertProblem(http.delete("/api/v1/schedules/" + id, admin), Failure.NOT_FOUND);
  }

  @Test
  @DisplayName("a bad expression, zone or template answers 400 naming the field; roles are those of submission")
  void validation() {
    assertThat(assertProblem(http.post("/api/v1/schedules", admin, schedule("v1", "t").put("cron", "61 * * * *")),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("cron");
    assertThat(assertProblem(http.post("/api/v1/schedules", admin, schedule("v2", "t").put("cron", "0 0 0 * * *")),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("cron");
    assertThat(assertProblem(http.post("/api/v1/schedules", admin, schedule("v3", "t").put("cron", "*".repeat(121))),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("cron");
    assertThat(assertProblem(http.post("/api/v1/schedules", admin, schedule("v4", "t").put("timeZone", "Mars/Base")),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("timeZone");
    assertThat(assertProblem(http.post("/api/v1/schedules", admin,
        schedule("v5", "t").put("template", template("t").put("timeoutMs", 1))), Failure.BAD_REQUEST)
        .getString("field")).isEqualTo("template.timeoutMs");
    assertThat(assertProblem(http.post("/api/v1/schedules", admin,
        schedule("v6", "t").put("template", template("t").put("colour", "red"))), Failure.BAD_REQUEST)
        .getString("field")).isEqualTo("template.colour");
    assertThat(assertProblem(http.post("/api/v1/schedules", admin, schedule("v7", "t").put("overlap", "maybe")),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("overlap");
    String id = create(schedule("v8", "t")).getString("id");
    assertThat(assertProblem(http.patch("/api/v1/schedules/" + id, admin, new JsonObject().put("timeZone", "PST")),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("timeZone");

    assertThat(http.post("/api/v1/schedules", app.tokens().of(TENANT, Role.SUBMITTER, "alice"), schedule("v9", "t"))
        .status()).isEqualTo(201);
    assertProblem(http.post("/api/v1/schedules", app.tokens().of(TENANT, Role.AUDITOR, "audrey"),
        schedule("v10", "t")), Failure.FORBIDDEN);
    assertProblem(http.post("/api/v1/schedules", app.tokens().agent(TENANT, "a1"), schedule("v11", "t")),
        Failure.FORBIDDEN);
    assertThat(http.get("/api/v1/schedules/" + id, app.tokens().of(TENANT, Role.AUDITOR, "audrey")).status())
        .isEqualTo(200);
  }

  @Test
  @DisplayName("a due occurrence fires an ordinary task that an agent receives, linked to the schedule by its run")
  void firesATaskAnAgentReceives() {
    AgentClient agent = new AgentClient(app, TENANT, "nightly-agent");
    assertThat(agent.register("nightly-report", 2).status()).isEqualTo(201);
    String id = create(schedule("nightly", "nightly-report")).getString("id");
    forceDue(id, 0);

    List<JsonObject> deliveries = new ArrayList<>();
    TestApp.eventually(WAIT, "the agent receives the scheduled task", () -> {
      deliveries.addAll(agent.claim(1, 1));
      return !deliveries.isEmpty();
    });
    JsonObject delivery = deliveries.get(0);
    assertThat(delivery.getString("type")).isEqualTo("nightly-report");
    assertThat(delivery.getJsonObject("payload")).isEqualTo(new JsonObject().put("report", "daily"));
    assertThat(delivery.getInteger("priority")).isEqualTo(7);

    List<JsonObject> runs = runs(id);
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).getString("scheduleId")).isEqualTo(id);
    assertThat(runs.get(0).getString("outcome")).isEqualTo("submitted");
    assertThat(runs.get(0).getString("taskId")).isEqualTo(delivery.getString("taskId"));
    assertThat(runs.get(0).getString("state")).isEqualTo("assigned");
    JsonObject after = http.get("/api/v1/schedules/" + id, admin).json();
    assertThat(after.getString("lastRunTaskId")).isEqualTo(delivery.getString("taskId"));
    assertThat(java.time.Instant.parse(after.getString("nextRunAt"))).isAfter(java.time.Instant.now());
    assertThat(http.get("/metrics", null).text()).contains("arbiter_schedules_runs_total{outcome=\"submitted\"}");
  }

  @Test
  @DisplayName("after an outage, catch-up latest fires the latest missed occurrence once, none fires nothing")
  void catchUpAfterAnOutage() {
    JsonObject yearly = new JsonObject().put("cron", "0 0 1 1 *").put("timeZone", "UTC");
    String latest = create(schedule("outage-latest", "outage-type").mergeIn(yearly)).getString("id");
    String none = create(schedule("outage-none", "outage-type").mergeIn(yearly).put("catchUp", "none"))
        .getString("id");
    java.util.UUID[] both = {java.util.UUID.fromString(latest), java.util.UUID.fromString(none)};
    app.sql("UPDATE schedules SET next_run_at = date_trunc('year', now()) - interval '3 years' WHERE id = ANY($1)",
        (Object) both);

    TestApp.eventually(WAIT, "both schedules moved past now", () -> app.sql(
        "SELECT 1 FROM schedules WHERE id = ANY($1) AND next_run_at <= now()", (Object) both).size() == 0);
    List<JsonObject> fired = runs(latest);
    assertThat(fired).hasSize(1);
    assertThat(fired.get(0).getString("occurrenceAt"))
        .isEqualTo(java.time.Year.now(java.time.ZoneOffset.UTC) + "-01-01T00:00:00Z");
    assertThat(runs(none)).isEmpty();
    assertThat(http.get("/api/v1/schedules/" + none, admin).json().getString("nextRunAt"))
        .isEqualTo(java.time.Year.now(java.time.ZoneOffset.UTC).plusYears(1) + "-01-01T00:00:00Z");
  }

  @Test
  @DisplayName("a paused schedule does not fire; resumed, it fires again")
  void pauseAndResume() {
    String paused = create(schedule("paused", "pause-type")).getString("id");
    String active = create(schedule("active", "pause-type")).getString("id");
    Http.Reply pausing = http.patch("/api/v1/schedules/" + paused, admin, new JsonObject().put("paused", true));
    assertThat(pausing.json().getBoolean("paused")).isTrue();
    app.sql("UPDATE schedules SET next_run_at = date_trunc('minute', now()) WHERE id = ANY($1)",
        (Object) new java.util.UUID[] {java.util.UUID.fromString(paused), java.util.UUID.fromString(active)});

    TestApp.eventually(WAIT, "the active schedule fires", () -> runs(active).size() == 1);
    assertThat(runs(paused)).isEmpty();

    Http.Reply resumed = http.patch("/api/v1/schedules/" + paused, admin, new JsonObject().put("paused", false));
    assertThat(resumed.json().getBoolean("paused")).isFalse();
    assertThat(java.time.Instant.parse(resumed.json().getString("nextRunAt"))).isAfter(java.time.Instant.now());
    forceDue(paused, 0);
    TestApp.eventually(WAIT, "the resumed schedule fires", () -> runs(paused).size() == 1);
  }

  @Test
  @DisplayName("overlap skip does not fire while the previous run is unfinished, and fires once it has finished")
  void overlapSkip() {
    String id = create(schedule("skipping", "skip-type").put("catchUp", "all").put("overlap", "skip"))
        .getString("id");
    forceDue(id, 2);
    TestApp.eventually(WAIT, "the three occurrences are handled", () -> runs(id).size() >= 3);
    List<JsonObject> runs = runs(id);
    JsonObject first = runs.get(runs.size() - 1);
    assertThat(first.getString("outcome")).isEqualTo("submitted");
    assertThat(runs.subList(0, runs.size() - 1)).allSatisfy(run -> {
      assertThat(run.getString("outcome")).isEqualTo("skipped");
      assertThat(run.getString("taskId")).isNull();
      assertThat(run.getString("detail")).contains(first.getString("taskId"));
    });

    assertThat(http.post("/api/v1/tasks/" + first.getString("taskId") + "/cancel", admin, null).status())
        .isEqualTo(200);
    forceDue(id, 10);
    TestApp.eventually(WAIT, "the next occurrence fires", () -> runs(id).stream()
        .anyMatch(run -> run.getString("outcome").equals("submitted")
            && !run.getString("taskId").equals(first.getString("taskId"))));
  }

  @Test
  @DisplayName("overlap cancel cancels the unfinished previous run, then fires")
  void overlapCancel() {
    String id = create(schedule("canceling", "cancel-type").put("catchUp", "all").put("overlap", "cancel"))
        .getString("id");
    forceDue(id, 1);
    TestApp.eventually(WAIT, "both occurrences fire", () -> runs(id).size() >= 2);
    List<JsonObject> runs = runs(id);
    assertThat(runs).allSatisfy(run -> assertThat(run.getString("outcome")).isEqualTo("submitted"));
    assertThat(runs.get(runs.size() - 1).getString("state")).isEqualTo("canceled");
    assertThat(runs.get(0).getString("state")).isEqualTo("queued");
  }

  @Test
  @DisplayName("an occurrence whose task the tenant's limits now refuse is recorded as refused; the schedule goes on")
  void refusedRunIsRecordedAndTheScheduleMovesOn() {
    String tenant = "sched-limited";
    String token = app.tokens().admin(tenant);
    Http.Reply created = http.post("/api/v1/schedules", token, schedule("limited", "report"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String id = created.json().getString("id");
    assertThat(http.send(io.vertx.core.http.HttpMethod.PUT, "/api/v1/tenant-limits", token, "application/json",
        new JsonObject().put("taskTypes", new JsonArray().add("other")).toBuffer()).status()).isEqualTo(200);
    forceDue(id, 0);

    TestApp.eventually(WAIT, "the occurrence is handled", () -> app.sql(
        "SELECT 1 FROM schedule_runs WHERE schedule_id = $1", java.util.UUID.fromString(id)).size() == 1);
    JsonObject run = http.get("/api/v1/schedules/" + id + "/runs", token).json().getJsonArray("items")
        .getJsonObject(0);
    assertThat(run.getString("outcome")).isEqualTo("refused");
    assertThat(run.getString("taskId")).isNull();
    assertThat(run.getString("detail")).contains("limit.task-types");
    assertThat(java.time.Instant.parse(http.get("/api/v1/schedules/" + id, token).json().getString("nextRunAt")))
        .isAfter(java.time.Instant.now());
  }

  @Test
  @DisplayName("two Arbiter nodes on one database fire each occurrence exactly once")
  void twoNodesFireEachOccurrenceOnce() {
    String id;
    try (TestApp b = TestApp.start(Map.of("db.url", app.dbUrl(), "schedules.pollIntervalMs", 100))) {
      id = create(schedule("twice", "race-type").put("catchUp", "all").put("overlap", "queue")).getString("id");
      forceDue(id, 30);
      TestApp.eventually(WAIT, "every missed occurrence is handled", () -> app.sql(
          "SELECT 1 FROM schedules WHERE id = $1 AND next_run_at <= now()", java.util.UUID.fromString(id)).size() == 0);
    }
    String prefix = "schedule:" + id + ":%";
    List<String> keys = new ArrayList<>();
    for (Row row : app.sql("SELECT idempotency_key, count(*) AS n FROM tasks WHERE tenant_id = $1 "
        + "AND idempotency_key LIKE $2 GROUP BY idempotency_key", TENANT, prefix)) {
      assertThat(row.getLong("n")).as(row.getString("idempotency_key")).isEqualTo(1);
      keys.add(row.getString("idempotency_key"));
    }
    assertThat(keys).hasSizeGreaterThanOrEqualTo(31);
    Row counts = app.sql("SELECT count(*) AS runs, count(DISTINCT task_id) AS tasks, "
        + "count(*) FILTER (WHERE outcome = 'submitted') AS submitted FROM schedule_runs WHERE schedule_id = $1",
        java.util.UUID.fromString(id)).iterator().next();
    assertThat(counts.getLong("runs")).isEqualTo(keys.size());
    assertThat(counts.getLong("tasks")).isEqualTo(keys.size());
    assertThat(counts.getLong("submitted")).isEqualTo(keys.size());
    JsonArray occurrences = new JsonArray();
    runs(id).forEach(run -> occurrences.add(run.getString("occurrenceAt")));
    assertThat(occurrences.stream().distinct().count()).isEqualTo(keys.size());
  }
}
