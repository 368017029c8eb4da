package io.arbiter.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Arbiter-Signature} header of a callback: {@code t=<unix seconds>,v1=<hex>}, where {@code v1} is
 * HMAC-SHA256, keyed with {@code callbacks.signingSecret}, over the bytes of {@code "<t>.<body>"}. The time is signed
 * with the body, so a receiver can refuse an old delivery replayed to it; {@code v1} names the scheme, so another can
 * be added beside it later.
 */
public final class Signature {
  private Signature() {}

  public static final String HEADER = "Arbiter-Signature";

  /** The header's value for {@code body} sent at {@code unixSeconds}. */
  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(hmac(secret, unixSeconds, body));
  }

  /** HMAC-SHA256 over {@code "<unixSeconds>.<body>"}. */
  public static byte[] hmac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
