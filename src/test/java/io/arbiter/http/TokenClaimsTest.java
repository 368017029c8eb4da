package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.support.TestApp;
import io.arbiter.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Issuer and audience are checked when configured")
class TokenClaimsTest {

  private static TestApp app;

  @BeforeAll
  static void boot() {
    app = TestApp.start(Map.of("auth.issuer", "https://issuer.example", "auth.audience", "arbiter-api"));
  }

  @AfterAll
  static void shutdown() {
    app.close();
  }

  private static String tokenFrom(String issuer, String audience, Vertx vertx) {
    return new Tokens(vertx, new ArbiterConfig.Auth(TestApp.SECRET, issuer, audience, 0)).admin("acme");
  }

  @Test
  @DisplayName("a token with the configured iss and aud is accepted; a wrong or missing one answers 401")
  void issuerAndAudienceMustMatch(Vertx vertx) {
    assertThat(app.http().get("/api/v1/agents", tokenFrom("https://issuer.example", "arbiter-api", vertx)).status())
        .isEqualTo(200);
    assertProblem(app.http().get("/api/v1/agents", tokenFrom("https://evil.example", "arbiter-api", vertx)),
        Failure.UNAUTHORIZED);
    assertProblem(app.http().get("/api/v1/agents", tokenFrom("https://issuer.example", "other-api", vertx)),
        Failure.UNAUTHORIZED);
    assertProblem(app.http().get("/api/v1/agents", tokenFrom("", "", vertx)), Failure.UNAUTHORIZED);
  }
}
