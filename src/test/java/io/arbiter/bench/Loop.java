package io.arbiter.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/** An asynchronous loop: runs {@code step} again each time its future yields true, without nesting futures. */
final class Loop {
  private Loop() {}

  /** Completes when a step yields false; fails when a step fails (steps are expected to handle their errors). */
  static Future<Void> repeat(Supplier<Future<Boolean>> step) {
    Promise<Void> done = Promise.promise();
    next(step, done);
    return done.future();
  }

  private static void next(Supplier<Future<Boolean>> step, Promise<Void> done) {
    Future<Boolean> current;
    try {
      current = step.get();
    } catch (RuntimeException e) {
      done.fail(e);
      return;
    }
    current.onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else if (Boolean.TRUE.equals(ar.result())) {
        next(step, done);
      } else {
        done.complete();
      }
    });
  }
}
