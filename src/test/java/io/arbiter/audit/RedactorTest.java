package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.arbiter.db.Secrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
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

  /**
   * Texts that made the earlier patterns backtrack for seconds (a run of letters before a missing {@code ://}, a JWT
   * prefix or a secret's name repeated, a credential prefix with no end): each is 64 KB. A pattern that backtracks
   * without bound takes minutes on any of them; a linear one takes milliseconds.
   */
  private static List<String> hostileTexts() {
    int size = Redactor.MAX_TEXT;
    return List.of("a".repeat(size), "a.".repeat(size / 2), "a://".repeat(size / 4), "a://b:".repeat(size / 6),
        "eyJ".repeat(size / 3), "eyJaaaaa.".repeat(size / 9), "token".repeat(size / 5), "passwordx".repeat(size / 9),
        "bearer ".repeat(size / 7), "password" + " ".repeat(size - 8), "x://" + "u".repeat(size - 4),
        "Basic " + "A".repeat(size - 6), "tokenaaaa\\\"".repeat(size / 11));
  }

  @Test
  @DisplayName("64 KB of hostile text passes every redaction entry point in linear time")
  void hostileTextIsRedactedInLinearTime() {
    List<Consumer<String>> entryPoints = List.of(Redactor::redactText, Redactor::userAgent, Redactor::isSecretName,
        Secrets::mask,
        text -> Redactor.redact(new JsonObject().put(text, text).put("note", new JsonArray().add(text))),
        text -> new LogRedaction().mask(null, text),
        text -> new AuditEvent("t", "s", "r", "a", text, AuditEvent.Outcome.SUCCESS, null, null, text,
            new JsonObject().put("note", text), null));
    for (String text : hostileTexts()) {
      assertTimeoutPreemptively(Duration.ofSeconds(2), () -> entryPoints.forEach(entry -> entry.accept(text)),
          () -> "hostile text starting " + text.substring(0, 12));
    }
  }

  @Test
  @DisplayName("text longer than the bound is cut at a delimiter and marked, so no secret is left half-shown")
  void longTextIsCutAtADelimiter() {
    String head = "x".repeat(Redactor.MAX_TEXT - 20) + " ";
    String text = head + "password=" + "s".repeat(40) + " tail";
    String redacted = Redactor.redactText(text);
    assertThat(redacted).isEqualTo(head + Redactor.CUT).doesNotContain("sss");
    assertThat(Redactor.redactText("short password=abc")).isEqualTo("short password=" + Redactor.REDACTED);
  }

  @Test
  @DisplayName("a User-Agent is kept whole up to its bound, longer ones are cut with the mark, and a second pass changes nothing")
  void userAgentsAreBoundedAndRedacted() {
    assertThat(Redactor.userAgent(null)).isNull();
    assertThat(Redactor.userAgent("curl/8.5.0")).isEqualTo("curl/8.5.0");
    assertThat(Redactor.userAgent("probe/1.0 password=hunter2")).isEqualTo("probe/1.0 password=" + Redactor.REDACTED);
    String exact = "u".repeat(Redactor.MAX_USER_AGENT);
    assertThat(Redactor.userAgent(exact)).isEqualTo(exact);

    String head = "agent/1.0 " + "x".repeat(400) + " ";
    String cut = Redactor.userAgent(head + "token=" + "s".repeat(200));
    assertThat(cut).isEqualTo(head + Redactor.CUT).hasSizeLessThanOrEqualTo(Redactor.MAX_USER_AGENT);
    assertThat(Redactor.userAgent(cut)).isEqualTo(cut);
    assertThat(Redactor.userAgent("a".repeat(8_000))).as("no delimiter: nothing of it is kept").isEqualTo(Redactor.CUT);
    assertThat(new AuditEvent("t", "s", "r", "a", "target", AuditEvent.Outcome.DENIED, null, "a".repeat(8_000), null,
        null, null).userAgent()).isEqualTo(Redactor.CUT);
  }
}
