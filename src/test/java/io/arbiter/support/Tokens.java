package io.arbiter.support;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Tokens for tests: valid ones signed like the {@code token} command, and the broken kinds a server must refuse. */
public final class Tokens {

  private final JWTAuth provider;
  private final ArbiterConfig.Auth auth;

  public Tokens(Vertx vertx, ArbiterConfig.Auth auth) {
    this.provider = Jwt.provider(vertx, auth);
    this.auth = auth;
  }

  public String of(String tenant, Role role, String subject) {
    return Jwt.mint(provider, auth, tenant, role, subject, Duration.ofMinutes(10));
  }

  /** A token of {@code role} valid for {@code lifetime} from now. */
  public String lasting(String tenant, Role role, String subject, Duration lifetime) {
    return Jwt.mint(provider, auth, tenant, role, subject, lifetime);
  }

  public String admin(String tenant) {
    return of(tenant, Role.ADMIN, "admin");
  }

  public String agent(String tenant, String agentId) {
    return of(tenant, Role.AGENT, agentId);
  }

  public String expired(String tenant) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", "admin").put(Jwt.TENANT_CLAIM, tenant)
        .put(Jwt.ROLES_CLAIM, new JsonArray().add("admin")).put("iat", now - 7200).put("exp", now - 3600);
    return provider.generateToken(claims, new JWTOptions().setAlgorithm(Jwt.ALGORITHM).setNoTimestamp(true));
  }

  public String withoutExpiry(String tenant) {
    JsonObject claims = new JsonObject().put("sub", "admin").put(Jwt.TENANT_CLAIM, tenant)
        .put(Jwt.ROLES_CLAIM, new JsonArray().add("admin"));
    return provider.generateToken(claims, new JWTOptions().setAlgorithm(Jwt.ALGORITHM));
  }

  /** A valid admin token without a jti (as other issuers mint them): accepted, but not revocable on its own. */
  public String withoutJti(String tenant) {
    JsonObject claims = new JsonObject().put(Jwt.TENANT_CLAIM, tenant).put(Jwt.ROLES_CLAIM, new JsonArray().add("admin"));
    JWTOptions options = new JWTOptions().setAlgorithm(Jwt.ALGORITHM).setSubject("admin").setExpiresInMinutes(10);
    if (!auth.issuer().isEmpty()) {
      options.setIssuer(auth.issuer());
    }
    if (!auth.audience().isEmpty()) {
      options.setAudience(java.util.List.of(auth.audience()));
    }
    return provider.generateToken(claims, options);
  }

  /** A valid token whose payload was edited afterwards (the signature no longer matches). */
  public String tampered(String tenant) {
    String[] parts = admin(tenant).split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    payload.put(Jwt.TENANT_CLAIM, "someone-else");
    return parts[0] + "." + b64(payload.encode()) + "." + parts[2];
  }

  /** An unsigned token ({@code alg: none}) with otherwise valid claims. */
  public static String algNone(String tenant) {
    long now = System.currentTimeMillis() / 1000;
    String header = b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode());
    String payload = b64(new JsonObject().put("sub", "admin").put(Jwt.TENANT_CLAIM, tenant)
        .put(Jwt.ROLES_CLAIM, new JsonArray().add("admin")).put("iat", now).put("exp", now + 600).encode());
    return header + "." + payload + ".";
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
