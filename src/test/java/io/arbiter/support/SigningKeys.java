package io.arbiter.support;

import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * An asymmetric signing key made with the JDK, as an identity provider holds it: its public half as PEM and as a JWK,
 * and tokens signed with its private half (RS256 or ES256, with its kid in the header).
 */
public final class SigningKeys {

  private final String algorithm;
  private final String kid;
  private final KeyPair pair;
  private final JWTAuth signer;

  private SigningKeys(Vertx vertx, String algorithm, String kid, KeyPair pair) {
    this.algorithm = algorithm;
    this.kid = kid;
    this.pair = pair;
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(algorithm).setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded())).setId(kid)));
  }

  public static SigningKeys rsa(Vertx vertx, String kid) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new SigningKeys(vertx, "RS256", kid, generator.generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static SigningKeys ec(Vertx vertx, String kid) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return new SigningKeys(vertx, "ES256", kid, generator.generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String kid() {
    return kid;
  }

  public String publicPem() {
    return pem("PUBLIC KEY", pair.getPublic().getEncoded());
  }

  public String privatePem() {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  /** The public key as a JWK with its kid, as a JWKS lists it. */
  public JsonObject jwk() {
    if (pair.getPublic() instanceof RSAPublicKey rsa) {
      return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
          .put("n", b64(unsigned(rsa.getModulus(), 0))).put("e", b64(unsigned(rsa.getPublicExponent(), 0)));
    }
    ECPublicKey ec = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("kid", kid).put("use", "sig").put("crv", "P-256")
        .put("x", b64(unsigned(ec.getW().getAffineX(), 32))).put("y", b64(unsigned(ec.getW().getAffineY(), 32)));
  }

  /** A token for {@code subject} of {@code tenant} with {@code role}, valid ten minutes, with a random jti. */
  public String token(String tenant, Role role, String subject) {
    return token(tenant, role, subject, "", "");
  }

  public String token(String tenant, Role role, String subject, String issuer, String audience) {
    JsonObject claims = new JsonObject().put(Jwt.TENANT_CLAIM, tenant).put(Jwt.ROLES_CLAIM, new JsonArray()
        .add(role.wire())).put(Jwt.JTI_CLAIM, UUID.randomUUID().toString());
    JWTOptions options = new JWTOptions().setAlgorithm(algorithm).setSubject(subject).setExpiresInMinutes(10);
    if (!issuer.isEmpty()) {
      options.setIssuer(issuer);
    }
    if (!audience.isEmpty()) {
      options.setAudience(java.util.List.of(audience));
    }
    return signer.generateToken(claims, options);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (length > bytes.length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      return padded;
    }
    return bytes;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
