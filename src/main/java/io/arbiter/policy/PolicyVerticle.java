package io.arbiter.policy;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Cursor;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy administration: tenant limits, waivers of result gates and the token deny list ({@link TokenRevocations}). The gates themselves run where results
 * are recorded ({@link ResultGates}, in the task verticle's result statement). Its database calls go through its own
 * breaker, {@code policy-db}.
 */
public final class PolicyVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyVerticle.class);

  private final ArbiterConfig config;
  private final MeterRegistry registry;
  private volatile LiveSettings live;
  private Pool pool;
  private DbBreaker breaker;
  private PolicyRepository policy;

  public PolicyVerticle(ArbiterConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.live = config.live();
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "policy");
    breaker = new DbBreaker(vertx, "policy-db", config.breaker(), registry);
    policy = new PolicyRepository(pool);
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        new TokenRevocations(vertx, breaker, pool).start(),
        bus.localConsumer(Addresses.POLICY_LIMITS_GET, handle(m -> breaker.execute(() -> policy.limits(ctx(m)))
            .map(TenantLimits::toJson))).completion(),
        bus.localConsumer(Addresses.POLICY_LIMITS_PUT, handle(this::putLimits)).completion(),
        bus.localConsumer(Addresses.POLICY_WAIVER_CREATE, handle(this::create)).completion(),
        bus.localConsumer(Addresses.POLICY_WAIVER_GET, handle(m -> breaker.execute(() -> policy.get(ctx(m), id(m)))
            .map(w -> w.toJson(Instant.now())))).completion(),
        bus.localConsumer(Addresses.POLICY_WAIVER_LIST, handle(this::list)).completion(),
        bus.localConsumer(Addresses.POLICY_WAIVER_REVOKE, handle(this::revoke)).completion(),
        bus.localConsumer(Addresses.POLICY_HEALTH, handle(m -> breaker.ping(pool).map(h -> h.toJson()))).completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED,
            m -> live = LiveSettings.fromJson(m.body().getJsonObject("settings"))).completion()));
  }

  private Replies.Handler handle(Function<Message<JsonObject>, Future<JsonObject>> work) {
    return Replies.handle(LOG, work);
  }

  private static RequestContext ctx(Message<JsonObject> m) {
    return RequestContext.from(m);
  }

  private static UUID id(Message<JsonObject> m) {
    return uuid(m.body().getString("id"), "id");
  }

  private Future<JsonObject> putLimits(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    TenantLimits limits = TenantLimits.fromJson(m.body());
    return breaker.execute(() -> policy.putLimits(ctx, limits)).map(stored -> {
      vertx.eventBus().publish(Addresses.EVENTS_LIMITS_CHANGED, new JsonObject().put("tenantId", ctx.tenantId()));
      drainAudit();
      return stored.toJson();
    });
  }

  private Future<JsonObject> create(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    JsonObject body = m.body();
    String rule = body.getString("rule");
    if (!ResultGates.NAMES.contains(rule)) {
      throw new ArbiterException(Failure.UNPROCESSABLE, "rule " + rule + " is not a result gate; waivable rules: "
          + String.join(", ", ResultGates.NAMES), new JsonObject().put("field", "rule").put("rule", rule));
    }
    JsonObject scope = body.getJsonObject("scope");
    Waiver.Scope kind = Waiver.Scope.fromWire(scope.getString("kind"));
    String value = scope.getString("value");
    if (kind == Waiver.Scope.TASK) {
      value = uuid(value, "scope.value").toString();
    }
    Instant now = Instant.now();
    Instant expiresAt;
    try {
      expiresAt = OffsetDateTime.parse(body.getString("expiresAt")).toInstant();
    } catch (DateTimeParseException e) {
      throw invalid("expiresAt", "is not an ISO-8601 date-time with an offset");
    }
    Instant latest = now.plus(Duration.ofDays(config.policy().maxWaiverDays()));
    if (!expiresAt.isAfter(now)) {
      throw unprocessable("expiresAt", "must lie in the future");
    }
    if (expiresAt.isAfter(latest)) {
      throw unprocessable("expiresAt", "must lie within " + config.policy().maxWaiverDays()
          + " days (policy.maxWaiverDays)");
    }
    String scopeValue = value;
    return breaker.execute(() -> policy.create(ctx, rule, kind, scopeValue, body.getString("reason"), expiresAt))
        .map(waiver -> {
          drainAudit();
          waiversChanged(ctx);
          return waiver.toJson(Instant.now());
        });
  }

  private Future<JsonObject> revoke(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    UUID id = id(m);
    return breaker.execute(() -> policy.revoke(ctx, id)).map(waiver -> {
      drainAudit();
      waiversChanged(ctx);
      return waiver.toJson(Instant.now());
    });
  }

  private void waiversChanged(RequestContext ctx) {
    vertx.eventBus().publish(Addresses.EVENTS_WAIVERS_CHANGED, new JsonObject().put("tenantId", ctx.tenantId()));
  }

  private Future<JsonObject> list(Message<JsonObject> m) {
    JsonObject q = m.body();
    int limit = q.getInteger("limit", live.defaultPageSize());
    if (limit > config.api().maxPageSize()) {
      return Future.failedFuture(Failure.BAD_REQUEST.exception("limit must be at most " + config.api().maxPageSize()));
    }
    Cursor.CreatedKey after = Cursor.CreatedKey.decode(q.getString("cursor"));
    Instant now = Instant.now();
    return breaker.execute(() -> policy.list(ctx(m), q.getBoolean("active"), q.getString("rule"),
        after == null ? null : after.createdAt(), after == null ? null : after.id(), limit + 1))
        .map(rows -> Cursor.page(rows, limit, w -> w.toJson(now),
            w -> new Cursor.CreatedKey(w.createdAt().atOffset(java.time.ZoneOffset.UTC), w.id())));
  }

  private void drainAudit() {
    vertx.eventBus().send(Addresses.AUDIT_DRAIN, null);
  }

  private static UUID uuid(String value, String field) {
    try {
      return UUID.fromString(value);
    } catch (RuntimeException e) {
      throw invalid(field, value + " is not a UUID");
    }
  }

  private static ArbiterException invalid(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }

  private static ArbiterException unprocessable(String field, String message) {
    return new ArbiterException(Failure.UNPROCESSABLE, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }
}
