package io.arbiter.http.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.ConfigValues;
import io.arbiter.support.SigningKeys;
import io.arbiter.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Public signing keys are read from PEM and JWKS, RS256 and ES256 only")
class TokenKeysTest {

  private static Vertx vertx;

  @BeforeAll
  static void boot() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void shutdown() {
    vertx.close();
  }

  @Test
  @DisplayName("a PEM file with an RSA and an EC P-256 key yields one RS256 and one ES256 key")
  void pemFileWithSeveralKeys() {
    String pem = "# signing keys\n" + SigningKeys.rsa(vertx, "a").publicPem() + "\n"
        + SigningKeys.ec(vertx, "b").publicPem();
    List<PubSecKeyOptions> keys = TokenKeys.fromPem(pem);
    assertThat(keys).extracting(PubSecKeyOptions::getAlgorithm).containsExactly("RS256", "ES256");
  }

  @Test
  @DisplayName("a private key, a short RSA key, another curve or an empty file is refused with the reason")
  void pemFileWithUnusableKeys() throws Exception {
    assertThatThrownBy(() -> TokenKeys.fromPem(SigningKeys.rsa(vertx, "a").privatePem()))
        .hasMessageContaining("PRIVATE KEY").hasMessageContaining("never a private key");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(1024);
    assertThatThrownBy(() -> TokenKeys.fromPem(pem(rsa.generateKeyPair().getPublic().getEncoded())))
        .hasMessageContaining("1024 bits");
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
    assertThatThrownBy(() -> TokenKeys.fromPem(pem(ec.generateKeyPair().getPublic().getEncoded())))
        .hasMessageContaining("P-256");
    assertThatThrownBy(() -> TokenKeys.fromPem("nothing here")).hasMessageContaining("no -----BEGIN PUBLIC KEY");
  }

  @Test
  @DisplayName("a JWKS keeps its RSA and P-256 signing keys and drops symmetric, encryption and other keys")
  void jwksKeepsOnlySigningKeysOfTheTwoAlgorithms() {
    JsonObject rsa = SigningKeys.rsa(vertx, "r").jwk();
    JsonObject ec = SigningKeys.ec(vertx, "e").jwk();
    JsonObject jwks = new JsonObject().put("keys", new JsonArray()
        .add(rsa).add(ec)
        .add(new JsonObject().put("kty", "oct").put("kid", "s").put("k", "c2VjcmV0"))
        .add(rsa.copy().put("kid", "enc").put("use", "enc"))
        .add(rsa.copy().put("kid", "ps").put("alg", "PS256"))
        .add(ec.copy().put("kid", "p384").put("crv", "P-384")));
    assertThat(TokenKeys.fromJwks(jwks)).extracting(k -> k.getString("kid") + "/" + k.getString("alg"))
        .containsExactly("r/RS256", "e/ES256");
    assertThatThrownBy(() -> TokenKeys.fromJwks(new JsonObject())).hasMessageContaining("keys array");
  }

  @Test
  @DisplayName("HS256 is accepted in dev mode, and in prod mode only while no asymmetric key source is configured")
  void sharedSecretBesideAsymmetricKeysOnlyInDev() {
    Map<String, Object> prod = Map.of("mode", "prod", "auth.jwtSecret", "p".repeat(40), "db.url",
        "postgresql://u:p@localhost:5432/db", "auth.issuer", "https://issuer", "auth.audience", "arbiter",
        "http.behindTls", "true", "http.metricsToken", "m".repeat(32));
    assertThat(Verifier.acceptsSecret(config(prod, Map.of()))).isTrue();
    assertThat(Verifier.acceptsSecret(config(prod, Map.of("auth.jwksUrl", "https://idp.example/jwks")))).isFalse();
    assertThat(Verifier.acceptsSecret(config(Map.of(), Map.of("auth.publicKeysPath", "keys.pem")))).isTrue();
    assertThatThrownBy(() -> config(prod, Map.of("auth.jwksUrl", "http://idp.example/jwks")))
        .hasMessageContaining("auth.jwksUrl").hasMessageContaining("https");
  }

  private static ArbiterConfig config(Map<String, Object> base, Map<String, Object> more) {
    Map<String, Object> all = new java.util.HashMap<>(base);
    all.putAll(more);
    ConfigValues values = TestConfig.defaultsWith(all);
    return ArbiterConfig.from(values);
  }

  private static String pem(byte[] der) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
  }
}
