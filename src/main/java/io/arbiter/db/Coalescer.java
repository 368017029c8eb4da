package io.arbiter.db;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs a batch job one run at a time, as often as it is asked and no more often: a request while a run is in progress
 * makes the job run once more when that run ends (however many requests came meanwhile), and a run that reports that
 * more may be waiting (a full batch) is followed by another at once. For work that drains a table in batches and is
 * nudged by every writer of that table. Not thread-safe: call it from one verticle's context.
 *
 * <p>With a pace, requested runs start at least that long apart: a request that comes sooner waits, with every request
 * after it, for the rest of the interval, so that under load each run takes a larger batch instead of the job running
 * back to back. A request after a quiet spell runs at once, and a full batch is still followed at once.
 */
public final class Coalescer {

  /** Runs an action after a delay: {@code (ms, action) -> vertx.setTimer(ms, id -> action.run())} in a verticle. */
  public interface Timer {
    void after(long delayMs, Runnable action);
  }

  private final Supplier<Future<Boolean>> job;
  private final long paceNanos;
  private final LongSupplier nanoClock;
  private final Timer timer;
  private boolean running;
  private boolean again;
  private boolean waiting;
  private long lastStart;
  private boolean started;

  /** @param job one run; its future says whether more may be waiting */
  public Coalescer(Supplier<Future<Boolean>> job) {
    this(job, 0, System::nanoTime, null);
  }

  /**
   * @param job one run; its future says whether more may be waiting
   * @param paceMs the least time between the starts of two requested runs (0: none)
   * @param nanoClock the time, in nanoseconds ({@code System::nanoTime})
   * @param timer schedules the start of a run that waits for its pace
   */
  public Coalescer(Supplier<Future<Boolean>> job, long paceMs, LongSupplier nanoClock, Timer timer) {
    if (paceMs > 0 && timer == null) {
      throw new IllegalArgumentException("a paced job needs a timer");
    }
    this.job = job;
    this.paceNanos = TimeUnit.MILLISECONDS.toNanos(paceMs);
    this.nanoClock = nanoClock;
    this.timer = timer;
  }

  /** Runs the job now, once more after the run in progress, or when its pace allows. */
  public void request() {
    if (running) {
      again = true;
      return;
    }
    if (waiting) {
      return;
    }
    long wait = started ? lastStart + paceNanos - nanoClock.getAsLong() : 0;
    if (paceNanos > 0 && wait > 0) {
      waiting = true;
      timer.after(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), () -> {
        waiting = false;
        start();
      });
      return;
    }
    start();
  }

  private void start() {
    running = true;
    again = false;
    started = true;
    lastStart = nanoClock.getAsLong();
    Future<Boolean> run;
    try {
      run = job.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(done -> {
      running = false;
      if (done.succeeded() && Boolean.TRUE.equals(done.result())) {
        start();
      } else if (again) {
        request();
      }
    });
  }

  /** Whether a run is in progress. */
  public boolean running() {
    return running;
  }
}
