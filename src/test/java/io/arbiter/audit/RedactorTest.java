package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Secrets never reach audit details")
class RedactorTest {

  @Test
  @DisplayName("fields named like secrets are redacted at any depth")
  void secretNamedFieldsAreRedacted() {
    JsonObject details = new JsonObject()
        .put("password", "hunter2")
        .put("nested", new JsonObject().put("apiKey", "k-123").put("Authorization", "Bearer abc")
            .put("list", new JsonArray().add(new JsonObject().put("client_secret", "s"))))
        .put("name", "kept");
    String redacted = Redactor.redact(details).encode();
    assertThat(redacted).doesNotContain("hunter2", "k-123", "Bearer abc", "\"s\"").contains("kept");
  }

  @Test
  @DisplayName("bearer tokens, JWTs and URL passwords inside free text are redacted")
  void secretLookingValuesAreRedacted() {
    String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVl";
    JsonObject details = new JsonObject().put("note", "sent Bearer abc.def and " + jwt)
        .put("target", "postgresql://arbiter:pa55@db:5432/arbiter");
    String redacted = Redactor.redact(details).encode();
    assertThat(redacted).doesNotContain("abc.def", jwt, "pa55").contains(Redactor.REDACTED);
  }

  @Test
  @DisplayName("a URL keeps its user, host, port and database; only its password is redacted")
  void urlKeepsItsAddress() {
    assertThat(Redactor.redactText("cannot reach postgresql://arbiter:pa55@db:5432/arbiter (timeout)"))
        .isEqualTo("cannot reach postgresql://arbiter:[redacted]@db:5432/arbiter (timeout)");
    assertThat(Redactor.redactText("(database postgresql://arbiter:****@db:5432/arbiter)"))
        .isEqualTo("(database postgresql://arbiter:****@db:5432/arbiter)");
    assertThat(Redactor.redactText("postgresql://postgres@localhost:54329/postgres"))
        .isEqualTo("postgresql://postgres@localhost:54329/postgres");
  }

  @Test
  @DisplayName("an audit event redacts its details on construction")
  void eventRedactsOnConstruction() {
    AuditEvent event = new AuditEvent("t", "s", "r", "a", "x", AuditEvent.Outcome.SUCCESS, null, null, null,
        new JsonObject().put("token", "abc"), null);
    assertThat(event.details().getString("token")).isEqualTo(Redactor.REDACTED);
  }

  @Test
  @DisplayName("in free text, the value of anything named like a secret is redacted, and the rest kept")
  void secretAssignmentsInTextAreRedacted() {
    String text = "login failed: password=hunter2; api_key: k-9 {\"client_secret\":\"s3\"} token=t0 "
        + "Authorization: Basic dXNlcjpwYXNzd29yZA== kept=yes";
    String redacted = Redactor.redactText(text);
    assertThat(redacted).doesNotContain("hunter2", "k-9", "s3", "t0", "dXNlcjpwYXNzd29yZA==")
        .contains("login failed: password=" + Redactor.REDACTED).contains("kept=yes");
    assertThat(Redactor.redactText("nothing to hide")).isEqualTo("nothing to hide");
    assertThat(Redactor.redactText(null)).isNull();
  }

  @Test
  @DisplayName("the log encoder's masker redacts strings and secret-named fields, and leaves clean values alone")
  void logMaskerRedacts() {
    LogRedaction masker = new LogRedaction();
    assertThat(masker.mask(null, "connect as postgresql://arbiter:pa55@db/arbiter with token=abc"))
        .asString().doesNotContain("pa55", "abc");
    assertThat(masker.mask(null, "plain message")).isNull();
    assertThat(masker.mask(null, 42)).isNull();
  }
}
