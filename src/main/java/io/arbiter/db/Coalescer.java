package io.arbiter.db;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Runs a batch job one run at a time, as often as it is asked and no more often: a request while a run is in progress
 * makes the job run once more when that run ends (however many requests came meanwhile), and a run that reports that
 * more may be waiting (a full batch) is followed by another at once. For work that drains a table in batches and is
 * nudged by every writer of that table. Not thread-safe: call it from one verticle's context.
 */
public final class Coalescer {

  private final Supplier<Future<Boolean>> job;
  private boolean running;
  private boolean again;

  /** @param job one run; its future says whether more may be waiting */
  public Coalescer(Supplier<Future<Boolean>> job) {
    this.job = job;
  }

  /** Runs the job now, or once more after the run in progress. */
  public void request() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    Future<Boolean> run;
    try {
      run = job.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(done -> {
      running = false;
      if (again || (done.succeeded() && Boolean.TRUE.equals(done.result()))) {
        request();
      }
    });
  }

  /** Whether a run is in progress. */
  public boolean running() {
    return running;
  }
}
