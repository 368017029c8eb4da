package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        waits.await("acme", "agent-1", "c", 60_000, ClaimWaitsTest::nothing, () -> {
          attempts.add(claim);
          return Future.<List<Row>>succeededFuture(List.of());
        });
      }
      waits.await("acme", "agent-2", "c", 60_000, ClaimWaitsTest::nothing, () -> {
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
      Future<List<Row>> first = waits.await("acme", "agent-1", "c", 60_000, nothing, nothing);
      waits.await("acme", "agent-1", "c", 60_000, nothing, nothing);
      Future<List<Row>> third = waits.await("acme", "agent-1", "c", 60_000, nothing, nothing);
      waits.await("acme", "agent-2", "c", 60_000, nothing, nothing);
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

  @Test
  @DisplayName("a burst of claims for one agent runs one first attempt per place; the others are refused without one")
  void claimsOnTheirFirstAttemptHoldTheAgentsPlaces(Vertx vertx, VertxTestContext test) throws Exception {
    vertx.runOnContext(v -> {
      ClaimWaits waits = new ClaimWaits(vertx, 60_000, 1);
      Promise<List<Row>> firstAttempt = Promise.promise();
      List<String> attempts = new ArrayList<>();
      Future<List<Row>> first = waits.await("acme", "agent-1", "c", 60_000, () -> {
        attempts.add("first");
        return firstAttempt.future();
      }, ClaimWaitsTest::nothing);
      Future<List<Row>> second = waits.await("acme", "agent-1", "c", 60_000, () -> {
        attempts.add("second");
        return nothing();
      }, ClaimWaitsTest::nothing);
      test.verify(() -> {
        assertThat(second.failed()).as("refused while the first claim is still on its first attempt").isTrue();
        assertThat(Failure.RATE_LIMITED.is(second.cause())).isTrue();
        assertThat(attempts).as("the refused claim ran no attempt").containsExactly("first");
        assertThat(waits.waiting()).isZero();
      });

      firstAttempt.complete(List.of());
      Future<List<Row>> third = waits.await("acme", "agent-1", "c", 60_000, ClaimWaitsTest::nothing,
          ClaimWaitsTest::nothing);
      test.verify(() -> {
        assertThat(first.isComplete()).as("the first claim found nothing and waits").isFalse();
        assertThat(waits.waiting()).isEqualTo(1);
        assertThat(third.failed()).as("the waiting claim keeps the place").isTrue();
      });
      waits.close();
      test.verify(() -> assertThat(first.result()).isEmpty());
      Future<List<Row>> afterClose = waits.await("acme", "agent-1", "c", 60_000, ClaimWaitsTest::nothing,
          ClaimWaitsTest::nothing);
      test.verify(() -> assertThat(afterClose.result()).as("closed: the first attempt answers, no wait").isEmpty());
      test.completeNow();
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("a first attempt that fails answers the claim with its failure and frees the agent's place")
  void aFailedFirstAttemptFreesThePlace(Vertx vertx, VertxTestContext test) throws Exception {
    vertx.runOnContext(v -> {
      ClaimWaits waits = new ClaimWaits(vertx, 60_000, 1);
      Future<List<Row>> failed = waits.await("acme", "agent-1", "c", 60_000,
          () -> Future.failedFuture(Failure.UNAVAILABLE.exception("down")), ClaimWaitsTest::nothing);
      Future<List<Row>> next = waits.await("acme", "agent-1", "c", 60_000, ClaimWaitsTest::nothing,
          ClaimWaitsTest::nothing);
      test.verify(() -> {
        assertThat(Failure.UNAVAILABLE.is(failed.cause())).isTrue();
        assertThat(next.isComplete()).as("the next claim waits in the freed place").isFalse();
        assertThat(waits.waiting()).isEqualTo(1);
      });
      waits.close();
      test.completeNow();
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("a claim whose client left stops waiting and frees its place; one still on its first attempt never waits")
  void cancelledClaimsFreeTheirPlaces(Vertx vertx, VertxTestContext test) throws Exception {
    vertx.runOnContext(v -> {
      ClaimWaits waits = new ClaimWaits(vertx, 60_000, 2);
      Future<List<Row>> waiting = waits.await("acme", "agent-1", "gone", 60_000, ClaimWaitsTest::nothing,
          ClaimWaitsTest::nothing);
      Promise<List<Row>> slowFirst = Promise.promise();
      Future<List<Row>> starting = waits.await("acme", "agent-1", "gone-too", 60_000, slowFirst::future,
          ClaimWaitsTest::nothing);
      Future<List<Row>> otherAgent = waits.await("acme", "agent-2", "gone", 60_000, ClaimWaitsTest::nothing,
          ClaimWaitsTest::nothing);

      waits.cancel("acme", "agent-1", "gone");
      waits.cancel("acme", "agent-1", "gone-too");
      slowFirst.complete(List.of());
      test.verify(() -> {
        assertThat(waiting.result()).as("the waiting claim answers, empty").isEmpty();
        assertThat(starting.result()).as("the claim on its first attempt does not wait").isEmpty();
        assertThat(otherAgent.isComplete()).as("another agent's claim of the same id waits on").isFalse();
        assertThat(waits.waiting()).isEqualTo(1);
      });
      Future<List<Row>> again = waits.await("acme", "agent-1", "new", 60_000, ClaimWaitsTest::nothing,
          ClaimWaitsTest::nothing);
      test.verify(() -> assertThat(again.isComplete()).as("the places are free again").isFalse());
      waits.close();
      test.completeNow();
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("an assignment announced during a claim's first statement makes it try again at once if it found nothing")
  void anAssignmentDuringTheFirstAttemptIsNotMissed(Vertx vertx, VertxTestContext test) throws Exception {
    vertx.runOnContext(v -> {
      ClaimWaits waits = new ClaimWaits(vertx, 60_000, 2);
      Promise<List<Row>> firstAttempt = Promise.promise();
      List<String> again = new ArrayList<>();
      Future<List<Row>> claim = waits.await("acme", "agent-1", "c", 60_000, firstAttempt::future, () -> {
        again.add("again");
        return nothing();
      });
      waits.wake("acme", "agent-1", 1);
      firstAttempt.complete(List.of());
      test.verify(() -> {
        assertThat(again).as("tried again without waiting for the poll").containsExactly("again");
        assertThat(claim.isComplete()).as("found nothing, so it waits").isFalse();
      });
      Future<List<Row>> quiet = waits.await("acme", "agent-2", "c", 60_000, ClaimWaitsTest::nothing, () -> {
        again.add("agent-2");
        return nothing();
      });
      test.verify(() -> {
        assertThat(again).as("no announcement, no second attempt").containsExactly("again");
        assertThat(quiet.isComplete()).isFalse();
      });
      waits.close();
      test.completeNow();
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("only an agent's longest-waiting claim runs the fallback poll; the next in line takes over when it answers")
  void oneClaimPerAgentPolls(Vertx vertx, VertxTestContext test) throws Exception {
    Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    Promise<Void> firstAnswered = Promise.promise();
    vertx.runOnContext(v -> {
      ClaimWaits waits = new ClaimWaits(vertx, 20, 3);
      for (String claim : List.of("oldest", "second", "third")) {
        waits.await("acme", "agent-1", claim, 60_000, ClaimWaitsTest::nothing, () -> {
          int n = polls.computeIfAbsent(claim, k -> new AtomicInteger()).incrementAndGet();
          // the oldest claim finds work (one delivery; its row is not read here) at its fifth poll and answers
          return Future.succeededFuture(claim.equals("oldest") && n == 5
              ? Collections.<Row>singletonList(null) : List.<Row>of());
        }).onSuccess(rows -> {
          if (claim.equals("oldest")) {
            firstAnswered.complete();
          }
        });
      }
      firstAnswered.future().onSuccess(answered -> vertx.setPeriodic(20, id -> {
        if (polls.containsKey("second") && polls.get("second").get() >= 3) {
          vertx.cancelTimer(id);
          test.verify(() -> {
            assertThat(polls.get("oldest").get()).isEqualTo(5);
            assertThat(polls).as("the third claim never polled while others waited before it")
                .doesNotContainKey("third");
            waits.close();
          });
          test.completeNow();
        }
      }));
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  private static Future<List<Row>> nothing() {
    return Future.succeededFuture(List.of());
  }
}
