package io.arbiter.task;

import io.arbiter.bus.Addresses;
import io.arbiter.policy.TenantLimits;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Each tenant's submission limits, read once and kept until a change is published
 * ({@link Addresses#EVENTS_LIMITS_CHANGED}) or, as a fallback for a lost event, for a time to live. A read that was
 * under way when a change arrived is not kept. Used on one event loop (the tasks verticle's).
 */
final class LimitsCache {

  private record Cached(TenantLimits limits, long readAt) {}

  private final Map<String, Cached> byTenant = new HashMap<>();
  private final Function<String, Future<TenantLimits>> read;
  private final long ttlNanos;
  private long generation;

  /** {@code read} reads one tenant's limits from the database. */
  LimitsCache(Function<String, Future<TenantLimits>> read, long ttlNanos) {
    this.read = read;
    this.ttlNanos = ttlNanos;
  }

  Future<TenantLimits> limits(String tenantId) {
    Cached cached = byTenant.get(tenantId);
    long now = System.nanoTime();
    if (cached != null && now - cached.readAt() < ttlNanos) {
      return Future.succeededFuture(cached.limits());
    }
    long readGeneration = generation;
    return read.apply(tenantId).onSuccess(limits -> {
      if (readGeneration == generation) {
        byTenant.put(tenantId, new Cached(limits, now));
      }
    });
  }

  /** The last limits read for the tenant however old, or none: what a submission meets while the database is away. */
  TenantLimits lastKnown(String tenantId) {
    Cached stale = byTenant.get(tenantId);
    return stale == null ? TenantLimits.NONE : stale.limits();
  }

  /** A tenant's limits changed: forget them, and any read already under way. */
  void changed(String tenantId) {
    generation++;
    byTenant.remove(tenantId);
  }
}
