package io.arbiter.http.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public keys that may sign tokens, read from a PEM file or a JWKS document: RSA keys of at least 2048 bits for
 * {@code RS256}, EC keys on P-256 for {@code ES256}, nothing else. A key of another kind is an error in a PEM file
 * (an operator wrote it) and skipped in a JWKS (an identity provider may publish keys for other uses).
 */
public final class TokenKeys {
  private TokenKeys() {}

  public static final String RS256 = "RS256";
  public static final String ES256 = "ES256";
  /** The most keys taken from one source. */
  public static final int MAX_KEYS = 100;
  static final int MIN_RSA_BITS = 2048;

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

  /**
   * The keys of a PEM file holding one or more {@code PUBLIC KEY} blocks (text between blocks is ignored). Fails with
   * {@link IllegalArgumentException} naming the block for anything else, and when there is no key.
   */
  public static List<PubSecKeyOptions> fromPem(String text) {
    List<PubSecKeyOptions> keys = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      int n = keys.size() + 1;
      if (!m.group(1).equals("PUBLIC KEY")) {
        throw new IllegalArgumentException("block " + n + " is a " + m.group(1) + ": only PUBLIC KEY blocks belong "
            + "here (never a private key)");
      }
      if (n > MAX_KEYS) {
        throw new IllegalArgumentException("more than " + MAX_KEYS + " keys");
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("block " + n + " is not base64");
      }
      String algorithm = algorithm(der, n);
      String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
      keys.add(new PubSecKeyOptions().setAlgorithm(algorithm)
          .setBuffer("-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n"));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no -----BEGIN PUBLIC KEY----- block");
    }
    return keys;
  }

  private static String algorithm(byte[] der, int n) {
    X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
    PublicKey key = null;
    for (String type : List.of("RSA", "EC")) {
      try {
        key = KeyFactory.getInstance(type).generatePublic(spec);
        break;
      } catch (Exception ignored) {
        // the other type, or neither
      }
    }
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        throw new IllegalArgumentException("key " + n + " is an RSA key of " + rsa.getModulus().bitLength()
            + " bits: at least " + MIN_RSA_BITS + " are required");
      }
      return RS256;
    }
    if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
      return ES256;
    }
    throw new IllegalArgumentException("key " + n + " is neither an RSA key nor an EC key on P-256");
  }

  /**
   * The signing keys of a JWKS document ({@code {keys: [...]}}) usable here: {@code kty} RSA with {@code alg} RS256
   * (or none), or EC on {@code crv} P-256 with {@code alg} ES256 (or none), and {@code use} sig (or none). Each is
   * returned with its {@code alg} filled in; at most {@link #MAX_KEYS}.
   */
  public static List<JsonObject> fromJwks(JsonObject jwks) {
    Object keys = jwks.getValue("keys");
    if (!(keys instanceof JsonArray array)) {
      throw new IllegalArgumentException("a JWKS document has a keys array");
    }
    List<JsonObject> usable = new ArrayList<>();
    for (Object entry : array) {
      if (!(entry instanceof JsonObject key) || usable.size() == MAX_KEYS) {
        continue;
      }
      String use = key.getString("use");
      String alg = key.getString("alg");
      if (use != null && !use.equals("sig")) {
        continue;
      }
      if ("RSA".equals(key.getString("kty")) && (alg == null || alg.equals(RS256))
          && key.getValue("n") instanceof String n && n.length() * 6 >= MIN_RSA_BITS - 8) {
        usable.add(key.copy().put("alg", RS256));
      } else if ("EC".equals(key.getString("kty")) && "P-256".equals(key.getString("crv"))
          && (alg == null || alg.equals(ES256))) {
        usable.add(key.copy().put("alg", ES256));
      }
    }
    return usable;
  }
}
