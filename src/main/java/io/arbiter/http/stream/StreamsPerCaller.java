package io.arbiter.http.stream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} live streams (WebSocket and server-sent events together) per caller, a tenant and subject, over
 * every ingress instance of the node: one token cannot hold connections and event fan-out without bound.
 */
public final class StreamsPerCaller {

  private final int max;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

  public StreamsPerCaller(int max) {
    this.max = max;
  }

  /** Counts one more stream of {@code caller}; false (counting nothing) when it has {@code max} open already. */
  boolean tryOpen(String caller) {
    AtomicInteger count = open.computeIfAbsent(caller, c -> new AtomicInteger());
    if (count.incrementAndGet() > max) {
      release(caller);
      return false;
    }
    return true;
  }

  /** One stream of {@code caller} closed. */
  void release(String caller) {
    open.computeIfPresent(caller, (c, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  int max() {
    return max;
  }
}
