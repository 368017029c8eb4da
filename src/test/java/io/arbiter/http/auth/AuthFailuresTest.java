package io.arbiter.http.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The progressive block of addresses that fail authentication")
class AuthFailuresTest {

  @Test
  @DisplayName("five failures within a minute block the address; each further offence doubles the block")
  void failuresBlockProgressively() {
    AtomicLong now = new AtomicLong(1_000_000);
    AuthFailures failures = new AuthFailures(5, 60_000, now::get);
    for (int i = 0; i < 4; i++) {
      assertThat(failures.failed("10.0.0.1")).isZero();
      now.addAndGet(1_000);
    }
    assertThat(failures.blockedForMs("10.0.0.1")).isZero();
    assertThat(failures.failed("10.0.0.1")).isEqualTo(60_000);
    assertThat(failures.blockedForMs("10.0.0.1")).isEqualTo(60_000);
    assertThat(failures.blockedForMs("10.0.0.2")).as("another address").isZero();

    now.addAndGet(60_000);
    assertThat(failures.blockedForMs("10.0.0.1")).isZero();
    for (int i = 0; i < 4; i++) {
      failures.failed("10.0.0.1");
    }
    assertThat(failures.failed("10.0.0.1")).as("the second offence").isEqualTo(120_000);
  }

  @Test
  @DisplayName("failures spread over more than a minute do not block")
  void slowFailuresDoNotBlock() {
    AtomicLong now = new AtomicLong(1_000_000);
    AuthFailures failures = new AuthFailures(5, 60_000, now::get);
    for (int i = 0; i < 20; i++) {
      assertThat(failures.failed("10.0.0.1")).isZero();
      now.addAndGet(15_001);
    }
    failures.forgetIdle();
    assertThat(failures.blockedForMs("10.0.0.1")).isZero();
  }
}
