package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.Agents;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Another tenant's resources, aimed at with every operation of the contract: a victim tenant holds a task, an agent, a
 * waiver and a schedule, each carrying a marker; an attacker with tokens of every role of its own tenant sends every
 * operation with the victim's ids in the path and in bodies (never the victim's tenant name). No answer carries the victim's marker or tenant, no
 * answer is a server error, and afterwards the victim's resources are exactly as they were.
 */
class CrossTenantFuzzTest {

  private static final String VICTIM = "victim-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String MARKER = "secret-marker-" + UUID.randomUUID();

  private static TestApp app;
  private static Vertx vertx;
  private static HttpClient client;
  private static List<Operation> operations;
  private static List<String> attackerTokens;
  private static List<String> victimIds;
  private static String before;

  record Attempt(int operation, int id, int token, boolean withBody) {}

  @BeforeContainer
  static void boot() {
    app = TestApp.start();
    vertx = Vertx.vertx();
    client = vertx.createHttpClient();
    operations = new ArrayList<>(TestApp.await(OpenAPIContract.from(vertx, "openapi/arbiter.yaml")).operations());
    String admin = app.tokens().admin(VICTIM);
    String task = created(app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", "victim-type")
        .put("payload", new JsonObject().put("marker", MARKER))), "id");
    created(app.http().post("/api/v1/agents", admin, Agents.registration("victim-agent", "victim-type")
        .put("name", MARKER)), "id");
    String waiver = created(app.http().post("/api/v1/waivers", admin, new JsonObject().put("rule", "gate.min-quality")
        .put("scope", new JsonObject().put("kind", "task_type").put("value", "victim-type")).put("reason", MARKER)
        .put("expiresAt", Instant.now().plus(2, ChronoUnit.DAYS).toString())), "id");
    String schedule = created(app.http().post("/api/v1/schedules", admin, new JsonObject().put("name", MARKER)
        .put("cron", "0 3 * * *").put("template", new JsonObject().put("type", "victim-type")
            .put("payload", new JsonObject().put("marker", MARKER)))), "id");
    // the victim's tenant name is never sent: a refused request is audited in the attacker's own tenant with its
    // path, and the attacker may read that back; only what the victim holds may not come back
    victimIds = List.of(task, "victim-agent", waiver, schedule);
    attackerTokens = new ArrayList<>();
    for (Role role : Role.values()) {
      if (role != Role.PLATFORM) {
        attackerTokens.add(role == Role.AGENT ? app.tokens().agent("attacker", "victim-agent")
            : app.tokens().of("attacker", role, "mallory"));
      }
    }
    before = victimState();
  }

  @AfterContainer
  static void shutdown() {
    try {
      assertThat(victimState()).as("the victim's resources are as they were").isEqualTo(before);
    } finally {
      TestApp.await(vertx.close());
      app.close();
    }
  }

  private static String created(Http.Reply reply, String field) {
    assertThat(reply.status()).as(reply.toString()).isIn(201, 202);
    return reply.json().getString(field);
  }

  /** What the victim holds, read from the database: tasks, agents, waivers and schedules with their states. */
  private static String victimState() {
    StringBuilder state = new StringBuilder();
    for (String query : List.of(
        "SELECT id::text, state, attempt::text, payload::text FROM tasks WHERE tenant_id = $1 ORDER BY id",
        "SELECT id, status, current_load::text, name FROM agents WHERE tenant_id = $1 ORDER BY id",
        "SELECT id::text, rule, reason, (revoked_at IS NULL)::text FROM waivers WHERE tenant_id = $1 ORDER BY id",
        "SELECT id::text, name, cron, paused::text FROM schedules WHERE tenant_id = $1 ORDER BY id")) {
      app.sql(query, VICTIM).forEach(row -> {
        for (int i = 0; i < row.size(); i++) {
          state.append(row.getValue(i)).append('|');
        }
        state.append('\n');
      });
    }
    return state.toString();
  }

  @Property(tries = 300)
  void anotherTenantsResourcesNeitherLeakNorChange(@ForAll("attempts") Attempt attempt) {
    Operation operation = operations.get(attempt.operation() % operations.size());
    String id = victimIds.get(attempt.id() % victimIds.size());
    String path = "/api/v1" + operation.getOpenAPIPath().replaceAll("\\{[^}]+}", id);
    String body = attempt.withBody() ? new JsonObject().put("id", id).put("taskId", id).put("agentId", id)
        .put("attempt", 1).put("outcome", "succeeded").put("type", "victim-type").encode() : null;
    String token = attackerTokens.get(attempt.token() % attackerTokens.size());
    RequestOptions request = new RequestOptions().setMethod(operation.getHttpMethod()).setHost("127.0.0.1")
        .setPort(app.arbiter().port()).setURI(path + "?wait=0").setIdleTimeout(10_000)
        .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json");
    Http.Reply reply = TestApp.await(client.request(request).compose(r -> (body == null ? r.send()
        : r.send(Buffer.buffer(body))).compose(response -> response.body().map(answer -> new Http.Reply(
            response.statusCode(), response.headers(), answer, 0)))));
    String what = operation.getOperationId() + " " + path + " answered " + reply.status() + " " + reply.text();
    assertThat(reply.status()).as(what).isLessThan(500);
    assertThat(reply.text()).as("nothing of the victim in " + what).doesNotContain(MARKER, VICTIM);
  }

  @Provide
  Arbitrary<Attempt> attempts() {
    return Combinators.combine(Arbitraries.integers().between(0, 1_000), Arbitraries.integers().between(0, 100),
        Arbitraries.integers().between(0, 100), Arbitraries.of(true, false)).as(Attempt::new);
  }
}
