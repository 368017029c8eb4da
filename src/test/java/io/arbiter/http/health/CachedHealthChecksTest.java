package io.arbiter.http.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Health answers kept for a moment")
class CachedHealthChecksTest {

  @Test
  @DisplayName("calls within the keep time share one check, a running one included; a later call checks again")
  void callsWithinTheKeepTimeShareOneCheck(Vertx vertx, VertxTestContext test) {
    AtomicLong now = new AtomicLong();
    List<Promise<Status>> asked = new ArrayList<>();
    HealthChecks checks = new CachedHealthChecks(HealthChecks.create(vertx), 1_000, now::get)
        .register("domain", asked::add);
    vertx.runOnContext(v -> {
      var first = checks.checkStatus();
      now.addAndGet(500_000_000L);
      var second = checks.checkStatus();
      test.verify(() -> {
        assertThat(asked).hasSize(1);
        assertThat(second).isSameAs(first);
      });
      asked.get(0).complete(Status.OK());
      now.addAndGet(600_000_000L);
      var third = checks.checkStatus();
      test.verify(() -> {
        assertThat(asked).hasSize(2);
        assertThat(third).isNotSameAs(first);
        assertThat(first.result().getUp()).isTrue();
      });
      asked.get(1).complete(Status.KO());
      third.onComplete(test.succeeding(result -> test.verify(() -> {
        assertThat(result.getUp()).isFalse();
        test.completeNow();
      })));
    });
  }
}
