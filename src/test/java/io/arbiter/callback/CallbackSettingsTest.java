package io.arbiter.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.config.ConfigException;
import io.arbiter.support.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Callback settings map from callbacks.*")
class CallbackSettingsTest {

  private static final String SECRET = "s".repeat(32);

  @Test
  @DisplayName("the bundled defaults leave callbacks off")
  void offByDefault() {
    CallbackSettings settings = CallbackSettings.from(TestConfig.defaultsWith(Map.of()));
    assertThat(settings.enabled()).isFalse();
    assertThat(settings).isEqualTo(CallbackSettings.OFF);
  }

  @Test
  @DisplayName("allowed hosts are trimmed and lower-cased, blanks skipped")
  void hostsAreNormalised() {
    CallbackSettings settings = CallbackSettings.from(TestConfig.defaultsWith(Map.of(
        "callbacks.allowedHosts", " Hooks.Example.com, *.example.org ,,127.0.0.1", "callbacks.signingSecret", SECRET)));
    assertThat(settings.allowedHosts()).containsExactly("hooks.example.com", "*.example.org", "127.0.0.1");
    assertThat(settings.enabled()).isTrue();
  }

  @Test
  @DisplayName("a host with a scheme, port or path fails naming the key")
  void badHostIsRefused() {
    assertThatThrownBy(() -> CallbackSettings.from(TestConfig.defaultsWith(Map.of(
        "callbacks.allowedHosts", "https://hooks.example.com", "callbacks.signingSecret", SECRET))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("callbacks.allowedHosts")
        .hasMessageContaining("'https://hooks.example.com' is not a host name");
  }

  @Test
  @DisplayName("callbacks on need a signing secret of 32 characters, and the error never shows it")
  void shortSecretIsRefused() {
    assertThatThrownBy(() -> CallbackSettings.from(TestConfig.defaultsWith(Map.of(
        "callbacks.allowedHosts", "hooks.example.com", "callbacks.signingSecret", "hunter2"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("callbacks.signingSecret")
        .hasMessageContaining("ARBITER_CALLBACKS_SIGNING_SECRET").hasMessageNotContaining("hunter2");
  }

  @Test
  @DisplayName("a backoff base above its cap is refused; toString masks the secret")
  void backoffBaseAboveCapIsRefused() {
    assertThatThrownBy(() -> CallbackSettings.from(TestConfig.defaultsWith(Map.of(
        "callbacks.backoffBaseMs", 5_000, "callbacks.backoffCapMs", 1_000))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config key callbacks.backoffBaseMs must not exceed callbacks.backoffCapMs");
    assertThat(CallbackSettings.from(TestConfig.defaultsWith(Map.of(
        "callbacks.allowedHosts", "hooks.example.com", "callbacks.signingSecret", SECRET))).toString())
        .contains("signingSecret=****").doesNotContain(SECRET);
  }
}
