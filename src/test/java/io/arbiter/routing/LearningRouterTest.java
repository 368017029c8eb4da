package io.arbiter.routing;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The learning router, through the real HTTP path against a real PostgreSQL")
class LearningRouterTest {

  private static final String TENANT = "learn";
  private static final String TYPE = "review";

  /** Settings that make routing deterministic: exploration 0 always takes the best posterior mean. */
  private static Map<String, Object> exploit() {
    return Map.of("routing.learning.exploration", 0.0, "routing.pollIntervalMs", 100, "tasks.claimPollMs", 100);
  }

  @Test
  @DisplayName("a preference learned from outcomes survives a restart: the weak agent, first by id, gets no more work")
  void learnedPreferenceSurvivesRestart() {
    String dbUrl;
    JsonArray learned;
    try (TestApp app = TestApp.start(Map.of("routing.learning.exploration", 1.0, "routing.pollIntervalMs", 100))) {
      dbUrl = app.dbUrl();
      AgentClient weak = new AgentClient(app, TENANT, "a-weak");
      AgentClient strong = new AgentClient(app, TENANT, "b-strong");
      assertThat(weak.register(TYPE, 1).status()).isEqualTo(201);
      assertThat(strong.register(TYPE, 1).status()).isEqualTo(201);
      for (int i = 0; i < 40; i++) {
        runOne(app, weak, strong);
      }
      app.awaitOutcomesFolded(TENANT);
      learned = stats(app).getJsonArray("agents");
      assertThat(learned.getJsonObject(0).getString("agentId")).as("best posterior mean first").isEqualTo("b-strong");
      assertThat(learned.getJsonObject(0).getLong("pulls") + learned.getJsonObject(1).getLong("pulls")).isEqualTo(40);
    }

    Map<String, Object> again = new java.util.HashMap<>(exploit());
    again.put("db.url", dbUrl);
    try (TestApp restarted = TestApp.start(again)) {
      assertThat(stats(restarted).getJsonArray("agents")).as("the arms were read back from PostgreSQL")
          .isEqualTo(learned);
      AgentClient weak = new AgentClient(restarted, TENANT, "a-weak");
      AgentClient strong = new AgentClient(restarted, TENANT, "b-strong");
      List<String> chosen = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        chosen.add(runOne(restarted, weak, strong));
      }
      assertThat(chosen).as("without what was learned, a tie would go to a-weak by id").containsOnly("b-strong");
      JsonObject decision = restarted.http().get("/api/v1/tasks?state=succeeded&limit=1",
          restarted.tokens().admin(TENANT)).json().getJsonArray("items").getJsonObject(0);
      JsonObject why = restarted.http().get("/api/v1/tasks/" + decision.getString("id") + "/decision",
          restarted.tokens().admin(TENANT)).json();
      assertThat(why.getString("strategy")).isEqualTo("learning");
      assertThat(why.getJsonObject("details").getString("mode")).isEqualTo("exploit");
      assertThat(why.getString("rationale")).startsWith("exploit: b-strong");
    }
  }

  @Test
  @DisplayName("a fresh tenant's tie goes to the lower id, so the test above proves learning, not luck")
  void withoutLearningTheTieGoesToTheLowerId() {
    try (TestApp app = TestApp.start(exploit())) {
      AgentClient weak = new AgentClient(app, "fresh", "a-weak");
      AgentClient strong = new AgentClient(app, "fresh", "b-strong");
      weak.register(TYPE, 1);
      strong.register(TYPE, 1);
      Http.Reply submitted = app.http().post("/api/v1/tasks", app.tokens().of("fresh", Role.SUBMITTER, "c"),
          new JsonObject().put("type", TYPE));
      assertThat(submitted.status()).isEqualTo(202);
      TestApp.eventually(Duration.ofSeconds(10), "the task is assigned", () -> app.sql(
          "SELECT 1 FROM tasks WHERE tenant_id = 'fresh' AND state = 'assigned'").size() == 1);
      assertThat(app.sql("SELECT assigned_agent_id FROM tasks WHERE tenant_id = 'fresh'").iterator().next()
          .getString("assigned_agent_id")).isEqualTo("a-weak");
    }
  }

  @Test
  @DisplayName("a result batch teaches the arm exactly as the same results one by one would (prior, then each in order)")
  void resultBatchUpdatesTheArmInOrder() {
    try (TestApp app = TestApp.start(exploit())) {
      AgentClient agent = new AgentClient(app, "batch", "solo");
      agent.register(TYPE, 3);
      double prior = app.http().get("/api/v1/agents/solo", app.tokens().admin("batch")).json()
          .getJsonObject("performance").getDouble("successRate");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(app.http().post("/api/v1/tasks", app.tokens().of("batch", Role.SUBMITTER, "c"),
            new JsonObject().put("type", TYPE).put("maxAttempts", 1)).json().getString("id"));
      }
      List<JsonObject> delivered = new ArrayList<>();
      TestApp.eventually(Duration.ofSeconds(10), "three deliveries", () -> {
        delivered.addAll(agent.claim(0, 3));
        return delivered.size() == 3;
      });
      JsonArray results = new JsonArray()
          .add(new JsonObject().put("taskId", ids.get(0)).put("attempt", 1).put("outcome", "succeeded")
              .put("quality", 0.9))
          .add(new JsonObject().put("taskId", ids.get(1)).put("attempt", 1).put("outcome", "failed"))
          .add(new JsonObject().put("taskId", ids.get(2)).put("attempt", 1).put("outcome", "succeeded"));
      assertThat(agent.resultBatch(results).status()).isEqualTo(200);

      app.awaitOutcomesFolded("batch");
      double discount = app.arbiter().routing().learning().discount();
      Arm expected = Arm.prior(prior).updated(0.9, discount).updated(0, discount).updated(1.0, discount);
      JsonObject posterior = app.http().get("/api/v1/routing/stats?taskType=" + TYPE, app.tokens().admin("batch"))
          .json().getJsonArray("agents").getJsonObject(0).getJsonObject("posterior");
      assertThat(posterior.getDouble("alpha")).isCloseTo(expected.alpha(), org.assertj.core.api.Assertions.within(1e-9));
      assertThat(posterior.getDouble("beta")).isCloseTo(expected.beta(), org.assertj.core.api.Assertions.within(1e-9));
    }
  }

  @Test
  @DisplayName("an agent earns its level in a specialization from that specialization's own results")
  void levelsAreEarnedPerSpecialization() {
    Map<String, Object> settings = new java.util.HashMap<>(exploit());
    settings.putAll(Map.of("routing.levels.evaluationTasks", 2, "routing.levels.intermediate", "1/0.5/0.5",
        "routing.levels.expert", "3/0.8/0.7", "routing.levels.master", "100/0.9/0.9"));
    try (TestApp app = TestApp.start(settings)) {
      AgentClient agent = new AgentClient(app, "levels", "lv-1");
      JsonObject registration = io.arbiter.support.Agents.registration("lv-1", TYPE).put("modelFamily", "llama");
      registration.getJsonObject("capabilities").put("specializations", new JsonArray().add("security").add("ui"));
      assertThat(app.http().post("/api/v1/agents", app.tokens().admin("levels"), registration).status())
          .isEqualTo(201);
      assertThat(levels(app)).as("the llama family starts at novice")
          .containsEntry("security", "novice").containsEntry("ui", "novice");
      for (int i = 0; i < 3; i++) {
        String id = app.http().post("/api/v1/tasks", app.tokens().of("levels", Role.SUBMITTER, "c"),
            new JsonObject().put("type", TYPE).put("requirements",
                new JsonObject().put("specializations", new JsonArray().add("security")))).json().getString("id");
        List<JsonObject> delivered = new ArrayList<>();
        TestApp.eventually(Duration.ofSeconds(10), "delivery", () -> delivered.addAll(agent.claim(0, 1)));
        assertThat(agent.result(id, new JsonObject().put("attempt", 1).put("outcome", "succeeded").put("quality", 0.9))
            .status()).isEqualTo(200);
      }
      app.awaitOutcomesFolded("levels");
      assertThat(levels(app)).as("three good security tasks clear the expert bar; ui has no record")
          .containsEntry("security", "expert").containsEntry("ui", "novice");
    }
  }

  private static Map<String, String> levels(TestApp app) {
    Map<String, String> levels = new java.util.HashMap<>();
    app.http().get("/api/v1/agents/lv-1", app.tokens().admin("levels")).json().getJsonObject("capabilities")
        .getJsonArray("specializations").forEach(s -> levels.put(((JsonObject) s).getString("name"),
            ((JsonObject) s).getString("level")));
    return levels;
  }

  @Test
  @DisplayName("routing stats need an operator or admin, and a task type")
  void statsAccess() {
    try (TestApp app = TestApp.start(exploit())) {
      AgentClient agent = new AgentClient(app, "stats", "s-1");
      agent.register(TYPE, 1);
      JsonObject stats = app.http().get("/api/v1/routing/stats?taskType=" + TYPE,
          app.tokens().of("stats", Role.OPERATOR, "op")).json();
      JsonObject only = stats.getJsonArray("agents").getJsonObject(0);
      assertThat(only.getLong("pulls")).isZero();
      assertThat(only.getValue("meanReward")).isNull();
      assertThat(only.getJsonObject("posterior").getDouble("mean")).as("the prior").isBetween(0.0, 1.0);
      assertThat(stats.getDouble("exploration")).isEqualTo(0.0);
      assertProblem(app.http().get("/api/v1/routing/stats?taskType=" + TYPE,
          app.tokens().of("stats", Role.SUBMITTER, "sub")), Failure.FORBIDDEN);
      assertProblem(app.http().get("/api/v1/routing/stats", app.tokens().admin("stats")), Failure.BAD_REQUEST);
    }
  }

  /**
   * Submits one task and lets whichever agent got it finish it: the strong one succeeds with quality 0.95, the weak
   * one fails. Returns who did it.
   */
  private static String runOne(TestApp app, AgentClient weak, AgentClient strong) {
    Http.Reply submitted = app.http().post("/api/v1/tasks", app.tokens().of(TENANT, Role.SUBMITTER, "c"),
        new JsonObject().put("type", TYPE).put("maxAttempts", 1));
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    String id = submitted.json().getString("id");
    String[] holder = new String[1];
    TestApp.eventually(Duration.ofSeconds(10), "task " + id + " is delivered", () -> {
      for (AgentClient agent : List.of(weak, strong)) {
        if (!agent.claim(0, 1).isEmpty()) {
          holder[0] = agent.id();
          return true;
        }
      }
      return false;
    });
    AgentClient agent = holder[0].equals(weak.id()) ? weak : strong;
    assertThat(agent.ack(id, 1).status()).isEqualTo(200);
    JsonObject result = agent == strong
        ? new JsonObject().put("attempt", 1).put("outcome", "succeeded").put("quality", 0.95)
        : new JsonObject().put("attempt", 1).put("outcome", "failed").put("error", "wrong answer");
    assertThat(agent.result(id, result).status()).isEqualTo(200);
    return holder[0];
  }

  private static JsonObject stats(TestApp app) {
    Http.Reply reply = app.http().get("/api/v1/routing/stats?taskType=" + TYPE, app.tokens().admin(TENANT));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }
}
