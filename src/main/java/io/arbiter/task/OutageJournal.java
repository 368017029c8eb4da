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
 * accepted into a {@link Journal} under the data directory, at most {@code capacity} items and about {@code maxBytes}
 * bytes on disk (a write that starts under the byte cap may pass it by its own size), each entry on disk before its
 * request is answered. Concurrent appends share one write and one fsync. {@link #replay} puts the entries through
 * the same idempotent statements as live requests, oldest first, and deletes a segment only after every entry of it
 * has landed, so a crash at any point replays at most what already landed, which is then recognized and not doubled.
 *
 * <p>An entry is {@code {kind: "submit"|"result", ctx, items: [...], agentId?}}; {@code items} counts toward the
 * capacity. Not thread-safe: use it from its verticle's event loop.
 */
final class OutageJournal {

  private static final Logger LOG = LoggerFactory.getLogger(OutageJournal.class);
  /** Entries read from a segment at a time during a replay. */
  private static final int READ_BATCH = 64;

  /** What one replayed entry came to: items that landed (now or earlier) and items refused. */
  record Replayed(int landed, int refused) {}

  private final Vertx vertx;
  private final Journal journal;
  private final int capacity;
  private final long maxBytes;
  private final AtomicLong bufferedBytes = new AtomicLong();
  private final GroupCommit<JsonObject, Void> appends;
  private final AtomicLong buffered = new AtomicLong();
  private final Counter replayedItems;
  private final Counter refusedItems;
  private final Map<Path, Integer> replayedUpTo = new HashMap<>();
  private boolean replaying;

  private OutageJournal(Vertx vertx, Journal journal, int capacity, long maxBytes, Left left,
                        MeterRegistry registry) {
    this.vertx = vertx;
    this.journal = journal;
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.buffered.set(left.items());
    this.bufferedBytes.set(left.bytes());
    this.appends = new GroupCommit<>(10_000, 1, this::write);
    if (registry != null) {
      Gauge.builder("arbiter.journal.buffered", buffered, AtomicLong::get)
          .description("Tasks and results accepted into the outage journal and not yet replayed").register(registry);
      Gauge.builder("arbiter.journal.capacity", () -> capacity)
          .description("Tasks and results the outage journal may hold (journal.capacity)").register(registry);
      Gauge.builder("arbiter.journal.buffered.bytes", bufferedBytes, AtomicLong::get).baseUnit("bytes")
          .description("Bytes of the outage journal's entries not yet replayed").register(registry);
      Gauge.builder("arbiter.journal.capacity.bytes", () -> maxBytes).baseUnit("bytes")
          .description("Bytes the outage journal may take on disk (journal.maxBytes)").register(registry);
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

  private record Left(long items, long bytes) {}

  /** Opens the journal in {@code dir} (on a worker) and counts what an earlier process left in it, segment by segment. */
  static Future<OutageJournal> open(Vertx vertx, Path dir, int capacity, long maxBytes, MeterRegistry registry) {
    return vertx.executeBlocking(() -> {
      Journal journal = Journal.open(dir);
      long items = 0;
      long bytes = 0;
      for (Path segment : journal.sealed()) {
        try (Journal.Reader reader = Journal.reader(segment)) {
          for (List<Journal.Entry> batch = reader.next(READ_BATCH); !batch.isEmpty(); batch = reader.next(READ_BATCH)) {
            for (Journal.Entry entry : batch) {
              items += items(entry.json());
              bytes += entry.bytes();
            }
          }
        }
      }
      return new OutageJournal(vertx, journal, capacity, maxBytes, new Left(items, bytes), registry);
    });
  }

  long buffered() {
    return buffered.get();
  }

  int capacity() {
    return capacity;
  }

  long bufferedBytes() {
    return bufferedBytes.get();
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
    if (bufferedBytes.get() >= maxBytes) {
      return Future.failedFuture(Failure.UNAVAILABLE.exception("the database is unavailable and the outage journal "
          + "is full (" + bufferedBytes.get() + " of " + maxBytes + " bytes); retry later"));
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
      bufferedBytes.addAndGet(journal.append(entries));
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
    return vertx.executeBlocking(() -> Journal.reader(segment))
        .compose(reader -> replayReader(segment, reader, 0, apply, 0).eventually(() -> vertx.executeBlocking(() -> {
          reader.close();
          return null;
        })))
        .compose(n -> vertx.executeBlocking(() -> {
          journal.delete(segment);
          return n;
        }))
        .onSuccess(n -> replayedUpTo.remove(segment))
        .compose(n -> replaySegments(segments, index + 1, apply, landed + n));
  }

  /** Reads the segment {@value #READ_BATCH} entries at a time from entry {@code position} on, and replays them. */
  private Future<Integer> replayReader(Path segment, Journal.Reader reader, int position,
                                       Function<JsonObject, Future<Replayed>> apply, int landed) {
    return vertx.executeBlocking(() -> reader.next(READ_BATCH)).compose(batch -> {
      if (batch.isEmpty()) {
        return Future.succeededFuture(landed);
      }
      return replayEntries(segment, batch, position, 0, apply, 0)
          .compose(n -> replayReader(segment, reader, position + batch.size(), apply, landed + n));
    });
  }

  /**
   * Replays {@code batch}, whose first entry is the segment's entry {@code position}. Entries before
   * {@code replayedUpTo} landed in an earlier, interrupted replay of this process: they are not counted twice.
   */
  private Future<Integer> replayEntries(Path segment, List<Journal.Entry> batch, int position, int index,
                                        Function<JsonObject, Future<Replayed>> apply, int landed) {
    if (index == batch.size()) {
      return Future.succeededFuture(landed);
    }
    if (position + index < replayedUpTo.getOrDefault(segment, 0)) {
      return replayEntries(segment, batch, position, index + 1, apply, landed);
    }
    Journal.Entry entry = batch.get(index);
    return apply.apply(entry.json()).compose(result -> {
      buffered.addAndGet(-items(entry.json()));
      bufferedBytes.addAndGet(-entry.bytes());
      replayedUpTo.put(segment, position + index + 1);
      if (replayedItems != null) {
        replayedItems.increment(result.landed());
        refusedItems.increment(result.refused());
      }
      return replayEntries(segment, batch, position, index + 1, apply, landed + result.landed());
    });
  }

  void close() {
    journal.close();
  }

  private static long items(JsonObject entry) {
    return entry.getJsonArray("items").size();
  }
}
