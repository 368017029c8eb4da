package io.arbiter.policy;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp({"tasks.backoffBaseMs=10", "tasks.backoffCapMs=50"})
@DisplayName("Result gates and waivers, against a real PostgreSQL")
class PolicyGatesTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  /** A result that keeps every gate of {@link #gated}. */
  private static JsonObject clean() {
    return new JsonObject().put("outcome", "succeeded").put("filesChanged", 2).put("linesChanged", 40)
        .put("testsPassed", true).put("coverage", 0.9).put("quality", 0.9);
  }

  /** A task that sets every budget limit and gate. */
  private static JsonObject gated(String type) {
    return new JsonObject().put("type", type).put("maxAttempts", 1)
        .put("budget", new JsonObject().put("maxFiles", 5).put("maxLoc", 100))
        .put("gates", new JsonObject().put("testsPassed", true).put("minCoverage", 0.8).put("minQuality", 0.7));
  }

  @Test
  @DisplayName("each rule, broken alone, fails the attempt with its name, and the verdict is audited as a failure")
  void eachRuleFailsTheAttemptWithItsName() {
    String tenant = "gates-each";
    AgentClient agent = agent(tenant, "coder", "code-editing");
    Map<String, JsonObject> breaking = Map.of(
        "budget.max-files", clean().put("filesChanged", 6),
        "budget.max-loc", clean().put("linesChanged", 101),
        "gate.tests-passed", clean().put("testsPassed", false),
        "gate.min-coverage", clean().put("coverage", 0.5),
        "gate.min-quality", clean().put("quality", 0.6));
    assertThat(breaking.keySet()).containsExactlyInAnyOrderElementsOf(ResultGates.NAMES);
    breaking.forEach((rule, result) -> {
      String taskId = submit(tenant, gated("code-editing"));
      JsonObject answer = run(agent, taskId, result);
      assertThat(answer.getString("outcome")).as(rule).isEqualTo("failed");
      assertThat(answer.getString("state")).as(rule).isEqualTo("dead");
      JsonObject policy = answer.getJsonObject("policy");
      assertThat(policy.getString("verdict")).isEqualTo("fail");
      assertThat(policy.getJsonArray("violations")).hasSize(1);
      assertThat(policy.getJsonArray("violations").getJsonObject(0).getString("rule")).isEqualTo(rule);

      JsonObject task = http.get("/api/v1/tasks/" + taskId, app.tokens().admin(tenant)).json();
      assertThat(task.getString("error")).as(rule).startsWith("policy: " + rule + " (");
      assertThat(app.sql("SELECT outcome FROM task_results WHERE task_id = $1", UUID.fromString(taskId)).iterator()
          .next().getString(0)).isEqualTo("failed");
      Row verdict = verdictRecord(tenant, taskId);
      assertThat(verdict.getString("outcome")).isEqualTo("failure");
      JsonObject details = (JsonObject) verdict.getValue("details");
      assertThat(details.getString("verdict")).isEqualTo("fail");
      assertThat(details.getJsonArray("violations").getJsonObject(0).getString("rule")).isEqualTo(rule);
      assertThat(details.getString("agentId")).isEqualTo("coder");
      assertThat(details.getInteger("attempt")).isEqualTo(1);
    });
  }

  @Test
  @DisplayName("a result that keeps every gate succeeds, and its pass verdict, in the record of the success it "
      + "decided, names the rules checked")
  void keepingEveryGatePasses() {
    String tenant = "gates-pass";
    AgentClient agent = agent(tenant, "coder", "code-editing");
    String taskId = submit(tenant, gated("code-editing"));
    JsonObject answer = run(agent, taskId, clean());
    assertThat(answer.getString("outcome")).isEqualTo("succeeded");
    assertThat(answer.getString("state")).isEqualTo("succeeded");
    assertThat(answer.getJsonObject("policy").getString("verdict")).isEqualTo("pass");
    JsonObject verdict = transitionVerdict(tenant, taskId, "task.succeeded");
    assertThat(verdict.getString("verdict")).isEqualTo("pass");
    assertThat(verdict.getJsonArray("checked").getList()).containsExactlyElementsOf(ResultGates.NAMES);
    assertThat(app.sql("SELECT count(*) FROM audit_log WHERE action = 'policy.verdict' AND target = $1",
        "task:" + taskId).iterator().next().getLong(0)).as("a pass is no event of its own").isZero();
  }

  @Test
  @DisplayName("a task without budget or gates is not judged: no verdict, and its result stands")
  void taskWithoutPolicyIsNotJudged() {
    String tenant = "gates-none";
    AgentClient agent = agent(tenant, "coder", "code-editing");
    String taskId = submit(tenant, new JsonObject().put("type", "code-editing"));
    JsonObject answer = run(agent, taskId, new JsonObject().put("outcome", "succeeded").put("testsPassed", false));
    assertThat(answer.getString("state")).isEqualTo("succeeded");
    assertThat(answer.containsKey("policy")).isFalse();
    awaitAudited(tenant, "task:" + taskId, "task.succeeded");
    assertThat(app.sql("SELECT count(*) FROM audit_log WHERE action = 'policy.verdict' AND target = $1",
        "task:" + taskId).iterator().next().getLong(0)).isZero();
    assertThat(transitionVerdict(tenant, taskId, "task.succeeded")).isNull();
  }

  @Test
  @DisplayName("a gate failure with attempts left retries the task, and the last one dead-letters it")
  void gateFailureRetriesThenDeadLetters() {
    String tenant = "gates-retry";
    AgentClient agent = agent(tenant, "coder", "code-editing");
    String taskId = submit(tenant, gated("code-editing").put("maxAttempts", 2));
    JsonObject first = run(agent, taskId, clean().put("testsPassed", false));
    assertThat(first.getString("state")).isEqualTo("queued");
    JsonObject second = run(agent, taskId, clean().put("testsPassed", false));
    assertThat(second.getInteger("attempt")).isEqualTo(2);
    assertThat(second.getString("state")).isEqualTo("dead");
    JsonArray history = http.get("/api/v1/tasks/" + taskId + "/history", app.tokens().admin(tenant)).json()
        .getJsonArray("items");
    List<String> moves = new ArrayList<>();
    history.forEach(h -> moves.add(((JsonObject) h).getString("to")));
    assertThat(moves).containsSubsequence("failed", "queued", "failed", "dead");
  }

  @Test
  @DisplayName("a waiver by task, by task type or by agent makes the same result pass, naming the waiver")
  void waiverByEachScopeMakesTheSameResultPass() {
    String tenant = "gates-waived";
    AgentClient coder = agent(tenant, "coder", "code-editing", "refactoring");
    AgentClient trusted = agent(tenant, "trusted", "testing");
    JsonObject wide = clean().put("filesChanged", 9);

    String byTask = submit(tenant, gated("code-editing"));
    String taskWaiver = waive(tenant, "budget.max-files", "task", byTask);
    assertWaived(tenant, byTask, run(coder, byTask, wide), taskWaiver);

    String typeWaiver = waive(tenant, "budget.max-files", "task_type", "refactoring");
    String byType = submit(tenant, gated("refactoring"));
    assertWaived(tenant, byType, run(coder, byType, wide), typeWaiver);

    String agentWaiver = waive(tenant, "budget.max-files", "agent", "trusted");
    String byAgent = submit(tenant, gated("testing"));
    assertWaived(tenant, byAgent, run(trusted, byAgent, wide), agentWaiver);

    String notCovered = submit(tenant, gated("code-editing"));
    assertThat(run(coder, notCovered, wide).getString("outcome")).as("a waiver covers only its scope")
        .isEqualTo("failed");
    String otherRule = submit(tenant, gated("refactoring"));
    JsonObject both = run(coder, otherRule, wide.copy().put("coverage", 0.1));
    assertThat(both.getString("outcome")).as("a waiver covers only its rule").isEqualTo("failed");
    assertThat(both.getJsonObject("policy").getJsonArray("violations").getJsonObject(0).getString("rule"))
        .isEqualTo("gate.min-coverage");
    assertThat(both.getJsonObject("policy").getJsonArray("waived").getJsonObject(0).getString("waiverId"))
        .isEqualTo(typeWaiver);
  }

  @Test
  @DisplayName("an expired waiver and a revoked one no longer apply; the revocation is audited")
  void expiredAndRevokedWaiversDoNotApply() {
    String tenant = "gates-lapsed";
    AgentClient coder = agent(tenant, "coder", "code-editing");
    JsonObject wide = clean().put("linesChanged", 500);

    String expiring = submit(tenant, gated("code-editing"));
    String shortLived = waive(tenant, "budget.max-loc", "task", expiring, Instant.now().plusMillis(1500));
    TestApp.eventually(WAIT, "the waiver expired", () -> !http.get("/api/v1/waivers/" + shortLived,
        operator(tenant)).json().getBoolean("active"));
    assertThat(run(coder, expiring, wide).getString("outcome")).isEqualTo("failed");

    String revokedTask = submit(tenant, gated("code-editing"));
    String revoked = waive(tenant, "budget.max-loc", "task", revokedTask);
    Http.Reply revocation = http.delete("/api/v1/waivers/" + revoked, operator(tenant));
    assertThat(revocation.status()).as(revocation.toString()).isEqualTo(200);
    assertThat(revocation.json().getBoolean("active")).isFalse();
    assertThat(revocation.json().getString("revokedBy")).isEqualTo("op");
    assertThat(http.delete("/api/v1/waivers/" + revoked, operator(tenant)).status()).isEqualTo(200);
    JsonObject answer = run(coder, revokedTask, wide);
    assertThat(answer.getString("outcome")).isEqualTo("failed");
    assertThat(answer.getJsonObject("policy").getJsonArray("waived")).isEmpty();

    awaitAudited(tenant, "waiver:" + revoked, "policy.waiver.revoked");
    assertThat(app.sql("SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'policy.waiver.revoked'",
        tenant).iterator().next().getLong(0)).as("revoking twice audits once").isEqualTo(1);
    awaitAudited(tenant, "waiver:" + revoked, "policy.waiver.created");
  }

  @Test
  @DisplayName("a waiver revoked right after it was applied no longer applies to the next result")
  void waiverRevokedAfterUseStopsApplying() {
    String tenant = "gates-revoke-after-use";
    AgentClient coder = agent(tenant, "coder", "code-editing");
    JsonObject wide = clean().put("filesChanged", 9);
    String waiver = waive(tenant, "budget.max-files", "task_type", "code-editing");
    String first = submit(tenant, gated("code-editing"));
    assertWaived(tenant, first, run(coder, first, wide), waiver);

    assertThat(http.delete("/api/v1/waivers/" + waiver, operator(tenant)).status()).isEqualTo(200);
    String second = submit(tenant, gated("code-editing"));
    JsonObject answer = run(coder, second, wide);
    assertThat(answer.getString("outcome")).isEqualTo("failed");
    assertThat(answer.getJsonObject("policy").getJsonArray("waived")).isEmpty();
  }

  @Test
  @DisplayName("a result batch is judged item by item in its one statement")
  void resultBatchIsJudgedPerItem() {
    String tenant = "gates-batch";
    AgentClient coder = agent(tenant, "coder", "code-editing");
    String good = submit(tenant, gated("code-editing"));
    String bad = submit(tenant, gated("code-editing"));
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(WAIT, "both tasks are delivered", () -> {
      delivered.addAll(coder.claim(1, 10));
      return delivered.size() == 2;
    });
    JsonArray refs = new JsonArray();
    delivered.forEach(d -> refs.add(new JsonObject().put("taskId", d.getString("taskId")).put("attempt", 1)));
    assertThat(coder.ackBatch(refs).status()).isEqualTo(200);
    Http.Reply reply = coder.resultBatch(new JsonArray()
        .add(clean().put("taskId", good).put("attempt", 1))
        .add(clean().put("taskId", bad).put("attempt", 1).put("quality", 0.1))
        .add(clean().put("taskId", bad).put("attempt", 1)));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    JsonArray items = reply.json().getJsonArray("items");
    assertThat(items.getJsonObject(0).getString("outcome")).isEqualTo("succeeded");
    assertThat(items.getJsonObject(0).getJsonObject("policy").getString("verdict")).isEqualTo("pass");
    assertThat(items.getJsonObject(1).getString("outcome")).isEqualTo("failed");
    assertThat(items.getJsonObject(1).getJsonObject("policy").getString("verdict")).isEqualTo("fail");
    assertThat(items.getJsonObject(2).getBoolean("repeated")).as("the repeat answers the first outcome").isTrue();
    assertThat(items.getJsonObject(2).getString("outcome")).isEqualTo("failed");
    assertThat(transitionVerdict(tenant, good, "task.succeeded").getString("verdict")).isEqualTo("pass");
    assertThat(transitionVerdict(tenant, bad, "task.failed").getString("verdict")).isEqualTo("fail");
    assertThat(verdictRecord(tenant, bad).getString("outcome")).isEqualTo("failure");
    assertThat(app.sql("SELECT count(*) FROM audit_log WHERE action = 'policy.verdict' AND target = $1",
        "task:" + bad).iterator().next().getLong(0)).as("one verdict per recorded result").isEqualTo(1);
  }

  @Test
  @DisplayName("waivers are for operators and admins, name a known rule, and expire within policy.maxWaiverDays")
  void waiverRequestsAreChecked() {
    String tenant = "gates-api";
    JsonObject valid = waiverBody("gate.min-quality", "task_type", "code-editing", Instant.now().plusSeconds(3600));
    assertProblem(http.post("/api/v1/waivers", app.tokens().of(tenant, Role.SUBMITTER, "client"), valid),
        Failure.FORBIDDEN);
    assertProblem(http.post("/api/v1/waivers", app.tokens().agent(tenant, "coder"), valid), Failure.FORBIDDEN);

    JsonObject unknown = assertProblem(http.post("/api/v1/waivers", operator(tenant),
        valid.copy().put("rule", "gate.vibes")), Failure.UNPROCESSABLE);
    assertThat(unknown.getString("detail")).contains("gate.vibes").contains("budget.max-files");
    assertThat(unknown.getString("rule")).isEqualTo("gate.vibes");
    assertProblem(http.post("/api/v1/waivers", operator(tenant),
        valid.copy().put("expiresAt", Instant.now().minusSeconds(1).toString())), Failure.UNPROCESSABLE);
    JsonObject tooLong = assertProblem(http.post("/api/v1/waivers", operator(tenant),
        valid.copy().put("expiresAt", Instant.now().plus(Duration.ofDays(31)).toString())), Failure.UNPROCESSABLE);
    assertThat(tooLong.getString("detail")).contains("policy.maxWaiverDays");
    assertProblem(http.post("/api/v1/waivers", operator(tenant),
        waiverBody("gate.min-quality", "task", "not-a-uuid", Instant.now().plusSeconds(60))), Failure.BAD_REQUEST);

    List<String> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Http.Reply reply = http.post("/api/v1/waivers", app.tokens().admin(tenant), valid);
      assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
      assertThat(reply.json().getString("createdBy")).isEqualTo("admin");
      assertThat(reply.json().getJsonObject("scope")).isEqualTo(new JsonObject().put("kind", "task_type")
          .put("value", "code-editing"));
      created.add(reply.json().getString("id"));
    }
    assertThat(http.delete("/api/v1/waivers/" + created.get(0), operator(tenant)).status()).isEqualTo(200);
    JsonObject page = http.get("/api/v1/waivers?active=true&limit=1", app.tokens().of(tenant, Role.AUDITOR, "aud"))
        .json();
    assertThat(page.getJsonArray("items").getJsonObject(0).getString("id")).isEqualTo(created.get(2));
    JsonObject next = http.get("/api/v1/waivers?active=true&limit=1&cursor=" + page.getString("nextCursor"),
        operator(tenant)).json();
    assertThat(next.getJsonArray("items").getJsonObject(0).getString("id")).isEqualTo(created.get(1));
    assertThat(next.getString("nextCursor")).isNull();
    assertThat(http.get("/api/v1/waivers?active=false", operator(tenant)).json().getJsonArray("items"))
        .extracting(w -> ((JsonObject) w).getString("id")).containsExactly(created.get(0));
    assertProblem(http.get("/api/v1/waivers/" + created.get(1), operator("gates-api-other")), Failure.NOT_FOUND);
    assertProblem(http.delete("/api/v1/waivers/" + created.get(1), operator("gates-api-other")), Failure.NOT_FOUND);
  }

  // ---- helpers ----

  private static String operator(String tenant) {
    return app.tokens().of(tenant, Role.OPERATOR, "op");
  }

  private static AgentClient agent(String tenant, String id, String... types) {
    Http.Reply reply = http.post("/api/v1/agents", app.tokens().agent(tenant, id),
        Agents.registration(id, types).put("maxConcurrentTasks", 10));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    return new AgentClient(app, tenant, id);
  }

  private static String submit(String tenant, JsonObject task) {
    Http.Reply reply = http.post("/api/v1/tasks", app.tokens().of(tenant, Role.SUBMITTER, "client"), task);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  /** Claims the task's next attempt, acknowledges it and reports {@code result}; returns the answer. */
  private static JsonObject run(AgentClient agent, String taskId, JsonObject result) {
    AtomicReference<JsonObject> delivery = new AtomicReference<>();
    TestApp.eventually(WAIT, "task " + taskId + " is delivered to " + agent.id(), () -> {
      agent.claim(1, 10).stream().filter(d -> taskId.equals(d.getString("taskId"))).findFirst()
          .ifPresent(delivery::set);
      return delivery.get() != null;
    });
    int attempt = delivery.get().getInteger("attempt");
    assertThat(agent.ack(taskId, attempt).status()).isEqualTo(200);
    Http.Reply reply = agent.result(taskId, result.copy().put("attempt", attempt));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }

  private static String waive(String tenant, String rule, String kind, String value) {
    return waive(tenant, rule, kind, value, Instant.now().plus(Duration.ofDays(1)));
  }

  private static String waive(String tenant, String rule, String kind, String value, Instant expiresAt) {
    Http.Reply reply = http.post("/api/v1/waivers", operator(tenant), waiverBody(rule, kind, value, expiresAt));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    assertThat(reply.json().getBoolean("active")).isTrue();
    return reply.json().getString("id");
  }

  private static JsonObject waiverBody(String rule, String kind, String value, Instant expiresAt) {
    return new JsonObject().put("rule", rule).put("scope", new JsonObject().put("kind", kind).put("value", value))
        .put("reason", "hotfix reviewed by hand").put("expiresAt", expiresAt.toString());
  }

  private static void assertWaived(String tenant, String taskId, JsonObject answer, String waiverId) {
    assertThat(answer.getString("outcome")).isEqualTo("succeeded");
    assertThat(answer.getJsonObject("policy").getString("verdict")).isEqualTo("waived");
    Row verdict = verdictRecord(tenant, taskId);
    assertThat(verdict.getString("outcome")).isEqualTo("success");
    JsonObject details = (JsonObject) verdict.getValue("details");
    assertThat(details.getString("verdict")).isEqualTo("waived");
    assertThat(details.getJsonArray("waived").getJsonObject(0).getString("rule")).isEqualTo("budget.max-files");
    assertThat(details.getJsonArray("waived").getJsonObject(0).getString("waiverId")).isEqualTo(waiverId);
  }

  /** The verdict in the transition record ({@code action}) of the task's first attempt's result. */
  private static JsonObject transitionVerdict(String tenant, String taskId, String action) {
    awaitAudited(tenant, "task:" + taskId, action);
    JsonObject details = (JsonObject) app.sql("SELECT details FROM audit_log WHERE tenant_id = $1 AND target = $2 "
        + "AND action = $3 ORDER BY id LIMIT 1", tenant, "task:" + taskId, action).iterator().next()
        .getValue("details");
    assertThat(details.getString("reason")).isEqualTo("result reported");
    return details.getJsonObject("verdict");
  }

  private static Row verdictRecord(String tenant, String taskId) {
    awaitAudited(tenant, "task:" + taskId, "policy.verdict");
    return app.sql("SELECT outcome, details FROM audit_log WHERE tenant_id = $1 AND target = $2 "
        + "AND action = 'policy.verdict' ORDER BY id DESC LIMIT 1", tenant, "task:" + taskId).iterator().next();
  }

  private static void awaitAudited(String tenant, String target, String action) {
    TestApp.eventually(WAIT, action + " of " + target + " is in the audit log", () -> app.sql(
        "SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND target = $2 AND action = $3", tenant, target,
        action).iterator().next().getLong(0) > 0);
  }
}
