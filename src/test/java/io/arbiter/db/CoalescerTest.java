package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class CoalescerTest {

  /** A job whose runs stay open until the test completes them. */
  private final Deque<Promise<Boolean>> runs = new ArrayDeque<>();
  private int started;
  private final Coalescer coalescer = new Coalescer(() -> {
    started++;
    Promise<Boolean> run = Promise.promise();
    runs.add(run);
    return run.future();
  });

  @Test
  void aRequestWithNothingInProgressRunsTheJobOnce() {
    coalescer.request();
    runs.removeFirst().complete(false);

    assertThat(started).isEqualTo(1);
    assertThat(coalescer.running()).isFalse();
  }

  @Test
  void requestsDuringARunMakeItRunExactlyOnceMore() {
    coalescer.request();
    coalescer.request();
    coalescer.request();
    coalescer.request();
    assertThat(started).as("one run at a time").isEqualTo(1);

    runs.removeFirst().complete(false);
    assertThat(started).as("the requests made meanwhile ask for one more run").isEqualTo(2);
    runs.removeFirst().complete(false);

    assertThat(started).isEqualTo(2);
    assertThat(coalescer.running()).isFalse();
  }

  @Test
  void aRunThatReportsMoreWaitingIsFollowedByAnother() {
    coalescer.request();
    runs.removeFirst().complete(true);
    runs.removeFirst().complete(true);
    runs.removeFirst().complete(false);

    assertThat(started).isEqualTo(3);
    assertThat(coalescer.running()).isFalse();
  }

  @Test
  void aFailedRunDoesNotStopLaterRequests() {
    coalescer.request();
    runs.removeFirst().fail("database unreachable");
    assertThat(coalescer.running()).isFalse();

    coalescer.request();
    assertThat(started).isEqualTo(2);
  }

  @Test
  void aJobThatThrowsDoesNotLeaveTheCoalescerStuck() {
    Coalescer throwing = new Coalescer(() -> {
      throw new IllegalStateException("broken");
    });
    throwing.request();

    assertThat(throwing.running()).isFalse();
  }

  @Test
  void aFailedRunWithRequestsPendingRunsOnceMore() {
    coalescer.request();
    coalescer.request();
    runs.removeFirst().fail("timeout");

    assertThat(started).isEqualTo(2);
  }

  /** A paced coalescer on a clock the test moves, whose timers the test fires. */
  private long nowMs;
  private final Deque<long[]> delays = new ArrayDeque<>();
  private final Deque<Runnable> timers = new ArrayDeque<>();
  private final Coalescer paced = new Coalescer(() -> {
    started++;
    Promise<Boolean> run = Promise.promise();
    runs.add(run);
    return run.future();
  }, 25, () -> nowMs * 1_000_000, (ms, action) -> {
    delays.add(new long[] {ms});
    timers.add(action);
  });

  @Test
  void aPacedRequestAfterAQuietSpellRunsAtOnce() {
    nowMs = 1_000;
    paced.request();

    assertThat(started).isEqualTo(1);
    assertThat(timers).isEmpty();
  }

  @Test
  void pacedRequestsSoonerThanThePaceWaitTogetherForTheRestOfIt() {
    paced.request();
    nowMs += 5;
    runs.removeFirst().complete(false);
    paced.request();
    paced.request();
    paced.request();

    assertThat(started).as("the second run waits").isEqualTo(1);
    assertThat(delays).hasSize(1);
    assertThat(delays.getFirst()[0]).as("the rest of the 25 ms pace").isEqualTo(20);

    nowMs += 20;
    timers.removeFirst().run();
    assertThat(started).as("all three requests share one run").isEqualTo(2);
    runs.removeFirst().complete(false);
    assertThat(started).isEqualTo(2);
    assertThat(timers).isEmpty();
  }

  @Test
  void aPacedRunWithRequestsDuringItRunsAgainOnlyWhenThePaceAllows() {
    paced.request();
    paced.request();
    nowMs += 3;
    runs.removeFirst().complete(false);

    assertThat(started).isEqualTo(1);
    assertThat(delays.getFirst()[0]).isEqualTo(22);
    timers.removeFirst().run();
    assertThat(started).isEqualTo(2);
  }

  @Test
  void aPacedRunThatReportsMoreWaitingIsFollowedAtOnce() {
    paced.request();
    nowMs += 1;
    runs.removeFirst().complete(true);

    assertThat(started).as("a full batch drains without waiting for the pace").isEqualTo(2);
    assertThat(timers).isEmpty();
  }
}
