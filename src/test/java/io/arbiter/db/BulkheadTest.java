package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A bulkhead: at most so many calls of one kind in flight")
class BulkheadTest {

  @Test
  @DisplayName("a call beyond the limit is refused without running; room returns as calls end, failed ones too")
  void refusesBeyondTheLimitAndFreesRoomWhenCallsEnd() {
    Bulkhead bulkhead = new Bulkhead(2);
    Promise<String> first = Promise.promise();
    Promise<String> second = Promise.promise();
    AtomicInteger ran = new AtomicInteger();
    Future<String> a = bulkhead.run(() -> first.future(), () -> new IllegalStateException("full"));
    Future<String> b = bulkhead.run(() -> second.future(), () -> new IllegalStateException("full"));
    Future<String> c = bulkhead.run(() -> {
      ran.incrementAndGet();
      return Future.succeededFuture("c");
    }, () -> new IllegalStateException("full"));
    assertThat(c.failed()).isTrue();
    assertThat(c.cause()).hasMessage("full");
    assertThat(ran).as("the refused call never ran").hasValue(0);
    assertThat(bulkhead.inFlight()).isEqualTo(2);

    first.complete("a");
    second.fail("broken");
    assertThat(a.result()).isEqualTo("a");
    assertThat(b.failed()).isTrue();
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(bulkhead.run(() -> Future.succeededFuture("d"), () -> new IllegalStateException("full")).result())
        .isEqualTo("d");
  }

  @Test
  @DisplayName("a call that throws instead of failing its future gives its room back")
  void aThrowingCallGivesItsRoomBack() {
    Bulkhead bulkhead = new Bulkhead(1);
    Future<String> thrown = bulkhead.run(() -> {
      throw new IllegalArgumentException("bad");
    }, () -> new IllegalStateException("full"));
    assertThat(thrown.cause()).hasMessage("bad");
    assertThat(bulkhead.inFlight()).isZero();
    assertThatThrownBy(() -> new Bulkhead(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
