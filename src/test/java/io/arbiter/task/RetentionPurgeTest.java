package io.arbiter.task;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp({"retention.intervalMs=1000", "retention.batchSize=2", "retention.defaultDays=30",
    "retention.tenantDays=keeper=60", "routing.pollIntervalMs=100", "tasks.claimPollMs=100"})
@DisplayName("Retention purges old finished tasks in batches; an operator purges one finished task")
class RetentionPurgeTest {

  @ArbiterApp.Inject private static TestApp app;

  private static String submit(String tenant, String type) {
    Http.Reply reply = app.http().post("/api/v1/tasks", app.tokens().of(tenant, Role.SUBMITTER, "client"),
        new JsonObject().put("type", type));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private static String canceled(String tenant) {
    String id = submit(tenant, "never-claimed");
    Http.Reply reply = app.http().post("/api/v1/tasks/" + id + "/cancel", app.tokens().of(tenant, Role.SUBMITTER,
        "client"), new JsonObject());
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return id;
  }

  private static String succeeded(String tenant) {
    AgentClient agent = new AgentClient(app, tenant, "worker-" + UUID.randomUUID().toString().substring(0, 8));
    assertThat(agent.register("retained", 1).status()).isEqualTo(201);
    String id = submit(tenant, "retained");
    TestApp.eventually(Duration.ofSeconds(10), "delivery", () -> !agent.claim(0, 1).isEmpty());
    assertThat(agent.ack(id, 1).status()).isEqualTo(200);
    assertThat(agent.result(id, 1, "succeeded").status()).isEqualTo(200);
    return id;
  }

  private static void finishedDaysAgo(int days, List<String> ids) {
    app.sql("UPDATE tasks SET finished_at = now() - make_interval(days => $1) WHERE id = ANY($2::uuid[])", days,
        ids.stream().map(UUID::fromString).toArray(UUID[]::new));
  }

  private static boolean exists(String id) {
    return app.sql("SELECT 1 FROM tasks WHERE id = $1", UUID.fromString(id)).size() > 0;
  }

  @Test
  @DisplayName("succeeded and canceled tasks past their tenant's retention go in batches with their results and "
      + "decisions; recent, dead, unfinished and longer-kept tenants' tasks stay")
  void purgesOldFinishedTasksInBatches() {
    List<String> old = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      old.add(canceled("ret"));
    }
    String done = succeeded("ret");
    old.add(done);
    assertThat(app.sql("SELECT count(*) FROM task_results WHERE task_id = $1", UUID.fromString(done)).iterator().next()
        .getLong(0)).isEqualTo(1);
    String recent = canceled("ret");
    String dead = canceled("ret");
    String queued = submit("ret", "never-claimed");
    String keptLonger = canceled("keeper");
    String pastLonger = canceled("keeper");
    // dead before it is dated back: a canceled task 40 days old is the purger's to take at its next pass
    app.sql("UPDATE tasks SET state = 'dead' WHERE id = $1", UUID.fromString(dead));
    finishedDaysAgo(31, old);
    finishedDaysAgo(40, List.of(dead, keptLonger));
    finishedDaysAgo(61, List.of(pastLonger));
    app.sql("UPDATE tasks SET created_at = now() - interval '90 days' WHERE id = $1", UUID.fromString(queued));

    TestApp.eventually(Duration.ofSeconds(20), "the old finished tasks are purged",
        () -> old.stream().noneMatch(RetentionPurgeTest::exists) && !exists(pastLonger));

    assertThat(List.of(recent, dead, queued, keptLonger)).allMatch(RetentionPurgeTest::exists);
    assertThat(app.sql("SELECT count(*) FROM task_results WHERE task_id = $1", UUID.fromString(done)).iterator()
        .next().getLong(0)).isZero();
    assertThat(app.sql("SELECT count(*) FROM routing_decisions WHERE task_id = $1", UUID.fromString(done))
        .iterator().next().getLong(0)).isZero();
    List<Long> batches = new ArrayList<>();
    for (Row row : app.sql("SELECT details FROM audit_log WHERE tenant_id = 'ret' AND action = 'tasks.purged' "
        + "ORDER BY id")) {
      batches.add(((JsonObject) row.getValue("details")).getLong("purged"));
    }
    assertThat(batches).as("purged per batch").allMatch(n -> n >= 1 && n <= 2);
    assertThat(batches.stream().mapToLong(Long::longValue).sum()).isEqualTo(old.size());
    assertThat(batches.size()).isGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName("DELETE /tasks/{id}: operators and admins purge a finished or dead task (204) with its result and "
      + "routing decision; other roles get 403, an unknown task 404, an unfinished one 409")
  void operatorPurgesOneFinishedTask() {
    String done = succeeded("purger");
    String dependents = "SELECT (SELECT count(*) FROM task_results WHERE task_id = $1)"
        + " + (SELECT count(*) FROM routing_decisions WHERE task_id = $1)";
    assertThat(app.sql(dependents, UUID.fromString(done)).iterator().next().getLong(0)).isEqualTo(2);
    String dead = canceled("purger");
    app.sql("UPDATE tasks SET state = 'dead' WHERE id = $1", UUID.fromString(dead));
    String canceled = canceled("purger");
    String queued = submit("purger", "never-claimed");
    String operator = app.tokens().of("purger", Role.OPERATOR, "ops");

    assertProblem(app.http().delete("/api/v1/tasks/" + dead, app.tokens().of("purger", Role.SUBMITTER, "client")),
        Failure.FORBIDDEN);
    assertProblem(app.http().delete("/api/v1/tasks/" + dead, app.tokens().of("other", Role.OPERATOR, "ops")),
        Failure.NOT_FOUND);
    assertProblem(app.http().delete("/api/v1/tasks/" + UUID.randomUUID(), operator), Failure.NOT_FOUND);
    JsonObject conflict = assertProblem(app.http().delete("/api/v1/tasks/" + queued, operator), Failure.CONFLICT);
    assertThat(conflict.getString("detail")).contains("queued");

    assertThat(app.http().delete("/api/v1/tasks/" + dead, operator).status()).isEqualTo(204);
    assertThat(app.http().delete("/api/v1/tasks/" + canceled, app.tokens().of("purger", Role.ADMIN, "root"))
        .status()).isEqualTo(204);
    assertThat(app.http().delete("/api/v1/tasks/" + done, operator).status()).isEqualTo(204);
    assertThat(exists(dead) || exists(canceled) || exists(done)).isFalse();
    assertThat(app.sql(dependents, UUID.fromString(done)).iterator().next().getLong(0))
        .as("the purged task's result and routing decision").isZero();
    assertProblem(app.http().get("/api/v1/tasks/" + dead, operator), Failure.NOT_FOUND);
    assertThat(exists(queued)).isTrue();
    assertThat(app.sql("SELECT actor_sub, details ->> 'state' AS state FROM audit_log WHERE action = 'task.purged' "
        + "AND target = $1", "task:" + dead).iterator().next().getString("state")).isEqualTo("dead");
  }

  @Test
  @DisplayName("two nodes purging one database side by side purge each task once")
  void twoNodesPurgeEachTaskOnce() {
    List<String> old = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      old.add(canceled("multi"));
    }
    try (TestApp second = TestApp.start(Map.of("db.url", app.dbUrl(), "retention.intervalMs", 1000,
        "retention.batchSize", 2))) {
      finishedDaysAgo(31, old);
      TestApp.eventually(Duration.ofSeconds(20), "the old tasks are purged",
          () -> old.stream().noneMatch(RetentionPurgeTest::exists));
      long counted = 0;
      for (Row row : second.sql("SELECT details FROM audit_log WHERE tenant_id = 'multi' AND action = 'tasks.purged'")) {
        counted += ((JsonObject) row.getValue("details")).getLong("purged");
      }
      assertThat(counted).as("tasks counted by the purge records of both nodes").isEqualTo(old.size());
    }
  }
}
