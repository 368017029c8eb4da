package io.arbiter.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A submission's callback URL")
class CallbackUrlTest {

  private static final CallbackSettings ON = new CallbackSettings(List.of("hooks.example.com", "*.example.org",
      "127.0.0.1"), "s".repeat(32), 10_000, 5, 86_400_000, 1_000, 60_000, 1_000);

  private static JsonObject callback(String url) {
    return new JsonObject().put("url", url);
  }

  private static ArbiterException refusal(JsonObject callback, CallbackSettings settings, String field) {
    try {
      CallbackUrl.check(callback, settings, field);
    } catch (ArbiterException e) {
      assertThat(e.failure()).isEqualTo(Failure.BAD_REQUEST);
      return e;
    }
    throw new AssertionError("accepted " + callback);
  }

  @Test
  @DisplayName("is optional, and accepted for a listed host over https or http")
  void acceptsListedHosts() {
    assertThat(CallbackUrl.check(null, CallbackSettings.OFF, "")).isNull();
    assertThat(CallbackUrl.check(callback("https://hooks.example.com/done?token=abc"), ON, ""))
        .isEqualTo("https://hooks.example.com/done?token=abc");
    assertThat(CallbackUrl.check(callback("http://127.0.0.1:8081/hook"), ON, "")).isNotNull();
    assertThat(CallbackUrl.check(callback("https://a.b.example.org/x"), ON, "")).isNotNull();
    assertThat(CallbackUrl.check(callback("HTTPS://HOOKS.Example.COM/"), ON, "")).as("case-insensitive").isNotNull();
  }

  @Test
  @DisplayName("is refused naming the field when callbacks are not enabled")
  void refusedWhenOff() {
    ArbiterException e = refusal(callback("https://hooks.example.com/"), CallbackSettings.OFF, "tasks[2].");
    assertThat(e.getMessage()).contains("tasks[2].callback").contains("not enabled");
    assertThat(e.extra().getString("field")).isEqualTo("tasks[2].callback");
  }

  @Test
  @DisplayName("is refused for a host not listed, naming the host but never the path or query")
  void refusedForOtherHosts() {
    ArbiterException e = refusal(callback("https://evil.example.net/x?token=s3cr3t"), ON, "");
    assertThat(e.extra().getString("field")).isEqualTo("callback.url");
    assertThat(e.getMessage()).contains("evil.example.net").doesNotContain("s3cr3t");
    refusal(callback("https://example.org/"), ON, "");
    refusal(callback("https://hooks.example.com.evil.net/"), ON, "");
    refusal(callback("https://xexample.org/"), ON, "");
  }

  @Test
  @DisplayName("is refused with user information, another scheme, no host, or over the length bound")
  void refusedWhenMalformed() {
    assertThat(refusal(callback("https://user:pw@hooks.example.com/"), ON, "").getMessage())
        .contains("user information").doesNotContain("pw@");
    refusal(callback("https://user@hooks.example.com/"), ON, "");
    refusal(callback("ftp://hooks.example.com/"), ON, "");
    refusal(callback("file:///etc/passwd"), ON, "");
    refusal(callback("/relative/path"), ON, "");
    refusal(callback("https:///nohost"), ON, "");
    refusal(callback("https://hooks.example.com/ bad"), ON, "");
    refusal(callback(""), ON, "");
    String longUrl = "https://hooks.example.com/" + "a".repeat(CallbackUrl.MAX_LENGTH);
    assertThat(refusal(callback(longUrl), ON, "").getMessage()).contains("limit is 2048");
    assertThatThrownBy(() -> CallbackUrl.check(new JsonObject(), ON, "")).isInstanceOf(ArbiterException.class);
  }
}
