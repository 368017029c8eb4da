package io.arbiter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import io.arbiter.support.TestConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Config keys resolve, validate and diff")
class ConfigValuesTest {

  @Test
  @DisplayName("environment and property names derive from the key path")
  void namesDeriveFromPath() {
    assertThat(ConfigKey.REGISTRY_HEARTBEAT_WINDOW_MS.envName()).isEqualTo("ARBITER_REGISTRY_HEARTBEAT_WINDOW_MS");
    assertThat(ConfigKey.HTTP_PORT.envName()).isEqualTo("ARBITER_HTTP_PORT");
    assertThat(ConfigKey.DB_URL.envName()).isEqualTo("ARBITER_DB_URL");
    assertThat(ConfigKey.DATA_DIR.envName()).isEqualTo("ARBITER_DATA_DIR");
    assertThat(ConfigKey.AUTH_JWT_SECRET.propertyName()).isEqualTo("arbiter.auth.jwtSecret");
  }

  @Test
  @DisplayName("the bundled defaults hold every key and are valid")
  void bundledDefaultsAreComplete() {
    ConfigValues values = ConfigValues.from(ConfigLoader.bundledDefaults());
    assertThat(values.integer(ConfigKey.HTTP_PORT)).isEqualTo(8080);
    assertThat(ArbiterConfig.from(values).mode()).isEqualTo(ArbiterConfig.Mode.DEV);
  }

  @Test
  @DisplayName("db.poolSize 0 follows the cores, between 4 and 16 connections per pool; a number is taken as it is")
  void poolSizeFollowsTheCores() {
    assertThat(ArbiterConfig.Db.poolSizeFor(0, 2)).isEqualTo(4);
    assertThat(ArbiterConfig.Db.poolSizeFor(0, 8)).isEqualTo(8);
    assertThat(ArbiterConfig.Db.poolSizeFor(0, 64)).isEqualTo(16);
    assertThat(ArbiterConfig.Db.poolSizeFor(3, 64)).isEqualTo(3);
    assertThat(ArbiterConfig.from(TestConfig.defaultsWith(Map.of("db.poolSize", 0))).db().poolSize())
        .isEqualTo(ArbiterConfig.Db.poolSizeFor(0, Runtime.getRuntime().availableProcessors()));
  }

  @Test
  @DisplayName("a relative dataDir is resolved once, against the working directory, into an absolute path")
  void relativeDataDirIsResolvedOnce() {
    assertThat(ArbiterConfig.from(TestConfig.defaultsWith(Map.of("dataDir", "./data/../data"))).dataDir())
        .isEqualTo(Path.of("").toAbsolutePath().resolve("data"));
  }

  @Test
  @DisplayName("system properties beat the environment, which beats the conf file")
  void precedence() {
    JsonObject merged = ConfigLoader.bundledDefaults();
    merged.getJsonObject("http").put("port", 1111);
    assertThat(ConfigValues.from(merged).integer(ConfigKey.HTTP_PORT)).isEqualTo(1111);
    merged.put("ARBITER_HTTP_PORT", "2222");
    assertThat(ConfigValues.from(merged).integer(ConfigKey.HTTP_PORT)).isEqualTo(2222);
    merged.put("arbiter.http.port", "3333");
    assertThat(ConfigValues.from(merged).integer(ConfigKey.HTTP_PORT)).isEqualTo(3333);
  }

  @Test
  @DisplayName("an invalid value fails naming the key, its source and the reason")
  void invalidValueNamesKey() {
    JsonObject merged = ConfigLoader.bundledDefaults().put("ARBITER_REGISTRY_HEARTBEAT_WINDOW_MS", "soon");
    assertThatThrownBy(() -> ConfigValues.from(merged))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("registry.heartbeatWindowMs")
        .hasMessageContaining("ARBITER_REGISTRY_HEARTBEAT_WINDOW_MS")
        .hasMessageContaining("integer");
    assertThatThrownBy(() -> TestConfig.defaultsWith(Map.of("http.port", 70000)))
        .hasMessageContaining("http.port").hasMessageContaining("65535");
    assertThatThrownBy(() -> TestConfig.defaultsWith(Map.of("mode", "staging")))
        .hasMessageContaining("mode").hasMessageContaining("dev, prod");
  }

  @Test
  @DisplayName("prod mode refuses to start without a JWT secret, a database, an issuer and an audience; short secrets "
      + "are refused")
  void prodNeedsSecretAndDatabase() {
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("mode", "prod",
        "db.url", "postgresql://a:b@h:5432/d"))))
        .hasMessageContaining("auth.jwtSecret").hasMessageContaining("ARBITER_AUTH_JWT_SECRET");
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("mode", "prod",
        "auth.jwtSecret", "x".repeat(40)))))
        .hasMessageContaining("db.url");
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("auth.jwtSecret", "short"))))
        .hasMessageContaining("at least 32");
    Map<String, Object> prod = Map.of("mode", "prod", "db.url", "postgresql://a:b@h:5432/d",
        "auth.jwtSecret", "x".repeat(40));
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(prod)))
        .hasMessageContaining("auth.issuer and auth.audience").hasMessageContaining("ARBITER_AUTH_ISSUER");
    Map<String, Object> complete = new java.util.HashMap<>(prod);
    complete.putAll(Map.of("auth.issuer", "https://issuer.example", "auth.audience", "arbiter-api",
        "http.behindTls", "true", "http.metricsToken", "m".repeat(32)));
    assertThat(ArbiterConfig.from(TestConfig.defaultsWith(complete)).mode()).isEqualTo(ArbiterConfig.Mode.PROD);
  }

  @Test
  @DisplayName("prod mode refuses to start without TLS (unless a proxy terminates it) and with /metrics open (unless "
      + "said to be public); TLS paths go together; CORS origins and the metrics token are checked")
  void prodNeedsTlsAndProtectedMetrics() {
    Map<String, Object> prod = new java.util.HashMap<>(Map.of("mode", "prod", "db.url", "postgresql://a:b@h:5432/d",
        "auth.jwtSecret", "x".repeat(40), "auth.issuer", "https://issuer.example", "auth.audience", "arbiter-api",
        "http.metricsToken", "m".repeat(32)));
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(prod)))
        .hasMessageContaining("http.tls.certPath").hasMessageContaining("ARBITER_HTTP_BEHIND_TLS=true");
    prod.put("http.behindTls", "true");
    ArbiterConfig behindProxy = ArbiterConfig.from(TestConfig.defaultsWith(prod));
    assertThat(behindProxy.http().transport().https()).isTrue();
    assertThat(behindProxy.http().transport().tls()).isFalse();
    prod.remove("http.metricsToken");
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(prod)))
        .hasMessageContaining("ARBITER_HTTP_METRICS_TOKEN").hasMessageContaining("ARBITER_HTTP_METRICS_PUBLIC=true");
    prod.put("http.metricsPublic", "true");
    assertThat(ArbiterConfig.from(TestConfig.defaultsWith(prod)).http().transport().metricsToken()).isEmpty();

    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("http.tls.certPath", "/c.pem"))))
        .hasMessageContaining("go together");
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("http.metricsToken", "short"))))
        .hasMessageContaining("at least 32");
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("http.cors.allowedOrigins", "*"))))
        .hasMessageContaining("is not an origin");
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(
        Map.of("http.cors.allowedOrigins", "https://a.example/path")))).hasMessageContaining("no path");
    assertThat(ArbiterConfig.from(TestConfig.defaultsWith(
        Map.of("http.cors.allowedOrigins", " https://a.example , http://localhost:5173 "))).http().transport()
        .corsOrigins()).containsExactly("https://a.example", "http://localhost:5173");
  }

  @Test
  @DisplayName("a claim poll slower than half the heartbeat window is refused")
  void claimPollMustFitHeartbeatWindow() {
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("tasks.claimPollMs", 20_000))))
        .hasMessageContaining("tasks.claimPollMs").hasMessageContaining("registry.heartbeatWindowMs");
  }

  @Test
  @DisplayName("a secret's value never appears in an error")
  void secretsAreMaskedInErrors() {
    assertThatThrownBy(() -> ArbiterConfig.from(TestConfig.defaultsWith(Map.of("db.url", "mysql://u:hunter2@h/d"))))
        .hasMessageContaining("db.url").hasMessageNotContaining("hunter2");
    assertThat(ConfigKey.DB_PASSWORD.display("hunter2")).isEqualTo("****");
  }

  @Test
  @DisplayName("a diff lists changed keys; applying only reloadable ones leaves the others untouched")
  void diffAndApplyReloadable() {
    ConfigValues before = TestConfig.defaultsWith(Map.of());
    ConfigValues after = TestConfig.defaultsWith(Map.of("api.defaultPageSize", 7, "http.port", 9999));
    var changes = before.changesTo(after);
    assertThat(changes).extracting(ConfigValues.Change::key)
        .containsExactlyInAnyOrder(ConfigKey.API_DEFAULT_PAGE_SIZE, ConfigKey.HTTP_PORT);
    ConfigValues applied = before.with(changes.stream().filter(c -> c.key().reloadable()).toList());
    assertThat(applied.integer(ConfigKey.API_DEFAULT_PAGE_SIZE)).isEqualTo(7);
    assertThat(applied.integer(ConfigKey.HTTP_PORT)).isEqualTo(8080);
  }

  @Test
  @DisplayName("heartbeat window, default page size and log level are reloadable")
  void reloadableKeys() {
    assertThat(Arrays.stream(ConfigKey.values()).filter(ConfigKey::reloadable))
        .contains(ConfigKey.REGISTRY_HEARTBEAT_WINDOW_MS, ConfigKey.API_DEFAULT_PAGE_SIZE, ConfigKey.LOG_LEVEL);
  }
}
