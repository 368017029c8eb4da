package io.arbiter.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import java.time.Duration;

/**
 * Tokens this node verified lately, so that a client sending the same token with every request does not have it
 * decoded and its signature checked each time. An entry keeps the user the JWT provider made of the token and the
 * provider that verified it, and serves only:
 * <ul>
 *   <li>while that provider is still the one in force: a change of keys replaces the provider, so every token is
 *       verified again against the new keys (what the signature, {@code iss} and {@code aud} checks answer depends
 *       only on the token and the provider);</li>
 *   <li>while the token's time claims hold ({@code exp}, {@code iat} and {@code nbf}, with the leeway), checked on
 *       every use exactly as the provider checks them.</li>
 * </ul>
 * The deny list is not cached: {@link Verifier} asks it on every use. Only verified tokens enter, so a client cannot
 * fill the cache with tokens of its own making. Every use gets its own copy of the user, so that nothing one request
 * does to it reaches another. Bounded in entries, in age and in token length; thread-safe (one per node, shared by
 * its ingress instances).
 */
final class VerifiedTokens {

  /** The most tokens kept; the least recently used go first. */
  static final int MAX_ENTRIES = 4_096;
  /** Longer tokens are verified on every use and never kept. */
  static final int MAX_TOKEN_LENGTH = 2_048;
  /** How long a token is kept after it was verified, however long it stays valid. */
  static final Duration MAX_AGE = Duration.ofMinutes(5);

  private record Entry(Object verifiedBy, JsonObject principal, JsonObject attributes) {}

  private final Cache<String, Entry> entries;

  VerifiedTokens(int maxEntries, Duration maxAge) {
    this.entries = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(maxAge)
        .executor(Runnable::run).build();
  }

  /**
   * A copy of the user {@code verifier} made of {@code token}, when it verified this very token and the token's time
   * claims still hold with {@code leewaySeconds}; null otherwise (the token must be verified).
   */
  User get(String token, Object verifier, int leewaySeconds) {
    Entry entry = entries.getIfPresent(token);
    if (entry == null || entry.verifiedBy() != verifier) {
      return null;
    }
    User user = User.create(entry.principal().copy(), entry.attributes().copy());
    if (user.expired(leewaySeconds)) {
      entries.invalidate(token);
      return null;
    }
    return user;
  }

  /** Keeps what {@code verifier} made of {@code token}, which it has just verified. */
  void put(String token, Object verifier, User user) {
    if (token.length() <= MAX_TOKEN_LENGTH) {
      entries.put(token, new Entry(verifier, user.principal().copy(), user.attributes().copy()));
    }
  }

  /** How many tokens are kept now (for tests). */
  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }
}
