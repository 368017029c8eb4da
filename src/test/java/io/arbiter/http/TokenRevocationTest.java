package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.BridgeClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp("auth.revocationRefreshMs=200")
@DisplayName("Revoked tokens are refused everywhere, on every node, until they expire")
class TokenRevocationTest {

  private static final String PATH = "/api/v1/token-revocations";
  @ArbiterApp.Inject private static TestApp app;
  private static Vertx vertx;
  private static WebSocketClient webSockets;
  private static HttpClient streams;

  @BeforeAll
  static void clients() {
    vertx = Vertx.vertx();
    webSockets = vertx.createWebSocketClient();
    streams = vertx.createHttpClient();
  }

  @AfterAll
  static void closeClients() {
    TestApp.await(vertx.close());
  }

  private static JsonObject claims(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static Http.Reply revoke(String by, JsonObject body) {
    return app.http().post(PATH, by, body);
  }

  @Test
  @DisplayName("every minted token carries a jti; the tenant's admin revokes one, which is then refused with 401 "
      + "while other tokens still work, and the revocation is audited without the token")
  void adminRevokesATokenOfItsTenant() {
    String victim = app.tokens().of("rev-a", Role.OPERATOR, "olga");
    String jti = claims(victim).getString("jti");
    assertThat(jti).isNotBlank();
    assertThat(claims(app.tokens().of("rev-a", Role.OPERATOR, "olga")).getString("jti")).isNotEqualTo(jti);
    assertThat(app.http().get("/api/v1/agents", victim).status()).isEqualTo(200);

    Http.Reply revoked = revoke(app.tokens().admin("rev-a"), new JsonObject().put("token", victim));
    assertThat(revoked.status()).as(revoked.toString()).isEqualTo(201);
    assertThat(revoked.json().getString("jti")).isEqualTo(jti);
    assertThat(revoked.json().getString("tenantId")).isEqualTo("rev-a");
    assertThat(revoked.json().getString("revokedBy")).isEqualTo("admin");

    JsonObject problem = assertProblem(app.http().get("/api/v1/agents", victim), Failure.UNAUTHORIZED);
    assertThat(problem.getString("detail")).contains("revoked");
    assertThat(app.http().get("/api/v1/agents", app.tokens().of("rev-a", Role.OPERATOR, "olga")).status())
        .isEqualTo(200);
    assertThat(revoke(app.tokens().admin("rev-a"), new JsonObject().put("token", victim)).status())
        .as("revoking again is harmless").isEqualTo(201);

    TestApp.eventually(Duration.ofSeconds(5), "the revocation is audited", () -> app.sql(
        "SELECT count(*) FROM audit_log WHERE tenant_id = 'rev-a' AND action = 'token.revoked' AND target = $1",
        "jti:" + jti).iterator().next().getLong(0) >= 1);
    assertThat(app.sql("SELECT count(*) FROM audit_log WHERE details::text LIKE $1", "%" + victim.split("\\.")[2]
        + "%").iterator().next().getLong(0)).as("no audit record holds the token").isZero();
  }

  @Test
  @DisplayName("an admin cannot revoke another tenant's token (403), other roles cannot revoke at all, the platform "
      + "role can revoke any tenant's, by token or by jti")
  void whoMayRevoke() {
    String foreign = app.tokens().of("rev-b", Role.OPERATOR, "bob");
    assertProblem(revoke(app.tokens().admin("rev-other"), new JsonObject().put("token", foreign)), Failure.FORBIDDEN);
    assertProblem(revoke(app.tokens().of("rev-b", Role.OPERATOR, "bob"), new JsonObject().put("token", foreign)),
        Failure.FORBIDDEN);
    assertProblem(revoke(app.tokens().admin("rev-other"), new JsonObject().put("jti", "x").put("tenantId", "rev-b")
        .put("expiresAt", Instant.now().plusSeconds(600).toString())), Failure.FORBIDDEN);
    assertThat(app.http().get("/api/v1/agents", foreign).status()).isEqualTo(200);

    String platform = app.tokens().of("ops", Role.PLATFORM, "root");
    JsonObject byJti = new JsonObject().put("jti", claims(foreign).getString("jti")).put("tenantId", "rev-b")
        .put("expiresAt", Instant.ofEpochSecond(claims(foreign).getLong("exp")).toString());
    assertThat(revoke(platform, byJti).status()).isEqualTo(201);
    assertProblem(app.http().get("/api/v1/agents", foreign), Failure.UNAUTHORIZED);

    String another = app.tokens().of("rev-c", Role.AGENT, "c-1");
    assertThat(revoke(platform, new JsonObject().put("token", another)).status()).isEqualTo(201);
    assertProblem(app.http().get("/api/v1/agents/c-1", another), Failure.UNAUTHORIZED);
  }

  @Test
  @DisplayName("bad revocations answer 4xx naming the field: no jti in the token, an invalid token, an expiry in "
      + "the past, both forms at once")
  void badRevocations() {
    String admin = app.tokens().admin("rev-d");
    JsonObject noJti = assertProblem(revoke(admin, new JsonObject().put("token", app.tokens().withoutJti("rev-d"))),
        Failure.UNPROCESSABLE);
    assertThat(noJti.getString("detail")).contains("no jti");
    assertThat(app.http().get("/api/v1/agents", app.tokens().withoutJti("rev-d")).status())
        .as("a token without a jti is still accepted").isEqualTo(200);
    assertProblem(revoke(admin, new JsonObject().put("token", app.tokens().tampered("rev-d"))), Failure.UNPROCESSABLE);
    assertProblem(revoke(admin, new JsonObject().put("jti", "j").put("expiresAt", "2001-01-01T00:00:00Z")),
        Failure.UNPROCESSABLE);
    assertProblem(revoke(admin, new JsonObject().put("jti", "j")), Failure.BAD_REQUEST);
    assertProblem(revoke(admin, new JsonObject().put("token", admin).put("jti", "j")), Failure.BAD_REQUEST);
    assertProblem(revoke(admin, new JsonObject()), Failure.BAD_REQUEST);
  }

  @Test
  @DisplayName("open streams (SSE and WebSocket) and bridge sockets using a revoked token are closed at once")
  void openConnectionsCloseOnRevocation() {
    String tenant = "rev-e";
    assertThat(app.http().post("/api/v1/agents", app.tokens().admin(tenant), Agents.registration("e-1")).status())
        .isEqualTo(201);
    String operator = app.tokens().of(tenant, Role.OPERATOR, "op");
    String agent = app.tokens().agent(tenant, "e-1");

    List<String> blocks = new CopyOnWriteArrayList<>();
    TestApp.await(streams.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(app.arbiter().port()).setURI("/api/v1/events").addHeader("Authorization", "Bearer " + operator))
        .compose(req -> req.send()).map(resp -> {
          assertThat(resp.statusCode()).isEqualTo(200);
          resp.handler(chunk -> blocks.add(chunk.toString()));
          return resp;
        }));
    AtomicReference<Short> wsClosed = new AtomicReference<>();
    WebSocket ws = TestApp.await(webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(app.arbiter().port()).setURI("/api/v1/stream").addHeader("Authorization", "Bearer " + operator)));
    ws.closeHandler(v -> wsClosed.set(ws.closeStatusCode()));
    Http.Reply ticket = app.http().post("/api/v1/stream-tickets", operator, null);
    assertThat(ticket.status()).isEqualTo(201);

    try (BridgeClient bridge = BridgeClient.connect(vertx, app.arbiter().port())) {
      bridge.register("arbiter.agent.e-1.tasks", agent);
      TestApp.eventually(Duration.ofSeconds(5), "the bridge channel is open", () -> "push".equals(app.http()
          .get("/api/v1/agents/e-1", app.tokens().admin(tenant)).json().getString("delivery")));

      assertThat(revoke(app.tokens().admin(tenant), new JsonObject().put("token", operator)).status()).isEqualTo(201);
      assertThat(revoke(app.tokens().admin(tenant), new JsonObject().put("token", agent)).status()).isEqualTo(201);

      TestApp.eventually(Duration.ofSeconds(5), "both streams and the bridge socket are closed",
          () -> wsClosed.get() != null && String.join("", blocks).contains("event: revoked") && bridge.isClosed());
      assertThat(wsClosed.get()).isEqualTo((short) 1008);
      assertThat(bridge.closeStatus()).isEqualTo((short) 4408);
    }
    assertProblem(app.http().get("/api/v1/events", operator), Failure.UNAUTHORIZED);
    JsonObject ticketRefused = assertProblem(app.http().get("/api/v1/events?ticket="
        + ticket.json().getString("ticket"), null), Failure.UNAUTHORIZED);
    assertThat(ticketRefused.getString("detail")).contains("revoked");
    try (BridgeClient again = BridgeClient.connect(vertx, app.arbiter().port())) {
      again.register("arbiter.agent.e-1.tasks", agent);
      JsonObject refused = again.awaitFrame(Duration.ofSeconds(5), "the refusal", "arbiter.agent.e-1.tasks");
      assertThat(refused.getString("message")).contains("revoked");
    }
  }

  @Test
  @DisplayName("a second node on the same database refuses the token within auth.revocationRefreshMs; entries whose "
      + "tokens have expired are purged")
  void anotherNodeLearnsOfTheRevocation() {
    app.sql("INSERT INTO revoked_tokens (tenant_id, jti, expires_at, revoked_by, revoked_at) "
        + "VALUES ('rev-f', 'long-gone', now() - interval '1 minute', 'admin', now() - interval '1 hour')");
    try (TestApp second = TestApp.start(Map.of("db.url", app.dbUrl(), "auth.revocationRefreshMs", 200))) {
      String token = app.tokens().of("rev-f", Role.OPERATOR, "fay");
      assertThat(second.http().get("/api/v1/agents", token).status()).isEqualTo(200);
      assertThat(revoke(app.tokens().admin("rev-f"), new JsonObject().put("token", token)).status()).isEqualTo(201);
      TestApp.eventually(Duration.ofSeconds(5), "the other node refuses the token",
          () -> second.http().get("/api/v1/agents", token).status() == 401);
      TestApp.eventually(Duration.ofSeconds(5), "the expired entry is purged, the live one kept", () -> app.sql(
          "SELECT count(*) FROM revoked_tokens WHERE tenant_id = 'rev-f'").iterator().next().getLong(0) == 1);
    }
  }
}
