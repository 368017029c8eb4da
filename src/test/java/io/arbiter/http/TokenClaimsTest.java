package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.TestApp;
import io.arbiter.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp({"auth.issuer=https://issuer.example", "auth.audience=arbiter-api"})
@ExtendWith(VertxExtension.class)
@DisplayName("Issuer and audience are checked when configured")
class TokenClaimsTest {

  @ArbiterApp.Inject private static TestApp app;

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
