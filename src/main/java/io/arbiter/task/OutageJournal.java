package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.db.GroupCommit;
import io.arbiter.journal.Journal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task verticle's outage buffer: while PostgreSQL is unavailable, submissions and agent results are
 * accepted into a {@link Journal} under the data directory, at most {@code capacity} items, each entry on disk before
 * its request is answered. Concurrent appends share one write and one fsync. {@link #replay} puts the entries through
 * the same idempotent statements as live requests, oldest first, and deletes a segment only after every entry of it
 * has landed, so a crash at any point replays at most what already landed, which is then recognized and not doubled.
 *
 * <p>An entry is {@code {kind: "submit"|"result", ctx, items: [...], agentId?}}; {@code items} counts toward the
 * capacity. Not thread-safe: use it from its verticle's event loop.
 */
final class OutageJournal {

  private static final Logger LOG = LoggerFactory.getLogger(OutageJournal.class);

  /** What one replayed entry came to: items that landed (now or earlier) and items refused. */
  record Replayed(int landed, int refused) {}

  private final Vertx vertx;
  private final Journal journal;
  private final int capacity;
  private final GroupCommit<JsonObject, Void> appends;
  private final AtomicLong buffered = new AtomicLong();
  private final Counter replayedItems;
  private final Counter refusedItems;
  private final Map<Path, Integer> replayedUpTo = new HashMap<>();
  private boolean replaying;

  private OutageJournal(Vertx vertx, Journal journal, int capacity, long alreadyBuffered, MeterRegistry registry) {
    this.vertx = vertx;
    this.journal = journal;
    this.capacity = capacity;
    this.buffered.set(alreadyBuffered);
    this.appends = new GroupCommit<>(10_000, 1, this::write);
    if (registry != null) {
      Gauge.builder("arbiter.journal.buffered", buffered, AtomicLong::get)
          .description("Tasks and results accepted into the outage journal and not yet replayed").register(registry);
      replayedItems = Counter.builder("arbiter.journal.replayed").description("Journal items replayed into PostgreSQL")
          .register(registry);
      refusedItems = Counter.builder("arbiter.journal.refused")
          .description("Journal items that PostgreSQL refused on replay (e.g. an idempotency conflict)")
          .register(registry);
    } else {
      replayedItems = null;
      refusedItems = null;
    }
  }

  /** Opens the journal in {@code dir} (on a worker) and counts what an earlier process left in it. */
  static Future<OutageJournal> open(Vertx vertx, Path dir, int capacity, MeterRegistry registry) {
    return vertx.executeBlocking(() -> {
      Journal journal = Journal.open(dir);
      long left = journal.sealed().stream().flatMap(s -> Journal.read(s).stream()).mapToLong(OutageJournal::items)
          .sum();
      return new OutageJournal(vertx, journal, capacity, left, registry);
    });
  }

  long buffered() {
    return buffered.get();
  }

  int capacity() {
    return capacity;
  }

  /**
   * Writes an entry and answers once it is on disk; fails with {@link Failure#UNAVAILABLE} when the journal is off or
   * has no room for its items.
   */
  Future<Void> append(JsonObject entry) {
    long items = items(entry);
    if (buffered.get() + items > capacity) {
      return Future.failedFuture(Failure.UNAVAILABLE.exception(capacity == 0
          ? "the database is unavailable; retry later"
          : "the database is unavailable and the outage journal is full (" + buffered.get() + " of " + capacity
              + " items); retry later"));
    }
    buffered.addAndGet(items);
    return appends.submit(entry).onFailure(e -> {
      buffered.addAndGet(-items);
      LOG.error("the outage journal could not be written: {}", e.getMessage());
    }).recover(e -> Future.failedFuture(Failure.UNAVAILABLE.exception(
        "the database is unavailable and the outage journal could not be written; retry later")));
  }

  private Future<List<Future<Void>>> write(List<JsonObject> entries) {
    return vertx.executeBlocking(() -> {
      journal.append(entries);
      List<Future<Void>> done = new ArrayList<>(entries.size());
      entries.forEach(e -> done.add(Future.succeededFuture()));
      return done;
    });
  }

  /**
   * Replays every entry written so far, oldest first, through {@code apply}; stops at the first entry that fails
   * (PostgreSQL went away again) and leaves it, and everything after it, for the next replay. Answers the number of
   * items that landed.
   */
  Future<Integer> replay(Function<JsonObject, Future<Replayed>> apply) {
    if (replaying || buffered.get() == 0) {
      return Future.succeededFuture(0);
    }
    replaying = true;
    long started = System.nanoTime();
    return vertx.executeBlocking(() -> {
      journal.seal();
      return journal.sealed();
    }).compose(segments -> replaySegments(segments, 0, apply, 0))
        .onComplete(r -> replaying = false)
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("outage journal replayed {} item(s) in {} ms; {} still buffered", n,
                (System.nanoTime() - started) / 1_000_000, buffered.get());
          }
        });
  }

  private Future<Integer> replaySegments(List<Path> segments, int index, Function<JsonObject, Future<Replayed>> apply,
                                         int landed) {
    if (index == segments.size()) {
      return Future.succeededFuture(landed);
    }
    Path segment = segments.get(index);
    return vertx.executeBlocking(() -> Journal.read(segment))
        .compose(entries -> replayEntries(segment, entries, replayedUpTo.getOrDefault(segment, 0), apply, 0))
        .compose(n -> vertx.executeBlocking(() -> {
          journal.delete(segment);
          return n;
        }))
        .onSuccess(n -> replayedUpTo.remove(segment))
        .compose(n -> replaySegments(segments, index + 1, apply, landed + n));
  }

  /** Entries before {@code index} landed in an earlier, interrupted replay of this process: they are not counted twice. */
  private Future<Integer> replayEntries(Path segment, List<JsonObject> entries, int index,
                                        Function<JsonObject, Future<Replayed>> apply, int landed) {
    if (index == entries.size()) {
      return Future.succeededFuture(landed);
    }
    JsonObject entry = entries.get(index);
    return apply.apply(entry).compose(result -> {
      buffered.addAndGet(-items(entry));
      replayedUpTo.put(segment, index + 1);
      if (replayedItems != null) {
        replayedItems.increment(result.landed());
        refusedItems.increment(result.refused());
      }
      return replayEntries(segment, entries, index + 1, apply, landed + result.landed());
    });
  }

  void close() {
    journal.close();
  }

  private static long items(JsonObject entry) {
    return entry.getJsonArray("items").size();
  }
}
