package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.SigningKeys;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RS256 and ES256 tokens are verified with keys from a PEM file or a JWKS, rotated without a restart")
class AsymmetricKeysTest {

  private static final String ISSUER = "https://idp.example";
  private static final String AUDIENCE = "arbiter-api";

  private static Vertx vertx;
  private static HttpServer jwksServer;
  private static final List<JsonObject> published = new CopyOnWriteArrayList<>();
  private static final AtomicInteger fetches = new AtomicInteger();
  private static Path pemFile;

  @BeforeAll
  static void boot() throws IOException {
    vertx = Vertx.vertx();
    jwksServer = TestApp.await(vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/huge.json")) {
        JsonArray keys = new JsonArray(new java.util.ArrayList<>(published));
        keys.add(new JsonObject().put("kty", "oct").put("k", "x".repeat(2 << 20)));
        req.response().putHeader("Content-Type", "application/json").setChunked(true)
            .end(new JsonObject().put("keys", keys).encode());
        return;
      }
      fetches.incrementAndGet();
      req.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("keys", new JsonArray(List.copyOf(published))).encode());
    }).listen(0, "127.0.0.1"));
    pemFile = Files.createTempFile("arbiter-keys", ".pem");
  }

  @AfterAll
  static void shutdown() throws IOException {
    TestApp.await(vertx.close());
    Files.deleteIfExists(pemFile);
  }

  private static int status(TestApp app, String token) {
    return app.http().get("/api/v1/agents", token).status();
  }

  @Test
  @DisplayName("a key added to the PEM file is accepted and a key removed is refused, on the next scan")
  void pemFileRotation() throws IOException {
    SigningKeys rsa = SigningKeys.rsa(vertx, "rsa-1");
    SigningKeys ec = SigningKeys.ec(vertx, "ec-1");
    Files.writeString(pemFile, rsa.publicPem());
    try (TestApp app = TestApp.start(Map.of("auth.publicKeysPath", pemFile.toString(), "config.scanPeriodMs", 200,
        "auth.issuer", ISSUER, "auth.audience", AUDIENCE))) {
      String verifiedBefore = rsa.token("keys", Role.ADMIN, "alice", ISSUER, AUDIENCE);
      assertThat(status(app, verifiedBefore)).isEqualTo(200);
      assertThat(status(app, verifiedBefore)).as("a token used again").isEqualTo(200);
      assertProblem(app.http().get("/api/v1/agents", ec.token("keys", Role.ADMIN, "alice", ISSUER, AUDIENCE)),
          Failure.UNAUTHORIZED);
      assertProblem(app.http().get("/api/v1/agents", rsa.token("keys", Role.ADMIN, "alice", ISSUER, "other")),
          Failure.UNAUTHORIZED);

      Files.writeString(pemFile, rsa.publicPem() + ec.publicPem());
      TestApp.eventually(Duration.ofSeconds(10), "the added EC key is accepted",
          () -> status(app, ec.token("keys", Role.ADMIN, "alice", ISSUER, AUDIENCE)) == 200);

      Files.writeString(pemFile, ec.publicPem());
      TestApp.eventually(Duration.ofSeconds(10), "the removed RSA key is refused",
          () -> status(app, rsa.token("keys", Role.ADMIN, "alice", ISSUER, AUDIENCE)) == 401);
      assertThat(status(app, verifiedBefore)).as("a token verified with the removed key before").isEqualTo(401);
      assertThat(status(app, ec.token("keys", Role.ADMIN, "alice", ISSUER, AUDIENCE))).isEqualTo(200);

      Files.writeString(pemFile, "-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----\n");
      TestApp.eventually(Duration.ofSeconds(5), "a broken file keeps the keys in force",
          () -> status(app, ec.token("keys", Role.ADMIN, "alice", ISSUER, AUDIENCE)) == 200);
      assertThat(status(app, app.tokens().admin("keys"))).as("HS256 stays accepted in dev mode").isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a JWKS key is accepted; an unknown kid fetches the JWKS again, at most once per 5 s, and a key "
      + "dropped from it is refused")
  void jwksRotationAndBoundedRefetch() {
    SigningKeys first = SigningKeys.rsa(vertx, "first");
    SigningKeys second = SigningKeys.ec(vertx, "second");
    published.clear();
    published.add(first.jwk());
    fetches.set(0);
    try (TestApp app = TestApp.start(Map.of("auth.jwksUrl", "http://127.0.0.1:" + jwksServer.actualPort()
        + "/jwks.json", "auth.jwksRefreshMs", 600_000))) {
      String verifiedBefore = first.token("keys", Role.ADMIN, "alice");
      assertThat(status(app, verifiedBefore)).isEqualTo(200);
      assertThat(fetches.get()).isEqualTo(1);

      published.clear();
      published.add(second.jwk());
      List<String> forged = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) {
        forged.add(SigningKeys.ec(vertx, "forged-" + i).token("keys", Role.ADMIN, "mallory"));
      }
      long started = System.nanoTime();
      forged.forEach(token -> status(app, token));
      long windows = Duration.ofNanos(System.nanoTime() - started).toMillis() / 5_000;
      assertThat(fetches.get()).as("30 unknown kids fetch at most once per 5 s").isLessThanOrEqualTo(2 + (int) windows);

      TestApp.eventually(Duration.ofSeconds(15), "the new key is accepted after a refetch",
          () -> status(app, second.token("keys", Role.ADMIN, "alice")) == 200);
      assertProblem(app.http().get("/api/v1/agents", first.token("keys", Role.ADMIN, "alice")),
          Failure.UNAUTHORIZED);
      assertProblem(app.http().get("/api/v1/agents", verifiedBefore), Failure.UNAUTHORIZED);
      assertThat(fetches.get()).isLessThanOrEqualTo(4 + (int) windows);
    }
  }

  @Test
  @DisplayName("a JWKS larger than 1 MiB is not read: its keys are refused")
  void oversizedJwksIsRefused() {
    SigningKeys key = SigningKeys.rsa(vertx, "big");
    published.clear();
    published.add(key.jwk());
    try (TestApp app = TestApp.start(Map.of("auth.jwksUrl", "http://127.0.0.1:" + jwksServer.actualPort()
        + "/huge.json"))) {
      assertProblem(app.http().get("/api/v1/agents", key.token("keys", Role.ADMIN, "alice")), Failure.UNAUTHORIZED);
    }
  }
}
