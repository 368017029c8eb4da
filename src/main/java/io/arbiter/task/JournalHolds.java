package io.arbiter.task;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.UUID;

/**
 * Which nodes' outage journals hold items not yet replayed, in a map every node sees (Vert.x shared data: the
 * cluster's when nodes are clustered, this node's otherwise). The lease rescuer of every node waits while any entry is
 * there: a result one node accepted into its journal during an outage lands before any node judges its lease.
 *
 * <p>Each node's entry lives {@code ttlMs} unless renewed, so a node that dies holding items stops pausing the
 * others once its entry expires; its journal replays when it starts again, and what it holds for leases rescued
 * meanwhile is then refused as stale and counted in {@code arbiter_journal_refused_total}.
 */
final class JournalHolds {

  /** The shared map's name: node id → items its journal holds. */
  static final String MAP = "arbiter.journal.holds";

  private final Vertx vertx;
  private final String node = UUID.randomUUID().toString();
  private final long ttlMs;
  private boolean holding;

  JournalHolds(Vertx vertx, long ttlMs) {
    this.vertx = vertx;
    this.ttlMs = ttlMs;
  }

  /** Records (and renews) this node's hold while {@code buffered} is above 0, and removes it once it is 0. */
  Future<Void> report(long buffered) {
    if (buffered == 0 && !holding) {
      return Future.succeededFuture();
    }
    holding = buffered > 0;
    return map().compose(map -> buffered > 0 ? map.put(node, buffered, ttlMs) : map.remove(node).mapEmpty());
  }

  /** Whether any node's journal, this one's included, holds items. */
  Future<Boolean> anyHeld() {
    if (holding) {
      return Future.succeededFuture(true);
    }
    return map().compose(AsyncMap::size).map(size -> size > 0);
  }

  private Future<AsyncMap<String, Long>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }
}
