package io.arbiter.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Arbiter-Signature header")
class SignatureTest {

  private static final String SECRET = "whsec-0123456789-0123456789-0123456789";

  @Test
  @DisplayName("is t=<seconds>,v1=<hex HMAC-SHA256 over \"<t>.<body>\">, as openssl computes it")
  void matchesOpenssl() {
    // printf '%s' '1700000000.{"taskId":"x"}' | openssl dgst -sha256 -hmac "$SECRET"
    assertThat(Signature.header(SECRET, 1_700_000_000L, "{\"taskId\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("t=1700000000,v1=368dfe3c56ee3ce1c8382481c7f0dd0cb764feebe1d21a336a0e980fbea8691f");
  }

  @Test
  @DisplayName("changes with the time, the body and the secret")
  void bindsTimeBodyAndSecret() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String signed = Signature.header(SECRET, 1L, body);
    assertThat(Signature.header(SECRET, 2L, body)).isNotEqualTo(signed);
    assertThat(Signature.header(SECRET, 1L, "{ }".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(signed);
    assertThat(Signature.header(SECRET + "x", 1L, body)).isNotEqualTo(signed);
  }
}
