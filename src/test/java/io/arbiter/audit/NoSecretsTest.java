package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.Http;
import io.arbiter.support.LogCapture;
import io.arbiter.support.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("No secret reaches an audit record or a log line, whatever the requests carry")
class NoSecretsTest {

  private static final String TENANT = "no-secrets";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static TestApp app;
  private static Http http;
  private static LogCapture logs;
  /** Every secret fed in; none may be found afterwards. */
  private static final List<String> SECRETS = new ArrayList<>();

  private static String secret(String kind) {
    String value = kind + "-" + UUID.randomUUID().toString().replace("-", "");
    SECRETS.add(value);
    return value;
  }

  @BeforeAll
  static void boot() {
    logs = LogCapture.attach();
    app = TestApp.start(Map.of("log.level", "DEBUG", "tasks.backoffBaseMs", 10, "tasks.backoffCapMs", 50));
    http = app.http();
  }

  @AfterAll
  static void shutdown() {
    app.close();
    logs.close();
  }

  /** A payload or result carrying secrets in every shape: named fields at any depth, and free text. */
  private static JsonObject secrets() {
    return new JsonObject()
        .put("password", secret("pw"))
        .put("apiKey", secret("key"))
        .put("nested", new JsonObject().put("client_secret", secret("cs"))
            .put("headers", new JsonObject().put("Authorization", "Bearer " + secret("bearer"))))
        .put("list", new JsonArray().add(new JsonObject().put("token", secret("tok"))))
        .put("note", "connect with password=" + secret("pwtext") + " and apiKey: " + secret("keytext")
            + " and Authorization: Bearer " + secret("bearertext"));
  }

  @Test
  @DisplayName("secrets fed through every entry point are in no audit record and no log line")
  void secretsThroughEveryEntryPointAreNowhere() {
    String admin = app.tokens().admin(TENANT);
    String otherTenantsJwt = app.tokens().admin("someone-else");
    SECRETS.add(admin);
    SECRETS.add(otherTenantsJwt);
    String agentToken = app.tokens().agent(TENANT, "coder");
    SECRETS.add(agentToken);

    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("User-Agent", "probe/1.0 password=" + secret("ua"))
        .add("X-Request-Id", otherTenantsJwt)
        .add("X-Api-Key", secret("xkey"))
        .add("Cookie", "session=" + secret("cookie"));

    // register and update an agent whose name carries secrets
    JsonObject registration = Agents.registration("coder", "code-editing")
        .put("name", "Coder token=" + secret("name")).put("maxConcurrentTasks", 10);
    assertThat(send(HttpMethod.POST, "/api/v1/agents", agentToken, registration, headers).status()).isEqualTo(201);
    assertThat(send(HttpMethod.PATCH, "/api/v1/agents/coder", agentToken,
        new JsonObject().put("name", "Coder Authorization: Bearer " + secret("rename")), headers).status())
        .isEqualTo(200);

    // submit one task, and a batch, with secrets in payloads (and an Idempotency-Key that looks like a token)
    MultiMap submitHeaders = MultiMap.caseInsensitiveMultiMap().addAll(headers)
        .add("Idempotency-Key", "token=" + secret("idem"));
    JsonObject task = new JsonObject().put("type", "code-editing").put("payload", secrets()).put("maxAttempts", 2)
        .put("gates", new JsonObject().put("testsPassed", true));
    Http.Reply submitted = send(HttpMethod.POST, "/api/v1/tasks", admin, task, submitHeaders);
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    String taskId = submitted.json().getString("id");
    Http.Reply batch = send(HttpMethod.POST, "/api/v1/task-batches", admin, new JsonObject().put("tasks",
        new JsonArray().add(new JsonObject().put("type", "code-editing").put("payload", secrets()))), headers);
    assertThat(batch.status()).as(batch.toString()).isEqualTo(202);
    String batchTaskId = batch.json().getJsonArray("tasks").getJsonObject(0).getString("id");

    // the agent takes both: progress, a failed result with a secret in its error, then results carrying secrets
    AgentClient agent = new AgentClient(app, TENANT, "coder");
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(WAIT, "both tasks are delivered", () -> {
      delivered.addAll(agent.claim(1, 10));
      return delivered.size() == 2;
    });
    for (JsonObject d : delivered) {
      assertThat(agent.ack(d.getString("taskId"), 1).status()).isEqualTo(200);
    }
    String base = "/api/v1/agents/coder/tasks/" + taskId;
    assertThat(send(HttpMethod.POST, base + "/progress", agentToken, new JsonObject().put("attempt", 1)
        .put("percent", 50).put("message", "retrying with token=" + secret("progress")), headers).status())
        .isEqualTo(200);
    assertThat(send(HttpMethod.POST, base + "/result", agentToken, new JsonObject().put("attempt", 1)
        .put("outcome", "failed").put("result", secrets())
        .put("error", "login failed: Authorization: Bearer " + secret("error") + " password=" + secret("errpw")),
        headers).status()).isEqualTo(200);
    Http.Reply results = send(HttpMethod.POST, "/api/v1/agents/coder/result-batches", agentToken,
        new JsonObject().put("results", new JsonArray().add(new JsonObject().put("taskId", batchTaskId)
            .put("attempt", 1).put("outcome", "succeeded").put("result", secrets()))), headers);
    assertThat(results.status()).as(results.toString()).isEqualTo(200);
    AtomicReference<JsonObject> retry = new AtomicReference<>();
    TestApp.eventually(WAIT, "the failed task comes back", () -> {
      agent.claim(1, 10).stream().filter(d -> taskId.equals(d.getString("taskId"))).findFirst().ifPresent(retry::set);
      return retry.get() != null;
    });
    assertThat(agent.ack(taskId, 2).status()).isEqualTo(200);
    assertThat(send(HttpMethod.POST, base + "/result", agentToken, new JsonObject().put("attempt", 2)
        .put("outcome", "succeeded").put("testsPassed", false).put("result", secrets()), headers).status())
        .isEqualTo(200);

    // a waiver whose reason carries a secret, and its revocation
    String operator = app.tokens().of(TENANT, Role.OPERATOR, "op");
    SECRETS.add(operator);
    Http.Reply waiver = send(HttpMethod.POST, "/api/v1/waivers", operator, new JsonObject()
        .put("rule", "gate.tests-passed").put("scope", new JsonObject().put("kind", "agent").put("value", "coder"))
        .put("reason", "approved by ops; apiKey=" + secret("reason") + " password: " + secret("reasonpw"))
        .put("expiresAt", Instant.now().plusSeconds(3600).toString()), headers);
    assertThat(waiver.status()).as(waiver.toString()).isEqualTo(201);
    assertThat(send(HttpMethod.DELETE, "/api/v1/waivers/" + waiver.json().getString("id"), operator, null, headers)
        .status()).isEqualTo(200);

    // refused requests: a forged token, basic credentials, a role that may not, and secrets in query parameters
    String forged = app.tokens().tampered(TENANT);
    SECRETS.add(forged);
    assertThat(send(HttpMethod.GET, "/api/v1/agents", forged, null, headers).status()).isEqualTo(401);
    String basic = java.util.Base64.getEncoder().encodeToString(("admin:" + secret("basic"))
        .getBytes(StandardCharsets.UTF_8));
    SECRETS.add(basic);
    MultiMap basicHeaders = MultiMap.caseInsensitiveMultiMap().addAll(headers).add("Authorization", "Basic " + basic);
    assertThat(http.send(HttpMethod.GET, "/api/v1/agents", null, null, null, basicHeaders).status()).isEqualTo(401);
    String submitter = app.tokens().of(TENANT, Role.SUBMITTER, "client");
    SECRETS.add(submitter);
    assertThat(send(HttpMethod.PUT, "/api/v1/tenant-limits", submitter,
        new JsonObject().put("maxFiles", 1), headers).status()).isEqualTo(403);
    assertThat(send(HttpMethod.GET, "/api/v1/audit?actor=" + "password%3D" + secret("query"), admin, null, headers)
        .status()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/api/v1/agents?access_token=" + secret("querytoken"), admin, null, headers)
        .status()).isIn(200, 400);

    // a User-Agent with a secret (the test's web client sets its own, so a plain HTTP client sends these)
    String userAgent = "probe/1.0 password=" + secret("useragent");
    assertThat(rawGet("/api/v1/agents", null, userAgent)).isEqualTo(401);
    assertThat(rawGet("/api/v1/audit", submitter, userAgent)).isEqualTo(403);

    TestApp.eventually(WAIT, "every event is sealed in the audit log", () -> app.sql(
        TestApp.UNSEALED).iterator().next().getLong(0) == 0 && app.sql(
        "SELECT count(*) FROM audit_log WHERE action = 'policy.waiver.revoked'").iterator().next().getLong(0) == 1);

    List<String> audit = new ArrayList<>();
    app.sql("SELECT row_to_json(a)::text FROM audit_log a").forEach(row -> audit.add(row.getString(0)));
    assertThat(audit).as("audit records were written for these requests").hasSizeGreaterThan(15);
    assertThat(String.join("\n", audit)).as("the audit log shows the redaction").contains(Redactor.REDACTED)
        .contains("auth.failed").contains("access.denied").contains("policy.verdict").contains("probe/1.0 password=");
    List<String> logs = NoSecretsTest.logs.lines();
    assertThat(logs).as("log lines were captured").isNotEmpty();
    for (String secret : SECRETS) {
      assertThat(audit).as("audit records").noneMatch(record -> record.contains(secret));
      assertThat(logs).as("log lines").noneMatch(line -> line.contains(secret));
    }
  }

  @Test
  @DisplayName("even a careless log line is redacted by the JSON encoder")
  void carelessLogLineIsRedacted() {
    String password = secret("careless");
    String jwt = app.tokens().admin(TENANT);
    SECRETS.add(jwt);
    org.slf4j.LoggerFactory.getLogger("io.arbiter.test").warn("connecting with password={} and header Authorization: Bearer {}",
        password, jwt, new IllegalStateException("failed for token=" + password));
    String line = logs.lines().stream().filter(l -> l.contains("connecting with")).findFirst().orElseThrow();
    assertThat(line).doesNotContain(password).doesNotContain(jwt).contains(Redactor.REDACTED)
        .contains("stack_trace");
  }

  private static int rawGet(String path, String token, String userAgent) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpClient client = vertx.createHttpClient();
      return TestApp.await(client.request(HttpMethod.GET, app.arbiter().port(), "127.0.0.1", path).compose(request -> {
        request.putHeader("User-Agent", userAgent);
        if (token != null) {
          request.putHeader("Authorization", "Bearer " + token);
        }
        return request.send().compose(response -> response.body().map(body -> response.statusCode()));
      }));
    } finally {
      TestApp.await(vertx.close());
    }
  }

  private static Http.Reply send(HttpMethod method, String path, String token, JsonObject body, MultiMap headers) {
    return http.send(method, path, token, body == null ? null : "application/json",
        body == null ? null : body.toBuffer(), headers);
  }
}
