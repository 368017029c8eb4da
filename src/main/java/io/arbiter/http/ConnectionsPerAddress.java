package io.arbiter.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} open connections from one client address, counted over every ingress instance of the node: a
 * connection beyond that is closed as soon as it opens, so that one address cannot take every socket and event-loop
 * slot. Behind a proxy every client shares the proxy's address; raise {@code http.maxConnectionsPerAddress} there.
 */
final class ConnectionsPerAddress {

  private final int max;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Counter refused;

  ConnectionsPerAddress(int max, MeterRegistry registry) {
    this.max = max;
    this.refused = registry == null ? null : Counter.builder("arbiter.http.connections.refused")
        .description("Connections closed at once because their address had http.maxConnectionsPerAddress open")
        .register(registry);
  }

  /** Counts {@code connection} against its address, or closes it when the address has {@code max} open already. */
  void accept(HttpConnection connection) {
    String address = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    AtomicInteger count = open.computeIfAbsent(address, a -> new AtomicInteger());
    if (count.incrementAndGet() > max) {
      release(address, count);
      if (refused != null) {
        refused.increment();
      }
      connection.close();
      return;
    }
    connection.closeHandler(v -> release(address, count));
  }

  private void release(String address, AtomicInteger count) {
    if (count.decrementAndGet() <= 0) {
      open.remove(address, count);
    }
  }

  /** Open connections from {@code address} (for tests and diagnostics). */
  int open(String address) {
    AtomicInteger count = open.get(address);
    return count == null ? 0 : count.get();
  }
}
