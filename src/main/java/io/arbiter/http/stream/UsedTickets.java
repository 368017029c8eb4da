package io.arbiter.http.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** The stream tickets already redeemed, by nonce, each remembered until its ticket expires. */
public interface UsedTickets {

  /** Records {@code nonce} as used until {@code until} (epoch ms); true when it was not used before. */
  Future<Boolean> firstUse(String nonce, long until);

  /**
   * Every node's redemptions, in Vert.x's shared data: with clustering, one Hazelcast map that every node consults,
   * so a ticket opens one stream in the whole cluster; without, a map of this process.
   */
  static UsedTickets shared(Vertx vertx) {
    Future<AsyncMap<String, Boolean>> used = vertx.sharedData().getAsyncMap("arbiter.stream-tickets.used");
    return (nonce, until) -> used
        .compose(map -> map.putIfAbsent(nonce, Boolean.TRUE, Math.max(1, until - System.currentTimeMillis())))
        .map(previous -> previous == null);
  }

  /** This process's redemptions only (tests, and tools without a Vert.x instance). */
  static UsedTickets inMemory(LongSupplier clock) {
    Map<String, Long> used = new ConcurrentHashMap<>();
    return (nonce, until) -> {
      long now = clock.getAsLong();
      used.values().removeIf(expires -> expires < now);
      return Future.succeededFuture(used.putIfAbsent(nonce, until) == null);
    };
  }
}
