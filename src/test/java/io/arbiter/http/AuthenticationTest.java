package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.arbiter.support.Tokens;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp
@ExtendWith(VertxExtension.class)
@DisplayName("Bearer authentication refuses every bad token with 401 and audits it")
class AuthenticationTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  @Test
  @DisplayName("a request without a token answers 401 with WWW-Authenticate")
  void missingTokenIsUnauthorized() {
    Http.Reply reply = http.get("/api/v1/agents", null);
    assertProblem(reply, Failure.UNAUTHORIZED);
    assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  @DisplayName("an expired token answers 401")
  void expiredTokenIsUnauthorized() {
    assertProblem(http.get("/api/v1/agents", app.tokens().expired("acme")), Failure.UNAUTHORIZED);
  }

  @Test
  @DisplayName("a token whose payload was altered answers 401")
  void tamperedTokenIsUnauthorized() {
    assertProblem(http.get("/api/v1/agents", app.tokens().tampered("acme")), Failure.UNAUTHORIZED);
  }

  @Test
  @DisplayName("an unsigned alg:none token answers 401")
  void algNoneTokenIsUnauthorized() {
    assertProblem(http.get("/api/v1/agents", Tokens.algNone("acme")), Failure.UNAUTHORIZED);
  }

  @Test
  @DisplayName("a token without exp answers 401")
  void tokenWithoutExpiryIsUnauthorized() {
    assertProblem(http.get("/api/v1/agents", app.tokens().withoutExpiry("acme")), Failure.UNAUTHORIZED);
  }

  @Test
  @DisplayName("a token signed with another secret answers 401")
  void foreignSignatureIsUnauthorized() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      Tokens foreign = new Tokens(vertx, new io.arbiter.config.ArbiterConfig.Auth(
          "another-secret-0123456789-0123456789-xyz", "", "", 0));
      assertProblem(http.get("/api/v1/agents", foreign.admin("acme")), Failure.UNAUTHORIZED);
    } finally {
      vertx.close();
    }
  }

  @Test
  @DisplayName("refused tokens are security events in the audit log, without the token itself")
  void refusalsAreAuditedWithoutSecrets() {
    String tampered = app.tokens().tampered("acme");
    assertProblem(http.get("/api/v1/agents?limit=7", tampered), Failure.UNAUTHORIZED);
    TestApp.eventually(Duration.ofSeconds(5), "the refusal is in audit_log", () -> app.sql(
        "SELECT 1 FROM audit_log WHERE action = 'auth.failed' AND outcome = 'denied'").size() > 0);
    var rows = app.sql("SELECT tags, details::text AS details FROM audit_log WHERE action = 'auth.failed'");
    rows.forEach(row -> {
      assertThat(row.getArrayOfStrings("tags")).contains("security", "SOX", "PCI-DSS");
      assertThat(row.getString("details")).doesNotContain(tampered.substring(0, 20)).doesNotContain("Bearer");
    });
  }
}
