package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.config.ArbiterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A verticle's breaker retries transient database failures, and only those, within its budget")
class DbBreakerRetryTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private DbBreaker breaker(int retries, int budget) {
    return new DbBreaker(vertx, "test-db", new ArbiterConfig.Breaker(100, 5_000, 1_000, retries, 1, 5, budget), null);
  }

  private static PgException pg(String sqlState) {
    return new PgException("failure " + sqlState, "ERROR", sqlState, null);
  }

  /** Runs {@code call} through the breaker on a Vert.x context; answers its outcome. */
  private static <T> Future<T> run(Vertx vertx, DbBreaker breaker, java.util.function.Supplier<Future<T>> call)
      throws Exception {
    return vertx.<Future<T>>executeBlocking(() -> null).compose(v -> breaker.execute(call));
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  @DisplayName("a deadlock, a serialization failure, an admin shutdown and a lost connection are tried again")
  void retriesTransientFailures() throws Exception {
    for (Throwable transientFailure : new Throwable[] {pg("40P01"), pg("40001"), pg("57P01"),
        ClosedConnectionException.INSTANCE}) {
      AtomicInteger calls = new AtomicInteger();
      DbBreaker breaker = breaker(2, 16);
      String answer = result(run(vertx, breaker, () -> calls.incrementAndGet() <= 2
          ? Future.failedFuture(transientFailure) : Future.succeededFuture("ok")));
      assertThat(answer).isEqualTo("ok");
      assertThat(calls.get()).as("calls for %s", transientFailure).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("a constraint violation is never tried again")
  void neverRetriesConstraintViolations() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Throwable error = failure(run(vertx, breaker(2, 16), () -> {
      calls.incrementAndGet();
      return Future.failedFuture(pg("23505"));
    }));
    assertThat(calls.get()).isEqualTo(1);
    assertThat(DbErrors.sqlState(error)).isEqualTo("23505");
  }

  @Test
  @DisplayName("after its retries a transient failure is final: 503 unavailable")
  void givesUpAfterItsRetries() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Throwable error = failure(run(vertx, breaker(2, 16), () -> {
      calls.incrementAndGet();
      return Future.failedFuture(ClosedConnectionException.INSTANCE);
    }));
    assertThat(calls.get()).isEqualTo(3);
    assertThat(error).isInstanceOf(ArbiterException.class);
    assertThat(((ArbiterException) error).failure()).isEqualTo(Failure.UNAVAILABLE);
  }

  @Test
  @DisplayName("with its retry budget spent, a transient failure is not tried again")
  void retryBudgetBoundsRetries() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    failure(run(vertx, breaker(2, 0), () -> {
      calls.incrementAndGet();
      return Future.failedFuture(pg("40P01"));
    }));
    assertThat(calls.get()).isEqualTo(1);
  }
}
