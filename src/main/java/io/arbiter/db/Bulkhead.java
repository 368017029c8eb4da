package io.arbiter.db;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * At most {@code limit} calls of one kind in flight at a time, so that one kind of request cannot take every
 * connection of a pool and every place in its wait queue from the others: a call beyond the limit is refused at once,
 * before it reaches the pool. Used on one event loop (not thread-safe).
 */
public final class Bulkhead {

  private final int limit;
  private int inFlight;

  public Bulkhead(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a bulkhead needs room for at least one call");
    }
    this.limit = limit;
  }

  /** Runs {@code call} when there is room, else fails with {@code refusal} without running it. */
  public <T> Future<T> run(Supplier<Future<T>> call, Supplier<? extends RuntimeException> refusal) {
    if (inFlight >= limit) {
      return Future.failedFuture(refusal.get());
    }
    inFlight++;
    Future<T> running;
    try {
      running = call.get();
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    return running.andThen(done -> inFlight--);
  }

  /** Calls in flight now. */
  public int inFlight() {
    return inFlight;
  }
}
