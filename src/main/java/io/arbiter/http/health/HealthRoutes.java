package io.arbiter.http.health;

import io.arbiter.Version;
import io.arbiter.bus.Addresses;
import io.arbiter.db.DbHealth;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code /health/live} (the process answers, and reports the {@link Version} it runs), {@code /health/ready} (every
 * domain verticle answers and its breaker is not open) and {@code /health/db} (every domain verticle reached
 * PostgreSQL just now). Each procedure reports the verticle's breaker state; ingress asks over the bus and never
 * touches the database itself.
 *
 * <p>Readiness has a third answer besides UP and DOWN: while a breaker is open (or the outage journal still holds
 * items) but the task verticle can still accept work into its journal, {@code /health/ready} answers 200 with
 * {@code status: "degraded"} and the {@code buffered} count, so that a load balancer keeps sending submissions.
 *
 * <p>Readiness and database answers are reused for {@link #KEEP_MS} ({@link CachedHealthChecks}): these paths need no
 * token, and each fresh answer costs a round trip to every domain verticle and its database.
 */
public final class HealthRoutes {
  private HealthRoutes() {}

  /** The domain verticles whose database health counts, by procedure name. */
  private static final Map<String, String> DOMAINS = Map.of(
      "registry", Addresses.REGISTRY_HEALTH,
      "tasks", Addresses.TASKS_HEALTH,
      "routing", Addresses.ROUTING_HEALTH,
      "audit", Addresses.AUDIT_HEALTH,
      "policy", Addresses.POLICY_HEALTH,
      "schedules", Addresses.SCHEDULES_HEALTH);

  private static final long CHECK_TIMEOUT_MS = 2_000;
  /** How long a readiness or database answer is reused before the domains are asked again. */
  static final long KEEP_MS = 1_000;

  public static void mount(Vertx vertx, Router router) {
    HealthChecks live = HealthChecks.create(vertx).register("process", promise -> promise.complete(Status.OK()));
    HealthChecks ready = new CachedHealthChecks(HealthChecks.create(vertx), KEEP_MS, System::nanoTime);
    HealthChecks db = new CachedHealthChecks(HealthChecks.create(vertx), KEEP_MS, System::nanoTime);
    DOMAINS.forEach((name, address) -> {
      ready.register(name, CHECK_TIMEOUT_MS, promise -> check(vertx, address, h -> !h.breakerOpen(), promise));
      db.register(name, CHECK_TIMEOUT_MS, promise -> check(vertx, address, DbHealth::reachable, promise));
    });
    router.get("/health/live").handler(rc -> live.checkStatus().onComplete(ar -> {
      CheckResult result = ar.succeeded() ? ar.result() : CheckResult.from("live", ar.cause());
      String outcome = CheckResult.isUp(result) ? "UP" : "DOWN";
      JsonObject body = result.toJson().put("status", outcome).put("outcome", outcome).put("version", Version.NUMBER);
      rc.response().setStatusCode("UP".equals(outcome) ? 200 : 503).putHeader("Content-Type", "application/json")
          .end(body.encode());
    }));
    router.get("/health/ready").handler(rc -> ready.checkStatus().onComplete(ar -> {
      Readiness readiness = Readiness.of(ar.succeeded() ? ar.result() : CheckResult.from("ready", ar.cause()));
      rc.response().setStatusCode(readiness.httpStatus()).putHeader("Content-Type", "application/json")
          .end(readiness.toJson().encode());
    }));
    router.get("/health/db").handler(HealthCheckHandler.createWithHealthChecks(db));
  }

  private static void check(Vertx vertx, String address, Predicate<DbHealth> up, Promise<Status> promise) {
    vertx.eventBus().<JsonObject>request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(CHECK_TIMEOUT_MS))
        .onSuccess(reply -> promise.complete(up.test(DbHealth.fromJson(reply.body()))
            ? Status.OK(reply.body()) : Status.KO(reply.body())))
        .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("detail", "no answer: " + e.getMessage()))));
  }
}
