package io.arbiter.policy;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp
@DisplayName("A tenant's default queue time-out, against a real PostgreSQL")
class TenantQueueTimeoutTest {

  /** The setting's default: long enough that no task here reaches it. */
  private static final long CONFIGURED = 600_000;

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  @ArbiterApp.Settings
  static Map<String, Object> settings() {
    return Map.of("tasks.defaultQueueTimeoutMs", CONFIGURED, "schedules.pollIntervalMs", 100);
  }

  private static Http.Reply putLimits(String tenant, JsonObject limits) {
    return http.send(HttpMethod.PUT, "/api/v1/tenant-limits", app.tokens().admin(tenant), "application/json",
        limits.toBuffer());
  }

  /** A task of a type no agent takes, so that it stays queued. */
  private static JsonObject ghost() {
    return new JsonObject().put("type", "nobody-takes-this").put("payload", new JsonObject().put("n", 1));
  }

  private static String submit(String tenant, JsonObject task) {
    Http.Reply reply = http.post("/api/v1/tasks", app.tokens().admin(tenant), task);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private static JsonObject task(String tenant, String id) {
    return http.get("/api/v1/tasks/" + id, app.tokens().admin(tenant)).json();
  }

  private static List<String> states(String tenant, String id) {
    return http.get("/api/v1/tasks/" + id + "/history", app.tokens().admin(tenant)).json().getJsonArray("items")
        .stream().map(t -> ((JsonObject) t).getString("to")).toList();
  }

  @Test
  @DisplayName("a task without its own queueTimeoutMs gets its tenant's default and ends dead with queue timeout")
  void tenantDefaultEndsAQueuedTask() {
    String tenant = "qt-default";
    assertThat(putLimits(tenant, new JsonObject().put("defaultQueueTimeoutMs", 800)).status()).isEqualTo(200);
    String id = submit(tenant, ghost());
    assertThat(task(tenant, id).getLong("queueTimeoutMs")).isEqualTo(800);

    TestApp.eventually(Duration.ofSeconds(10), "the task times out in the queue",
        () -> "dead".equals(task(tenant, id).getString("state")));
    assertThat(task(tenant, id).getString("error")).isEqualTo("queue timeout");
    assertThat(states(tenant, id)).containsExactly("queued", "timed_out", "dead");
  }

  @Test
  @DisplayName("the task's own queueTimeoutMs wins over its tenant's default, and another tenant keeps the setting's")
  void ownValueFirstThenTenantThenSetting() {
    String tenant = "qt-order";
    assertThat(putLimits(tenant, new JsonObject().put("defaultQueueTimeoutMs", 800)).status()).isEqualTo(200);
    String own = submit(tenant, ghost().put("queueTimeoutMs", 300_000));
    String defaulted = submit(tenant, ghost());
    String elsewhere = submit("qt-no-default", ghost());

    assertThat(task(tenant, own).getLong("queueTimeoutMs")).isEqualTo(300_000);
    assertThat(task("qt-no-default", elsewhere).getLong("queueTimeoutMs")).isEqualTo(CONFIGURED);
    TestApp.eventually(Duration.ofSeconds(10), "the task on the tenant's default times out",
        () -> "dead".equals(task(tenant, defaulted).getString("state")));
    assertThat(task(tenant, own).getString("state")).isEqualTo("queued");
    assertThat(task("qt-no-default", elsewhere).getString("state")).isEqualTo("queued");
  }

  @Test
  @DisplayName("batches and workflow nodes get the tenant's default; a cleared default falls back to the setting's")
  void batchesAndWorkflowsTooAndClearing() {
    String tenant = "qt-paths";
    assertThat(putLimits(tenant, new JsonObject().put("defaultQueueTimeoutMs", 120_000)).status()).isEqualTo(200);
    String admin = app.tokens().admin(tenant);
    Http.Reply batch = http.post("/api/v1/task-batches", admin, new JsonObject()
        .put("tasks", new JsonArray().add(ghost()).add(ghost().put("queueTimeoutMs", 5_000))));
    assertThat(batch.status()).as(batch.toString()).isEqualTo(202);
    JsonArray accepted = batch.json().getJsonArray("tasks");
    assertThat(task(tenant, accepted.getJsonObject(0).getString("id")).getLong("queueTimeoutMs")).isEqualTo(120_000);
    assertThat(task(tenant, accepted.getJsonObject(1).getString("id")).getLong("queueTimeoutMs")).isEqualTo(5_000);

    Http.Reply workflow = http.post("/api/v1/workflows", admin, new JsonObject()
        .put("nodes", new JsonArray().add(ghost().put("key", "a")).add(ghost().put("key", "b")))
        .put("edges", new JsonArray().add(new JsonObject().put("from", "a").put("to", "b"))));
    assertThat(workflow.status()).as(workflow.toString()).isEqualTo(202);
    JsonObject ids = workflow.json().getJsonObject("tasks");
    assertThat(task(tenant, ids.getString("a")).getLong("queueTimeoutMs")).isEqualTo(120_000);
    assertThat(task(tenant, ids.getString("b")).getLong("queueTimeoutMs")).isEqualTo(120_000);

    assertThat(putLimits(tenant, new JsonObject()).status()).isEqualTo(200);
    assertThat(task(tenant, submit(tenant, ghost())).getLong("queueTimeoutMs")).isEqualTo(CONFIGURED);
  }

  @Test
  @DisplayName("a task a schedule fires gets the tenant's default too")
  void scheduledTasksGetTheDefault() {
    String tenant = "qt-schedule";
    assertThat(putLimits(tenant, new JsonObject().put("defaultQueueTimeoutMs", 90_000)).status()).isEqualTo(200);
    Http.Reply created = http.post("/api/v1/schedules", app.tokens().admin(tenant), new JsonObject()
        .put("name", "ghostly").put("cron", "* * * * *").put("timeZone", "UTC").put("template", ghost()));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    UUID schedule = UUID.fromString(created.json().getString("id"));
    app.sql("UPDATE schedules SET next_run_at = date_trunc('minute', now()) WHERE id = $1", schedule);

    TestApp.eventually(Duration.ofSeconds(10), "the schedule fires", () -> app.sql(
        "SELECT 1 FROM schedule_runs WHERE schedule_id = $1 AND task_id IS NOT NULL", schedule).size() == 1);
    UUID fired = app.sql("SELECT task_id FROM schedule_runs WHERE schedule_id = $1", schedule).iterator().next()
        .getUUID(0);
    assertThat(task(tenant, fired.toString()).getLong("queueTimeoutMs")).isEqualTo(90_000);
  }

  @Test
  @DisplayName("the limits round-trip defaultQueueTimeoutMs, and a value out of bounds answers 400 naming it")
  void limitsRoundTripAndValidateTheDefault() {
    String tenant = "qt-limits";
    JsonObject limits = new JsonObject().put("maxFiles", 5).put("defaultQueueTimeoutMs", 31_536_000_000L);
    Http.Reply put = putLimits(tenant, limits);
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    assertThat(put.json().getLong("defaultQueueTimeoutMs")).isEqualTo(31_536_000_000L);
    JsonObject got = http.get("/api/v1/tenant-limits", app.tokens().of(tenant, Role.AUDITOR, "reader")).json();
    assertThat(got.getLong("defaultQueueTimeoutMs")).isEqualTo(31_536_000_000L);
    assertThat(got.getInteger("maxFiles")).isEqualTo(5);

    for (long bad : new long[] {99, 0, -1, 31_536_000_001L}) {
      JsonObject problem = assertProblem(putLimits(tenant, new JsonObject().put("defaultQueueTimeoutMs", bad)),
          Failure.BAD_REQUEST);
      assertThat(problem.getString("field")).as("%d", bad).isEqualTo("defaultQueueTimeoutMs");
    }
    assertProblem(putLimits(tenant, new JsonObject().put("defaultQueueTimeoutMs", "soon")), Failure.BAD_REQUEST);
    assertThat(http.get("/api/v1/tenant-limits", app.tokens().admin(tenant)).json().getLong("defaultQueueTimeoutMs"))
        .as("a refused change leaves the limits as they were").isEqualTo(31_536_000_000L);

    TestApp.eventually(Duration.ofSeconds(20), "the change is audited with the default", () -> app.sql(
        "SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'policy.limits.changed'", tenant)
        .iterator().next().getLong(0) == 1);
    JsonObject audited = (JsonObject) app.sql("SELECT details FROM audit_log WHERE tenant_id = $1 AND action = "
        + "'policy.limits.changed'", tenant).iterator().next().getValue(0);
    assertThat(audited.getJsonObject("from").getValue("defaultQueueTimeoutMs")).isNull();
    assertThat(audited.getJsonObject("to").getLong("defaultQueueTimeoutMs")).isEqualTo(31_536_000_000L);
  }
}
