package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Long-polling claims")
class ClaimWaitsTest {

  @Test
  @DisplayName("an assignment of N tasks wakes N of the agent's waiting claims, the longest waiting first")
  void anAssignmentWakesAsManyClaimsAsItAssignedTasks(Vertx vertx, VertxTestContext test) throws Exception {
    List<Integer> attempts = new ArrayList<>();
    vertx.runOnContext(v -> {
      ClaimWaits waits = new ClaimWaits(vertx, 60_000, 4);
      for (int i = 0; i < 4; i++) {
        int claim = i;
        waits.await("acme", "agent-1", 60_000, () -> {
          attempts.add(claim);
          return Future.<List<Row>>succeededFuture(List.of());
        });
      }
      waits.await("acme", "agent-2", 60_000, () -> {
        attempts.add(99);
        return Future.<List<Row>>succeededFuture(List.of());
      });

      waits.wake("acme", "agent-1", 2);
      test.verify(() -> assertThat(attempts).as("two claims of agent-1, in the order they began").containsExactly(0, 1));

      waits.wake("acme", "agent-1", 10);
      test.verify(() -> {
        assertThat(attempts).as("at most every waiting claim").containsExactly(0, 1, 0, 1, 2, 3);
        assertThat(waits.waiting()).as("claims that found nothing keep waiting").isEqualTo(5);
      });
      waits.close();
      test.completeNow();
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("an agent with as many claims waiting as allowed is answered 429 at once; another agent still waits")
  void claimsBeyondTheAgentsLimitAreRefused(Vertx vertx, VertxTestContext test) throws Exception {
    vertx.runOnContext(v -> {
      ClaimWaits waits = new ClaimWaits(vertx, 60_000, 2);
      Supplier<Future<List<Row>>> nothing = () -> Future.succeededFuture(List.of());
      Future<List<Row>> first = waits.await("acme", "agent-1", 60_000, nothing);
      waits.await("acme", "agent-1", 60_000, nothing);
      Future<List<Row>> third = waits.await("acme", "agent-1", 60_000, nothing);
      waits.await("acme", "agent-2", 60_000, nothing);
      test.verify(() -> {
        assertThat(first.isComplete()).isFalse();
        assertThat(third.failed()).isTrue();
        assertThat(Failure.RATE_LIMITED.is(third.cause())).isTrue();
        assertThat(third.cause()).hasMessageContaining("tasks.maxWaitingClaims");
        assertThat(waits.waiting()).isEqualTo(3);
      });
      waits.close();
      test.completeNow();
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }
}
