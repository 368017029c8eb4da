package io.arbiter.http.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The node's copy of the token deny list")
class RevocationsTest {

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
  @DisplayName("a revoked jti is refused in its tenant only, until its expiry, and forgotten after it")
  void revokedUntilExpiryInItsTenant() {
    AtomicLong now = new AtomicLong(1_000);
    Revocations revocations = new Revocations(now::get);
    revocations.add("acme", "j1", 5_000);
    assertThat(revocations.revoked("acme", "j1")).isTrue();
    assertThat(revocations.revoked("other", "j1")).isFalse();
    assertThat(revocations.revoked("acme", null)).as("a token without a jti").isFalse();
    now.set(5_000);
    assertThat(revocations.revoked("acme", "j1")).isFalse();
    revocations.forgetExpired();
    assertThat(revocations.size()).isZero();
  }

  @Test
  @DisplayName("a watched connection is closed once when its token is revoked, at once when it already is, and not "
      + "after it cancelled its watch")
  void watchersAreClosed() {
    Revocations revocations = new Revocations(System::currentTimeMillis);
    Context context = vertx.getOrCreateContext();
    AtomicInteger closed = new AtomicInteger();
    AtomicInteger cancelled = new AtomicInteger();
    revocations.watch("acme", "j1", context, closed::incrementAndGet);
    revocations.watch("acme", "j2", context, cancelled::incrementAndGet).cancel();
    long later = System.currentTimeMillis() + Duration.ofMinutes(5).toMillis();
    revocations.add("acme", "j1", later);
    revocations.add("acme", "j1", later);
    revocations.add("acme", "j2", later);
    revocations.watch("acme", "j1", context, closed::incrementAndGet);
    io.arbiter.support.TestApp.eventually(Duration.ofSeconds(2), "both watchers of j1 ran", () -> closed.get() == 2);
    assertThat(cancelled.get()).isZero();
  }
}
