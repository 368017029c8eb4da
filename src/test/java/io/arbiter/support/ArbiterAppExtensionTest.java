package io.arbiter.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp({"http.maxStreamsPerCaller=7", "http.bodyLimitBytes=4096"})
@DisplayName("@ArbiterApp boots one app per class with the declared settings and injects it")
class ArbiterAppExtensionTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;
  @ArbiterApp.Inject private Tokens tokens;
  private static TestApp seenBeforeAll;

  @ArbiterApp.Settings
  static Map<String, Object> settings() {
    return Map.of("http.bodyLimitBytes", 8192);
  }

  @BeforeAll
  static void remember(TestApp started) {
    seenBeforeAll = started;
  }

  @Test
  @DisplayName("the annotation's settings apply, and the settings method's win over them")
  void settingsApply() {
    assertThat(app.arbiter().config().http().maxStreamsPerCaller()).isEqualTo(7);
    assertThat(app.arbiter().config().http().bodyLimitBytes()).isEqualTo(8192);
  }

  @Test
  @DisplayName("static and instance fields and the parameters of @BeforeAll and @Test get the class's one running app")
  void fieldsAndParametersShareOneApp(TestApp parameter, Http httpParameter, Tokens tokensParameter) {
    assertThat(parameter).isSameAs(app).isSameAs(seenBeforeAll);
    assertThat(httpParameter).isSameAs(http).isSameAs(app.http());
    assertThat(tokensParameter).isSameAs(tokens).isSameAs(app.tokens());
    assertThat(http.get("/api/v1/agents", tokens.admin("extension")).status()).isEqualTo(200);
  }
}
