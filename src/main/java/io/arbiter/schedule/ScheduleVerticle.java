package io.arbiter.schedule;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.callback.CallbackSettings;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Cursor;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.arbiter.policy.PolicyReads;
import io.arbiter.task.Submission;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules: their administration over the bus, and the firing poll ({@link Firing}) every
 * {@code schedules.pollIntervalMs}. Its database calls go through its own breaker, {@code schedules-db}.
 */
public final class ScheduleVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduleVerticle.class);

  private final ArbiterConfig config;
  private final CallbackSettings callbacks;
  private final MeterRegistry registry;
  private volatile LiveSettings live;
  private Pool pool;
  private DbBreaker breaker;
  private ScheduleRepository schedules;
  private Firing firing;
  private boolean polling;

  public ScheduleVerticle(ArbiterConfig config, CallbackSettings callbacks, MeterRegistry registry) {
    this.config = config;
    this.callbacks = callbacks;
    this.registry = registry;
    this.live = config.live();
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "schedules", false, Math.min(4, config.db().poolSize()));
    breaker = new DbBreaker(vertx, "schedules-db", config.breaker(), registry);
    schedules = new ScheduleRepository(pool);
    firing = new Firing(vertx.eventBus(), breaker, schedules, config.http().requestTimeoutMs(), Clock.systemUTC(),
        registry);
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.localConsumer(Addresses.SCHEDULES_CREATE, handle(this::create)).completion(),
        bus.localConsumer(Addresses.SCHEDULES_GET, handle(m -> breaker.execute(() -> schedules.get(ctx(m), id(m)))
            .map(Schedule::toJson))).completion(),
        bus.localConsumer(Addresses.SCHEDULES_LIST, handle(this::list)).completion(),
        bus.localConsumer(Addresses.SCHEDULES_UPDATE, handle(this::update)).completion(),
        bus.localConsumer(Addresses.SCHEDULES_DELETE, handle(this::delete)).completion(),
        bus.localConsumer(Addresses.SCHEDULES_RUNS, handle(this::runs)).completion(),
        bus.localConsumer(Addresses.SCHEDULES_HEALTH, handle(m -> breaker.ping(pool).map(h -> h.toJson())))
            .completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED,
            m -> live = LiveSettings.fromJson(m.body().getJsonObject("settings"))).completion()))
        .onSuccess(v -> vertx.setPeriodic(config.schedules().pollIntervalMs(), id -> poll()));
  }

  private Replies.Handler handle(Function<Message<JsonObject>, Future<JsonObject>> work) {
    return Replies.handle(LOG, work);
  }

  private static RequestContext ctx(Message<JsonObject> m) {
    return RequestContext.from(m);
  }

  private static UUID id(Message<JsonObject> m) {
    String value = m.body().getString("id");
    try {
      return UUID.fromString(value);
    } catch (RuntimeException e) {
      throw invalid("id", value + " is not a UUID");
    }
  }

  private void poll() {
    if (polling) {
      return;
    }
    polling = true;
    firing.poll().onComplete(done -> {
      polling = false;
      if (done.failed()) {
        LOG.debug("schedule poll skipped: {}", done.cause().getMessage());
      } else if (done.result()) {
        vertx.runOnContext(v -> poll());
      }
    });
  }

  private Future<JsonObject> create(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    JsonObject body = m.body();
    Cadence cadence = cadence(body.getString("cron"), body.getString("timeZone", "UTC"));
    boolean paused = body.getBoolean("paused", false);
    return checkTemplate(ctx, body.getJsonObject("template")).compose(template -> {
      Schedule schedule = new Schedule(UUID.randomUUID(), ctx.tenantId(), body.getString("name"),
          cadence.expression(), cadence.zone().getId(), template,
          Overlap.fromWire(body.getString("overlap", Overlap.SKIP.wire())),
          CatchUp.fromWire(body.getString("catchUp", CatchUp.LATEST.wire())), paused,
          cadence.after(Instant.now()).orElse(null), null, null, ctx.subject(), null, null);
      return breaker.execute(() -> schedules.create(ctx, schedule, config.schedules().maxPerTenant()));
    }).map(created -> {
      drainAudit();
      return created.toJson();
    });
  }

  private Future<JsonObject> update(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    UUID id = id(m);
    JsonObject patch = m.body().copy();
    patch.remove("id");
    try {
      Cadence.check(patch.getString("cron"), patch.getString("timeZone"));
    } catch (Cadence.Invalid e) {
      throw invalid(e.field(), e.getMessage());
    }
    Future<JsonObject> template = patch.containsKey("template")
        ? checkTemplate(ctx, patch.getJsonObject("template")) : Future.succeededFuture(null);
    return template.compose(checked -> breaker.execute(() -> schedules.update(ctx, id, before -> {
      try {
        return before.changed(patch, Instant.now());
      } catch (Cadence.Invalid e) {
        throw invalid(e.field(), e.getMessage());
      }
    }))).map(updated -> {
      drainAudit();
      return updated.toJson();
    });
  }

  private Future<JsonObject> delete(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    return breaker.execute(() -> schedules.delete(ctx, id(m))).map(deleted -> {
      drainAudit();
      return deleted.toJson();
    });
  }

  private Future<JsonObject> list(Message<JsonObject> m) {
    JsonObject q = m.body();
    int limit = limit(q);
    Cursor.CreatedKey after = Cursor.CreatedKey.decode(q.getString("cursor"));
    return breaker.execute(() -> schedules.list(ctx(m), after == null ? null : after.createdAt(),
            after == null ? null : after.id(), limit + 1))
        .map(rows -> Cursor.page(rows, limit, Schedule::toJson,
            s -> new Cursor.CreatedKey(s.createdAt().atOffset(ZoneOffset.UTC), s.id())));
  }

  /** A schedule's runs, newest first; the cursor is the occurrence of the last run of the page before. */
  private Future<JsonObject> runs(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    UUID id = id(m);
    JsonObject q = m.body();
    int limit = limit(q);
    Instant before = runCursor(q.getString("cursor"));
    return breaker.execute(() -> schedules.get(ctx, id).compose(s -> schedules.runs(ctx, id, before, limit + 1)))
        .map(rows -> {
          List<ScheduleRepository.RunView> page = rows.subList(0, Math.min(limit, rows.size()));
          String next = rows.size() > limit ? Cursor.encode(page.get(page.size() - 1).occurrenceAt().toString()) : null;
          return new JsonObject().put("items", new JsonArray(page.stream()
              .map(ScheduleRepository.RunView::toJson).toList())).put("nextCursor", next);
        });
  }

  private static Instant runCursor(String cursor) {
    if (cursor == null) {
      return null;
    }
    String[] parts = Cursor.decode(cursor, 1);
    try {
      return Instant.parse(parts[0]);
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception("cursor is invalid; pass back the nextCursor of the previous page");
    }
  }

  private int limit(JsonObject q) {
    int limit = q.getInteger("limit", live.defaultPageSize());
    if (limit > config.api().maxPageSize()) {
      throw new ArbiterException(Failure.BAD_REQUEST, "limit must be at most " + config.api().maxPageSize(),
          new JsonObject().put("field", "limit"));
    }
    return limit;
  }

  /**
   * The template checked as the task domain checks a submission (the contract already checked its shape): the
   * payload's size, the timeout and attempts within the configured bounds, and the tenant's limits as they stand now.
   * Errors name the field under {@code template.}.
   */
  private Future<JsonObject> checkTemplate(RequestContext ctx, JsonObject template) {
    return breaker.execute(() -> PolicyReads.limits(pool, ctx.tenantId())).map(limits -> {
      Submission.from(template, null, ctx, config.tasks(), limits, "template.", callbacks);
      return template;
    });
  }

  private static Cadence cadence(String cron, String zone) {
    try {
      return Cadence.of(cron, zone);
    } catch (Cadence.Invalid e) {
      throw invalid(e.field(), e.getMessage());
    }
  }

  private void drainAudit() {
    vertx.eventBus().send(Addresses.AUDIT_DRAIN, null);
  }

  private static ArbiterException invalid(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }
}
