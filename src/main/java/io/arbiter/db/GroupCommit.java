package io.arbiter.db;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Group commit for one verticle's writes: concurrent requests are written together, in one transaction and one
 * statement, instead of one transaction each. While fewer than {@code maxInFlight} batches are being written, a new
 * item is flushed at once (so an idle system adds no latency); otherwise it waits for the next flush, which takes up
 * to {@code maxBatch} waiting items. Each item gets its own outcome: the flush answers one future per item, so one bad
 * item does not fail its neighbours. When a whole batch of several items fails with an error that {@code retryAlone}
 * accepts (one item the database refused, not an outage), each item is written again on its own, so that only the
 * bad one fails. A request is answered only after its own batch committed. With a batch key, a batch holds items of
 * one key only (statements that are scoped by tenant take one tenant's items): the oldest waiting item leads the next
 * batch, which takes the waiting items of its key, in order, and leaves the others for the flushes after it.
 *
 * <p>Not thread-safe: use it from its verticle's event loop.
 */
public final class GroupCommit<I, O> {

  private record Pending<I, O>(I item, Promise<O> promise) {}

  private final int maxBatch;
  private final int maxInFlight;
  private final Function<List<I>, Future<List<Future<O>>>> flush;
  private final Predicate<Throwable> retryAlone;
  private final Function<I, Object> batchKey;
  private final List<Pending<I, O>> waiting = new ArrayList<>();
  private int inFlight;

  /** A group commit that never writes a failed batch's items again. */
  public GroupCommit(int maxBatch, int maxInFlight, Function<List<I>, Future<List<Future<O>>>> flush) {
    this(maxBatch, maxInFlight, flush, e -> false);
  }

  /**
   * @param flush writes a batch and answers one outcome per item, in order
   * @param retryAlone whether a failed batch's items are written again one by one
   */
  public GroupCommit(int maxBatch, int maxInFlight, Function<List<I>, Future<List<Future<O>>>> flush,
                     Predicate<Throwable> retryAlone) {
    this(maxBatch, maxInFlight, flush, retryAlone, null);
  }

  /**
   * @param flush writes a batch and answers one outcome per item, in order
   * @param retryAlone whether a failed batch's items are written again one by one
   * @param batchKey what every item of one batch shares (null: any items may share a batch)
   */
  public GroupCommit(int maxBatch, int maxInFlight, Function<List<I>, Future<List<Future<O>>>> flush,
                     Predicate<Throwable> retryAlone, Function<I, Object> batchKey) {
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.flush = flush;
    this.retryAlone = retryAlone;
    this.batchKey = batchKey;
  }

  public Future<O> submit(I item) {
    Promise<O> promise = Promise.promise();
    waiting.add(new Pending<>(item, promise));
    drain();
    return promise.future();
  }

  /** Items waiting for a flush (for metrics and load shedding). */
  public int waiting() {
    return waiting.size();
  }

  private void drain() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Pending<I, O>> batch = next();
      inFlight++;
      write(batch).onComplete(result -> {
        inFlight--;
        if (result.failed() && batch.size() > 1 && retryAlone.test(result.cause())) {
          batch.forEach(alone -> write(List.of(alone)).onComplete(again -> answer(List.of(alone), again)));
        } else {
          answer(batch, result);
        }
        drain();
      });
    }
  }

  /** Takes the next batch from the waiting items: the oldest ones, or the oldest ones of the oldest item's key. */
  private List<Pending<I, O>> next() {
    if (batchKey == null) {
      List<Pending<I, O>> batch = new ArrayList<>(waiting.subList(0, Math.min(maxBatch, waiting.size())));
      waiting.subList(0, batch.size()).clear();
      return batch;
    }
    Object key = batchKey.apply(waiting.get(0).item());
    List<Pending<I, O>> batch = new ArrayList<>();
    List<Pending<I, O>> rest = new ArrayList<>();
    for (Pending<I, O> pending : waiting) {
      boolean fits = batch.size() < maxBatch && Objects.equals(key, batchKey.apply(pending.item()));
      (fits ? batch : rest).add(pending);
    }
    waiting.clear();
    waiting.addAll(rest);
    return batch;
  }

  private Future<List<Future<O>>> write(List<Pending<I, O>> batch) {
    try {
      return flush.apply(batch.stream().map(Pending::item).toList());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static <I, O> void answer(List<Pending<I, O>> batch, AsyncResult<List<Future<O>>> result) {
    for (int i = 0; i < batch.size(); i++) {
      Promise<O> promise = batch.get(i).promise();
      if (result.failed()) {
        promise.fail(result.cause());
      } else {
        result.result().get(i).onComplete(promise);
      }
    }
  }
}
