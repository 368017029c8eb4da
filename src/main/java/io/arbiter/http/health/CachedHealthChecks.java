package io.arbiter.http.health;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Health checks whose answers are kept for a short while: every call within {@code ttlMs} of a check that started
 * shares that check's answer (a check still running included), so that a flood of unauthenticated health requests
 * asks the domain verticles, and through them PostgreSQL, at most once per {@code ttlMs} per ingress instance.
 * Use it from one event loop (its ingress instance's).
 */
final class CachedHealthChecks implements HealthChecks {

  private record Kept(long startedAtNanos, Future<CheckResult> result) {}

  private final HealthChecks checks;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Kept> kept = new HashMap<>();

  CachedHealthChecks(HealthChecks checks, long ttlMs, LongSupplier nanoClock) {
    this.checks = checks;
    this.ttlNanos = ttlMs * 1_000_000;
    this.nanoClock = nanoClock;
  }

  @Override
  public Future<CheckResult> checkStatus() {
    return keep("", checks::checkStatus);
  }

  @Override
  public Future<CheckResult> checkStatus(String name) {
    return keep(name, () -> checks.checkStatus(name));
  }

  private Future<CheckResult> keep(String name, Supplier<Future<CheckResult>> check) {
    long now = nanoClock.getAsLong();
    Kept last = kept.get(name);
    if (last != null && now - last.startedAtNanos() < ttlNanos) {
      return last.result();
    }
    Future<CheckResult> result = check.get();
    kept.put(name, new Kept(now, result));
    return result;
  }

  @Override
  public HealthChecks register(String name, Handler<Promise<Status>> procedure) {
    checks.register(name, procedure);
    return this;
  }

  @Override
  public HealthChecks register(String name, long timeout, Handler<Promise<Status>> procedure) {
    checks.register(name, timeout, procedure);
    return this;
  }

  @Override
  public HealthChecks unregister(String name) {
    checks.unregister(name);
    kept.clear();
    return this;
  }

  @Override
  public HealthChecks invoke(Handler<JsonObject> resultHandler) {
    checks.invoke(resultHandler);
    return this;
  }

  @Override
  public Future<JsonObject> invoke(String name) {
    return checks.invoke(name);
  }
}
