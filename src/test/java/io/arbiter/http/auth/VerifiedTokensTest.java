package io.arbiter.http.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

  private static final Object PROVIDER = new Object();
  private static final long NOW = System.currentTimeMillis() / 1000;

  /** A user as the JWT provider makes it: the claims under {@code accessToken}, the time claims at the root. */
  private static User user(String token, JsonObject claims) {
    JsonObject attributes = new JsonObject().put("accessToken", claims).put("rootClaim", "accessToken");
    for (String time : new String[] {"exp", "iat", "nbf"}) {
      if (claims.containsKey(time)) {
        attributes.put(time, claims.getValue(time));
      }
    }
    return User.create(new JsonObject().put("access_token", token).put("sub", claims.getString("sub")), attributes);
  }

  private static JsonObject claims(long exp) {
    return new JsonObject().put("sub", "alice").put("tenant", "t").put("exp", exp).put("iat", NOW - 5);
  }

  @Test
  @DisplayName("a token is served to the provider that verified it, each use with its own copy of the user")
  void servesACopyToTheSameProvider() {
    VerifiedTokens tokens = new VerifiedTokens(16, Duration.ofMinutes(1));
    tokens.put("a.b.c", PROVIDER, user("a.b.c", claims(NOW + 600)));

    User first = tokens.get("a.b.c", PROVIDER, 0);
    assertThat(first).isNotNull();
    assertThat(first.attributes().getJsonObject("accessToken").getString("sub")).isEqualTo("alice");
    first.attributes().getJsonObject("accessToken").put("sub", "mallory");
    first.principal().put("sub", "mallory");

    User second = tokens.get("a.b.c", PROVIDER, 0);
    assertThat(second.attributes().getJsonObject("accessToken").getString("sub")).isEqualTo("alice");
    assertThat(second.principal().getString("sub")).isEqualTo("alice");
    assertThat(tokens.get("a.b.d", PROVIDER, 0)).as("another token").isNull();
  }

  @Test
  @DisplayName("a token verified by the provider of an earlier key set is not served: the keys in force verify it again")
  void anotherProviderVerifiesAgain() {
    VerifiedTokens tokens = new VerifiedTokens(16, Duration.ofMinutes(1));
    tokens.put("a.b.c", PROVIDER, user("a.b.c", claims(NOW + 600)));
    assertThat(tokens.get("a.b.c", new Object(), 0)).isNull();
  }

  @Test
  @DisplayName("a token whose exp has passed, or whose nbf or iat lies ahead, is not served, as the provider would "
      + "refuse it; the leeway counts as it does for the provider")
  void timeClaimsAreCheckedOnEveryUse() {
    VerifiedTokens tokens = new VerifiedTokens(16, Duration.ofMinutes(1));
    tokens.put("expired", PROVIDER, user("expired", claims(NOW - 30)));
    assertThat(tokens.get("expired", PROVIDER, 60)).as("within a 60 s leeway").isNotNull();
    assertThat(tokens.get("expired", PROVIDER, 0)).isNull();
    assertThat(tokens.get("expired", PROVIDER, 60)).as("dropped once found expired").isNull();

    tokens.put("early", PROVIDER, user("early", claims(NOW + 600).put("nbf", NOW + 300)));
    assertThat(tokens.get("early", PROVIDER, 0)).isNull();
    tokens.put("future", PROVIDER, user("future", claims(NOW + 600).put("iat", NOW + 300)));
    assertThat(tokens.get("future", PROVIDER, 0)).isNull();
  }

  @Test
  @DisplayName("the cache is bounded: at most its entries, and a token longer than the limit is never kept")
  void bounded() {
    VerifiedTokens tokens = new VerifiedTokens(8, Duration.ofMinutes(1));
    for (int i = 0; i < 100; i++) {
      tokens.put("token-" + i, PROVIDER, user("token-" + i, claims(NOW + 600)));
    }
    assertThat(tokens.size()).isLessThanOrEqualTo(8);

    String longToken = "x".repeat(VerifiedTokens.MAX_TOKEN_LENGTH + 1);
    VerifiedTokens other = new VerifiedTokens(8, Duration.ofMinutes(1));
    other.put(longToken, PROVIDER, user(longToken, claims(NOW + 600)));
    assertThat(other.get(longToken, PROVIDER, 0)).isNull();
    assertThat(other.size()).isZero();
  }
}
