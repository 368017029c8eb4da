package io.arbiter.http.auth;

import io.vertx.core.Context;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The node's copy of the token deny list, shared by its ingress instances: which {@code (tenant, jti)} pairs are
 * revoked and until when. Ingress fills it from the policy domain (a periodic reload, and the
 * {@code arbiter.events.token-revoked} event at once); every authentication asks {@link #revoked}. Open connections
 * (streams, bridge sockets) {@link #watch} their token and are closed, on their own context, when it is revoked.
 * Thread-safe.
 */
public final class Revocations {

  /** A registered close action; {@link #cancel()} once the connection is gone. */
  public interface Watch {
    void cancel();
  }

  private record Watcher(Context context, Runnable close) {}

  private final Map<String, Long> denied = new ConcurrentHashMap<>();
  private final Map<String, Set<Watcher>> watched = new ConcurrentHashMap<>();
  private final LongSupplier clockMs;

  public Revocations(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  private static String key(String tenant, String jti) {
    return tenant + '\u0000' + jti;
  }

  /** Whether the token {@code jti} of {@code tenant} is revoked; a token without a jti never is. */
  public boolean revoked(String tenant, String jti) {
    if (tenant == null || jti == null) {
      return false;
    }
    Long until = denied.get(key(tenant, jti));
    return until != null && until > clockMs.getAsLong();
  }

  /** Records a revocation, and closes the connections that watch the token. */
  public void add(String tenant, String jti, long expiresAtMs) {
    String key = key(tenant, jti);
    denied.merge(key, expiresAtMs, Math::max);
    Set<Watcher> closing = watched.remove(key);
    if (closing != null) {
      closing.forEach(w -> w.context().runOnContext(v -> w.close().run()));
    }
  }

  /**
   * Runs {@code close} on {@code context} when the token {@code jti} of {@code tenant} is revoked (at once when it is
   * already). Without a jti nothing is watched.
   */
  public Watch watch(String tenant, String jti, Context context, Runnable close) {
    if (tenant == null || jti == null) {
      return () -> { };
    }
    String key = key(tenant, jti);
    Watcher watcher = new Watcher(context, close);
    watched.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(watcher);
    if (revoked(tenant, jti)) {
      add(tenant, jti, denied.getOrDefault(key, 0L));
    }
    return () -> watched.computeIfPresent(key, (k, set) -> {
      set.remove(watcher);
      return set.isEmpty() ? null : set;
    });
  }

  /** Forgets the entries whose tokens have expired (those are refused for their expiry already). */
  public void forgetExpired() {
    long now = clockMs.getAsLong();
    denied.values().removeIf(until -> until <= now);
  }

  public int size() {
    return denied.size();
  }
}
