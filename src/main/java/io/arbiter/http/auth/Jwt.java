package io.arbiter.http.auth;

import io.arbiter.config.ArbiterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JWT settings shared by ingress (verifying, through {@link Verifier}) and the {@code token} command (signing with the
 * HS256 secret): {@code iss} and {@code aud} checked when configured, a small leeway for clock skew. Claims:
 * {@code sub}, {@code tenant}, {@code roles} (array), {@code exp}, {@code iat}, {@code jti}.
 */
public final class Jwt {
  private Jwt() {}

  public static final String ALGORITHM = "HS256";
  public static final String TENANT_CLAIM = "tenant";
  public static final String ROLES_CLAIM = "roles";
  /** The token's id, which the deny list names; a token without one cannot be revoked on its own. */
  public static final String JTI_CLAIM = "jti";
  /** Tenant names starting with this are reserved for the platform itself; no token may name one. */
  public static final String RESERVED_TENANT_PREFIX = "_";
  /** The longest tenant or subject a token may carry. */
  public static final int MAX_CLAIM_LENGTH = 200;

  /**
   * Why {@code claim}'s value {@code value} (a tenant or subject) cannot identify a caller, or null when it can: blank,
   * longer than {@link #MAX_CLAIM_LENGTH}, holding a control character, or (for a tenant) reserved.
   */
  public static String claimProblem(String claim, String value) {
    if (value == null || value.isBlank()) {
      return "the token needs a " + claim + " claim";
    }
    if (value.length() > MAX_CLAIM_LENGTH) {
      return "the token's " + claim + " is longer than " + MAX_CLAIM_LENGTH + " characters";
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      return "the token's " + claim + " holds a control character";
    }
    if (claim.equals(TENANT_CLAIM) && value.startsWith(RESERVED_TENANT_PREFIX)) {
      return "tenant names starting with " + RESERVED_TENANT_PREFIX + " are reserved";
    }
    return null;
  }

  /** The HS256 provider of {@code auth.jwtSecret}: what the {@code token} command signs with. */
  public static JWTAuth provider(Vertx vertx, ArbiterConfig.Auth auth) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(secretKey(auth)).setJWTOptions(verifying(auth)));
  }

  static PubSecKeyOptions secretKey(ArbiterConfig.Auth auth) {
    return new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(auth.jwtSecret());
  }

  /** What every verification checks besides the signature: expiry (with the leeway), and iss and aud when set. */
  static JWTOptions verifying(ArbiterConfig.Auth auth) {
    JWTOptions jwtOptions = new JWTOptions().setAlgorithm(ALGORITHM).setLeeway(auth.leewaySeconds())
        .setIgnoreExpiration(false);
    if (!auth.issuer().isEmpty()) {
      jwtOptions.setIssuer(auth.issuer());
    }
    if (!auth.audience().isEmpty()) {
      jwtOptions.setAudience(List.of(auth.audience()));
    }
    return jwtOptions;
  }

  /**
   * Signs a token for {@code subject} in {@code tenant} with one role, valid for {@code ttl}, with a random
   * {@code jti} so that it can be revoked on its own.
   */
  public static String mint(JWTAuth provider, ArbiterConfig.Auth auth, String tenant, Role role, String subject,
                            Duration ttl) {
    JWTOptions options = new JWTOptions().setAlgorithm(ALGORITHM).setExpiresInSeconds((int) ttl.toSeconds())
        .setSubject(subject);
    if (!auth.issuer().isEmpty()) {
      options.setIssuer(auth.issuer());
    }
    if (!auth.audience().isEmpty()) {
      options.setAudience(List.of(auth.audience()));
    }
    JsonObject claims = new JsonObject().put(TENANT_CLAIM, tenant).put(ROLES_CLAIM, new JsonArray().add(role.wire()))
        .put(JTI_CLAIM, UUID.randomUUID().toString());
    return provider.generateToken(claims, options);
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*([smhd])");

  /** {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}. */
  public static Duration parseTtl(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("ttl must look like 90s, 15m, 1h or 7d, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    Duration ttl = switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (ttl.isZero() || ttl.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException("ttl must be between 1s and 365d");
    }
    return ttl;
  }
}
