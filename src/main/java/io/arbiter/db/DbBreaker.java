package io.arbiter.db;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.config.ArbiterConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.RetryPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle's circuit breaker around PostgreSQL. Only infrastructure failures ({@link DbErrors#isInfrastructure})
 * count towards opening it: a unique violation is the caller's problem, not the database's. While open, calls fail at
 * once with {@link Failure#UNAVAILABLE}; its state is logged on every transition and exported as the gauge
 * {@code arbiter_breaker_state{breaker}} (0 closed, 1 half-open, 2 open).
 *
 * <p>Inside the breaker, a call that fails transiently ({@link DbErrors#isTransient}: a lost connection, a
 * serialization failure, a deadlock, an administrator's shutdown) is tried again after an exponential delay with full
 * jitter, up to {@code retries} times; other failures (a constraint, bad input, a timeout) never are. At most
 * {@code retryBudget} calls of one breaker wait for a retry at once; beyond that a transient failure is final, so a
 * database in trouble cannot be met by a retry storm. Every statement Arbiter retries is safe to repeat: submissions
 * carry their id, results are idempotent per attempt, and guarded changes re-check the row they change.
 */
public final class DbBreaker {

  private static final Logger LOG = LoggerFactory.getLogger(DbBreaker.class);

  private final CircuitBreaker breaker;
  private final String name;
  private final long retryAfterSeconds;
  private final Vertx vertx;
  private final RetryPolicy retryPolicy;
  private final int retries;
  private final int retryBudget;
  private int retrying;
  private final Counter retried;

  public DbBreaker(Vertx vertx, String name, ArbiterConfig.Breaker config, MeterRegistry registry) {
    this.name = name;
    this.vertx = vertx;
    this.retries = config.retries();
    this.retryBudget = config.retryBudget();
    this.retryPolicy = RetryPolicy.exponentialDelayWithJitter(config.retryBaseMs(), config.retryCapMs());
    this.retried = registry == null ? null : Counter.builder("arbiter.db.retries")
        .tag("breaker", name).description("Database calls tried again after a transient failure").register(registry);
    this.retryAfterSeconds = Math.max(1, (config.resetTimeoutMs() + 999) / 1000);
    this.breaker = CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
            .setMaxFailures(config.maxFailures())
            .setTimeout(config.timeoutMs())
            .setResetTimeout(config.resetTimeoutMs()))
        .failurePolicy(result -> result.failed() && DbErrors.isInfrastructure(result.cause()))
        .openHandler(v -> LOG.warn("circuit breaker {} opened: database calls fail fast for {} ms", name,
            config.resetTimeoutMs()))
        .halfOpenHandler(v -> LOG.info("circuit breaker {} half-open: trying the database again", name))
        .closeHandler(v -> LOG.info("circuit breaker {} closed", name));
    if (registry != null) {
      Gauge.builder("arbiter.breaker.state", breaker, b -> switch (b.state()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
          })
          .tag("breaker", name)
          .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
          .register(registry);
    }
  }

  public String name() {
    return name;
  }

  public CircuitBreakerState state() {
    return breaker.state();
  }

  /** Runs a database call through the breaker; infrastructure failures become {@link Failure#UNAVAILABLE}. */
  public <T> Future<T> execute(Supplier<Future<T>> call) {
    return breaker.<T>execute(() -> withRetries(call, 0)).recover(this::translate);
  }

  private <T> Future<T> withRetries(Supplier<Future<T>> call, int attempt) {
    Future<T> tried;
    try {
      tried = call.get();
    } catch (RuntimeException e) {
      tried = Future.failedFuture(e);
    }
    return tried.recover(error -> {
      if (attempt >= retries || !DbErrors.isTransient(error) || retrying >= retryBudget) {
        return Future.failedFuture(error);
      }
      retrying++;
      if (retried != null) {
        retried.increment();
      }
      long delay = Math.max(1, retryPolicy.delay(error, attempt + 1));
      LOG.debug("database call through {} failed transiently ({}); retry {} in {} ms", name,
          DbErrors.sqlState(error).isEmpty() ? error.getClass().getSimpleName() : DbErrors.sqlState(error),
          attempt + 1, delay);
      Promise<T> again = Promise.promise();
      vertx.setTimer(delay, id -> {
        retrying--;
        withRetries(call, attempt + 1).onComplete(again);
      });
      return again.future();
    });
  }

  /** A {@code SELECT 1} through the breaker, for health checks. */
  public Future<DbHealth> ping(Pool pool) {
    return execute(() -> pool.query("SELECT 1").execute())
        .map(rows -> new DbHealth(name, state().name(), true, "ok"))
        .recover(e -> Future.succeededFuture(new DbHealth(name, state().name(), false, e.getMessage())));
  }

  private <T> Future<T> translate(Throwable error) {
    if (error instanceof OpenCircuitException) {
      return Future.failedFuture(Failure.UNAVAILABLE.exception(
          "the database is unavailable (circuit " + name + " is open); retry in " + retryAfterSeconds + " s"));
    }
    if (DbErrors.isPoolBusy(error)) {
      return Future.failedFuture(Failure.OVERLOADED.exception("every connection of " + name
          + " is busy and its wait queue is full (db.maxWaitQueue); retry shortly"));
    }
    if (error instanceof ArbiterException || !DbErrors.isInfrastructure(error)) {
      return Future.failedFuture(error);
    }
    LOG.warn("database call through {} failed: {}", name, Secrets.mask(String.valueOf(error.getMessage())));
    return Future.failedFuture(Failure.UNAVAILABLE.exception("the database is unavailable; retry in "
        + retryAfterSeconds + " s"));
  }
}
