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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp
@DisplayName("Tenant limits, against a real PostgreSQL")
class TenantLimitsTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  private static Http.Reply putLimits(String token, JsonObject limits) {
    return http.send(HttpMethod.PUT, "/api/v1/tenant-limits", token, "application/json", limits.toBuffer());
  }

  private static JsonObject limits() {
    return new JsonObject().put("maxFiles", 20).put("maxLoc", 400).put("maxPayloadBytes", 200)
        .put("taskTypes", new JsonArray().add("code-editing").add("testing")).put("defaultQueueTimeoutMs", 60_000L);
  }

  private static JsonObject task(String type) {
    return new JsonObject().put("type", type).put("payload", new JsonObject().put("n", 1));
  }

  @Test
  @DisplayName("only an admin sets limits; operators and auditors read them; other tenants keep theirs")
  void onlyAdminSetsLimits() {
    String tenant = "limits-access";
    assertProblem(putLimits(app.tokens().of(tenant, Role.OPERATOR, "op"), limits()), Failure.FORBIDDEN);
    assertProblem(putLimits(app.tokens().of(tenant, Role.SUBMITTER, "client"), limits()), Failure.FORBIDDEN);
    assertProblem(http.get("/api/v1/tenant-limits", app.tokens().of(tenant, Role.SUBMITTER, "client")),
        Failure.FORBIDDEN);

    Http.Reply put = putLimits(app.tokens().admin(tenant), limits());
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    assertThat(put.json()).isEqualTo(limits());
    for (Role reader : new Role[] {Role.OPERATOR, Role.AUDITOR, Role.ADMIN}) {
      Http.Reply got = http.get("/api/v1/tenant-limits", app.tokens().of(tenant, reader, "reader"));
      assertThat(got.status()).as(reader + ": " + got).isEqualTo(200);
      assertThat(got.json()).isEqualTo(limits());
    }
    JsonObject none = http.get("/api/v1/tenant-limits", app.tokens().admin("limits-other")).json();
    assertThat(none).isEqualTo(new JsonObject().putNull("maxFiles").putNull("maxLoc").putNull("maxPayloadBytes")
        .put("taskTypes", new JsonArray()).putNull("defaultQueueTimeoutMs"));
  }

  @Test
  @DisplayName("a submission that breaks a limit answers 422 naming the rule and the field")
  void eachLimitRefusesWithItsName() {
    String tenant = "limits-rules";
    assertThat(putLimits(app.tokens().admin(tenant), limits()).status()).isEqualTo(200);
    String submitter = app.tokens().of(tenant, Role.SUBMITTER, "client");

    assertRefused(http.post("/api/v1/tasks", submitter, task("research")), "limit.task-types", "type");
    assertRefused(http.post("/api/v1/tasks", submitter, task("testing")
        .put("budget", new JsonObject().put("maxFiles", 21))), "limit.max-files", "budget.maxFiles");
    assertRefused(http.post("/api/v1/tasks", submitter, task("testing")
        .put("budget", new JsonObject().put("maxLoc", 401))), "limit.max-loc", "budget.maxLoc");
    assertRefused(http.post("/api/v1/tasks", submitter, task("testing")
        .put("payload", new JsonObject().put("text", "x".repeat(300)))), "limit.max-payload-bytes", "payload");

    Http.Reply within = http.post("/api/v1/tasks", submitter, task("testing")
        .put("budget", new JsonObject().put("maxFiles", 20).put("maxLoc", 400)));
    assertThat(within.status()).as(within.toString()).isEqualTo(202);
    assertThat(app.sql("SELECT count(*) FROM tasks WHERE tenant_id = $1", tenant).iterator().next().getLong(0))
        .as("only the task within the limits was stored").isEqualTo(1);
  }

  @Test
  @DisplayName("a batch with one item over a limit is refused whole, naming the item and the rule")
  void batchWithOneBadItemIsRefusedWhole() {
    String tenant = "limits-batch";
    assertThat(putLimits(app.tokens().admin(tenant), limits()).status()).isEqualTo(200);
    JsonArray tasks = new JsonArray().add(task("testing")).add(task("testing")
        .put("budget", new JsonObject().put("maxFiles", 99))).add(task("code-editing"));
    JsonObject problem = assertProblem(http.post("/api/v1/task-batches", app.tokens().admin(tenant),
        new JsonObject().put("tasks", tasks)), Failure.UNPROCESSABLE);
    assertThat(problem.getString("rule")).isEqualTo("limit.max-files");
    assertThat(problem.getString("field")).isEqualTo("tasks[1].budget.maxFiles");
    assertThat(problem.getString("detail")).startsWith("tasks[1]: limit.max-files: ");
    assertThat(app.sql("SELECT count(*) FROM tasks WHERE tenant_id = $1", tenant).iterator().next().getLong(0))
        .isZero();
  }

  @Test
  @DisplayName("a task that sets no budget gets the tenant's file and line limits as its budget")
  void taskWithoutBudgetGetsTheLimits() {
    String tenant = "limits-default";
    assertThat(putLimits(app.tokens().admin(tenant), limits()).status()).isEqualTo(200);
    Http.Reply submitted = http.post("/api/v1/tasks", app.tokens().admin(tenant), task("code-editing")
        .put("budget", new JsonObject().put("maxLoc", 10)));
    assertThat(submitted.status()).isEqualTo(202);
    assertThat(submitted.json().getJsonObject("budget"))
        .isEqualTo(new JsonObject().put("maxLoc", 10).put("maxFiles", 20));
    String id = submitted.json().getString("id");
    assertThat(http.get("/api/v1/tasks/" + id, app.tokens().admin(tenant)).json().getJsonObject("budget"))
        .isEqualTo(new JsonObject().put("maxLoc", 10).put("maxFiles", 20));
  }

  @Test
  @DisplayName("changed limits apply to the next submission at once, and the change is audited with before and after")
  void changesApplyAtOnceAndAreAudited() {
    String tenant = "limits-change";
    String admin = app.tokens().admin(tenant);
    assertThat(http.post("/api/v1/tasks", admin, task("research")).status()).isEqualTo(202);
    assertThat(putLimits(admin, limits()).status()).isEqualTo(200);
    assertRefused(http.post("/api/v1/tasks", admin, task("research")), "limit.task-types", "type");
    assertThat(putLimits(admin, new JsonObject()).status()).isEqualTo(200);
    assertThat(http.post("/api/v1/tasks", admin, task("research")).status()).isEqualTo(202);

    TestApp.eventually(Duration.ofSeconds(20), "both changes are in the audit log", () -> app.sql(
        "SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'policy.limits.changed'", tenant)
        .iterator().next().getLong(0) == 2);
    JsonObject first = (JsonObject) app.sql("SELECT details FROM audit_log WHERE tenant_id = $1 AND action = "
        + "'policy.limits.changed' ORDER BY id LIMIT 1", tenant).iterator().next().getValue(0);
    assertThat(first.getJsonObject("from").getValue("maxFiles")).isNull();
    assertThat(first.getJsonObject("to").getInteger("maxFiles")).isEqualTo(20);
  }

  private static void assertRefused(Http.Reply reply, String rule, String field) {
    JsonObject problem = assertProblem(reply, Failure.UNPROCESSABLE);
    assertThat(problem.getString("rule")).isEqualTo(rule);
    assertThat(problem.getString("field")).isEqualTo(field);
    assertThat(problem.getString("detail")).startsWith(rule + ": ");
  }
}
