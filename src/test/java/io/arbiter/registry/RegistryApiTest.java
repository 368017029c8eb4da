package io.arbiter.registry;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Role;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp
@ExtendWith(VertxExtension.class)
@DisplayName("The agent registry over HTTP, against a real PostgreSQL")
class RegistryApiTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;
  private static String acme;

  @BeforeAll
  static void adminToken() {
    acme = app.tokens().admin("acme");
  }

  @Test
  @DisplayName("registers an agent from its model family's baseline and reads it back")
  void registersFromBaselineAndReadsBack() {
    Http.Reply created = http.post("/api/v1/agents", acme, Agents.registration("reader-1")
        .put("capabilities", new JsonObject().put("taskTypes", new JsonArray().add("code-review"))
            .put("specializations", new JsonArray().add("security"))));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonObject agent = created.json();
    assertThat(agent.getString("status")).isEqualTo("available");
    assertThat(agent.getString("tenantId")).isEqualTo("acme");
    ModelBaselines.Baseline claude = ModelBaselines.of("claude");
    assertThat(agent.getJsonObject("performance").getDouble("successRate")).isEqualTo(claude.successRate());
    assertThat(agent.getJsonObject("capabilities").getJsonArray("specializations").getJsonObject(0).getString("level"))
        .isEqualTo(claude.specializationLevel().wire());

    Http.Reply read = http.get("/api/v1/agents/reader-1", acme);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().getString("name")).isEqualTo("Agent reader-1");
  }

  @Test
  @DisplayName("a duplicate registration in the same tenant answers 409")
  void duplicateRegistrationConflicts() {
    assertThat(http.post("/api/v1/agents", acme, Agents.registration("dup-1")).status()).isEqualTo(201);
    JsonObject problem = assertProblem(http.post("/api/v1/agents", acme, Agents.registration("dup-1")), Failure.CONFLICT);
    assertThat(problem.getString("detail")).contains("dup-1");
  }

  @Test
  @DisplayName("twenty concurrent registrations of one id: exactly one wins, the rest get 409 from the unique constraint")
  void concurrentDuplicateRegistrationsHaveOneWinner(Vertx vertx, VertxTestContext test) {
    WebClient client = WebClient.create(vertx);
    List<Future<Integer>> attempts = new ArrayList<>();
    IntStream.range(0, 20).forEach(i -> attempts.add(client.post(app.arbiter().port(), "127.0.0.1", "/api/v1/agents")
        .putHeader("Authorization", "Bearer " + acme)
        .sendJsonObject(Agents.registration("race-1"))
        .map(r -> r.statusCode())));
    Future.all(attempts).onComplete(test.succeeding(all -> test.verify(() -> {
      List<Integer> statuses = attempts.stream().map(Future::result).toList();
      assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
      assertThat(statuses).filteredOn(s -> s == 409).hasSize(19);
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("another tenant's agent is not found, and is not listed")
  void otherTenantsAgentIsInvisible() {
    assertThat(http.post("/api/v1/agents", acme, Agents.registration("private-1")).status()).isEqualTo(201);
    String globex = app.tokens().admin("globex");
    assertProblem(http.get("/api/v1/agents/private-1", globex), Failure.NOT_FOUND);
    assertProblem(http.post("/api/v1/agents/private-1/heartbeat", globex, null), Failure.NOT_FOUND);
    assertThat(http.get("/api/v1/agents?limit=500", globex).json().getJsonArray("items")).isEmpty();
    assertThat(http.post("/api/v1/agents", globex, Agents.registration("private-1")).status())
        .as("the same id is free in another tenant").isEqualTo(201);
  }

  @Test
  @DisplayName("an agent token acts only for its own agent: 403 for another agent's id")
  void agentActsOnlyAsItself() {
    assertThat(http.post("/api/v1/agents", acme, Agents.registration("agent-a")).status()).isEqualTo(201);
    assertThat(http.post("/api/v1/agents", acme, Agents.registration("agent-b")).status()).isEqualTo(201);
    String tokenA = app.tokens().agent("acme", "agent-a");

    assertThat(http.post("/api/v1/agents/agent-a/heartbeat", tokenA, null).status()).isEqualTo(200);
    assertProblem(http.post("/api/v1/agents/agent-b/heartbeat", tokenA, null), Failure.FORBIDDEN);
    assertProblem(http.delete("/api/v1/agents/agent-b", tokenA), Failure.FORBIDDEN);
    assertProblem(http.patch("/api/v1/agents/agent-b", tokenA, new JsonObject().put("name", "x")), Failure.FORBIDDEN);
    assertProblem(http.post("/api/v1/agents", tokenA, Agents.registration("agent-c")), Failure.FORBIDDEN);
    assertThat(http.post("/api/v1/agents", app.tokens().agent("acme", "agent-d"), Agents.registration("agent-d"))
        .status()).as("an agent registers itself").isEqualTo(201);
  }

  @Test
  @DisplayName("an agent may rename itself but not change its capabilities or capacity, which an operator may")
  void agentCannotWidenItsOwnCapabilities() {
    assertThat(http.post("/api/v1/agents", acme, Agents.registration("narrow-1")).status()).isEqualTo(201);
    String self = app.tokens().agent("acme", "narrow-1");
    assertThat(http.patch("/api/v1/agents/narrow-1", self, new JsonObject().put("name", "Narrow")).status())
        .isEqualTo(200);
    JsonObject wider = new JsonObject().put("capabilities", new JsonObject()
        .put("taskTypes", new JsonArray().add("code-editing").add("everything-else")));
    JsonObject problem = assertProblem(http.patch("/api/v1/agents/narrow-1", self, wider), Failure.FORBIDDEN);
    assertThat(problem.getString("detail")).contains("capabilities").contains("operator or admin");
    assertProblem(http.patch("/api/v1/agents/narrow-1", self, new JsonObject().put("maxConcurrentTasks", 1000)),
        Failure.FORBIDDEN);
    assertThat(http.get("/api/v1/agents/narrow-1", acme).json().getJsonObject("capabilities")
        .getJsonArray("taskTypes")).doesNotContain("everything-else");
    String operator = app.tokens().of("acme", Role.OPERATOR, "ops-1");
    assertThat(http.patch("/api/v1/agents/narrow-1", operator, wider).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("an agent registering itself again keeps its capabilities and capacity; an admin may change them so")
  void agentCannotWidenItselfByRegisteringAgain() {
    assertThat(RequestContext.AGENT_ROLE).isEqualTo(Role.AGENT.wire());
    String self = app.tokens().agent("acme", "again-1");
    assertThat(http.post("/api/v1/agents", self, Agents.registration("again-1")).status()).isEqualTo(201);
    assertThat(http.delete("/api/v1/agents/again-1", self).status()).isEqualTo(200);
    JsonObject wider = Agents.registration("again-1");
    wider.getJsonObject("capabilities").put("taskTypes", new JsonArray().add("code-editing").add("everything-else"));
    JsonObject problem = assertProblem(http.post("/api/v1/agents", self, wider), Failure.FORBIDDEN);
    assertThat(problem.getString("detail")).contains("operator or admin");
    assertProblem(http.post("/api/v1/agents", self, Agents.registration("again-1").put("maxConcurrentTasks", 9)),
        Failure.FORBIDDEN);
    assertThat(http.post("/api/v1/agents", self, Agents.registration("again-1")).status()).isEqualTo(201);
    assertThat(http.delete("/api/v1/agents/again-1", self).status()).isEqualTo(200);
    assertThat(http.post("/api/v1/agents", acme, wider).status()).as("an admin re-registers it wider").isEqualTo(201);
  }

  @Test
  @DisplayName("a role the contract does not list is refused with 403")
  void roleOutsideContractIsForbidden() {
    String auditor = app.tokens().of("acme", Role.AUDITOR, "auditor-1");
    assertProblem(http.post("/api/v1/agents", auditor, Agents.registration("nope-1")), Failure.FORBIDDEN);
    assertThat(http.get("/api/v1/agents", auditor).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("lists page by page with an opaque cursor, every agent exactly once")
  void listsWithCursorPagination() {
    String tenant = app.tokens().admin("paging");
    for (int i = 0; i < 7; i++) {
      assertThat(http.post("/api/v1/agents", tenant, Agents.registration("page-" + i)).status()).isEqualTo(201);
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Http.Reply page = http.get("/api/v1/agents?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), tenant);
      assertThat(page.status()).isEqualTo(200);
      page.json().getJsonArray("items").forEach(a -> seen.add(((JsonObject) a).getString("id")));
      cursor = page.json().getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6");
    assertProblem(http.get("/api/v1/agents?cursor=not-a-cursor", tenant), Failure.BAD_REQUEST);
  }

  @Test
  @DisplayName("a capability query returns only capable agents, best match first, with their scores")
  void capabilityQueryRanksByMatchScore() {
    String tenant = app.tokens().admin("ranking");
    http.post("/api/v1/agents", tenant, Agents.registration("java-dev", "code-editing"));
    http.post("/api/v1/agents", tenant, Agents.registration("ts-dev", "code-editing").put("capabilities",
        new JsonObject().put("taskTypes", new JsonArray().add("code-editing"))
            .put("languages", new JsonArray().add("typescript"))));
    http.post("/api/v1/agents", tenant, Agents.registration("writer", "documentation"));

    Http.Reply ranked = http.get("/api/v1/agents?taskType=code-editing&languages=java", tenant);
    assertThat(ranked.status()).as(ranked.toString()).isEqualTo(200);
    JsonArray items = ranked.json().getJsonArray("items");
    assertThat(items.stream().map(a -> ((JsonObject) a).getString("id"))).containsExactly("java-dev", "ts-dev");
    assertThat(items.getJsonObject(0).getDouble("matchScore"))
        .isGreaterThan(items.getJsonObject(1).getDouble("matchScore"));
  }

  @Test
  @DisplayName("an update changes capabilities and capacity, keeping earned levels")
  void updatesAgent() {
    http.post("/api/v1/agents", acme, Agents.registration("upd-1"));
    Http.Reply updated = http.patch("/api/v1/agents/upd-1", acme, new JsonObject().put("maxConcurrentTasks", 5)
        .put("capabilities", new JsonObject().put("taskTypes", new JsonArray().add("testing"))));
    assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
    assertThat(updated.json().getInteger("maxConcurrentTasks")).isEqualTo(5);
    assertThat(updated.json().getJsonObject("capabilities").getJsonArray("taskTypes")).containsExactly("testing");
    assertProblem(http.patch("/api/v1/agents/missing-1", acme, new JsonObject().put("name", "x")), Failure.NOT_FOUND);
  }

  @Test
  @DisplayName("deregistering an idle agent takes it offline; it cannot heartbeat back, but may register again")
  void deregisterDrainsAndAllowsReRegistration() {
    http.post("/api/v1/agents", acme, Agents.registration("leaving-1"));
    Http.Reply gone = http.delete("/api/v1/agents/leaving-1", acme);
    assertThat(gone.status()).isEqualTo(200);
    assertThat(gone.json().getString("status")).isEqualTo("offline");
    assertThat(gone.json().getString("deregisteredAt")).isNotNull();
    assertThat(http.post("/api/v1/agents/leaving-1/heartbeat", acme, null).json().getString("status"))
        .isEqualTo("offline");
    Http.Reply back = http.post("/api/v1/agents", acme, Agents.registration("leaving-1"));
    assertThat(back.status()).isEqualTo(201);
    assertThat(back.json().getString("status")).isEqualTo("available");
  }

  @Test
  @DisplayName("every registry change reaches the audit log and its chain, with actor and correlation id")
  void registryChangesAreAudited() {
    io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("X-Request-Id", "corr-audit-1");
    Http.Reply created = http.send(io.vertx.core.http.HttpMethod.POST, "/api/v1/agents", acme, "application/json",
        Agents.registration("audited-1").toBuffer(), headers);
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("X-Request-Id")).isEqualTo("corr-audit-1");
    TestApp.eventually(Duration.ofSeconds(5), "the registration is in audit_log", () -> app.sql(
        "SELECT 1 FROM audit_log WHERE action = 'agent.registered' AND target = 'agent:audited-1'").size() == 1);
    var row = app.sql("SELECT tenant_id, actor_sub, actor_role, outcome, correlation_id FROM audit_log "
        + "WHERE target = 'agent:audited-1'").iterator().next();
    assertThat(row.getString("tenant_id")).isEqualTo("acme");
    assertThat(row.getString("actor_sub")).isEqualTo("admin");
    assertThat(row.getString("actor_role")).isEqualTo("admin");
    assertThat(row.getString("outcome")).isEqualTo("success");
    assertThat(row.getString("correlation_id")).isEqualTo("corr-audit-1");
    TestApp.eventually(Duration.ofSeconds(5), "the registration is sealed into the chain",
        () -> app.sql(TestApp.UNSEALED).iterator().next().getLong(0) == 0);
  }
}
