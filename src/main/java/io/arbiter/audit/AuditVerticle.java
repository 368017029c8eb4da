package io.arbiter.audit;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.StreamEvent;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Coalescer;
import io.arbiter.db.Cursor;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keeper of the audit trail. It seals the records every domain writes into {@code audit_log} into the hash chain,
 * in batches ({@link AuditRepository#sealNext}, nudged by writers on {@link Addresses#AUDIT_DRAIN}, with a poll timer
 * as the fallback), and hands them to the live streams once sealed; appends security and system events that have no
 * transaction of their own; records every applied config change; and answers the audit trail's reads:
 * {@link Addresses#AUDIT_QUERY} and {@link Addresses#AUDIT_VERIFY}.
 */
public final class AuditVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AuditVerticle.class);

  /** Seals one archival step may reach (at most 10,000 records each with the default drain batch). */
  static final int ARCHIVE_SEALS = 20;

  /** How soon to seal again when records wait behind a transaction that had not yet ended. */
  static final long RESEAL_DELAY_MS = 20;

  private final ArbiterConfig config;
  private final MeterRegistry registry;
  private final AtomicLong pending = new AtomicLong();
  private volatile LiveSettings live;
  private Pool pool;
  private DbBreaker breaker;
  private AuditRepository audit;
  private ChainWalk walk;
  private Verification verification;
  private Counter chained;
  private Counter skipped;
  private Counter archivedCounter;
  private Timer drainTimer;
  /**
   * The least time between the starts of two seals that writers asked for: under load each seal takes what was
   * committed meanwhile, instead of one seal transaction (five statements) for every few tasks; a seal after a quiet
   * spell starts at once.
   */
  static final long SEAL_PACE_MS = 25;

  private final Coalescer seals = new Coalescer(this::sealOnce, SEAL_PACE_MS, System::nanoTime,
      (ms, action) -> vertx.setTimer(ms, id -> action.run()));
  private boolean retryScheduled;

  public AuditVerticle(ArbiterConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.live = config.live();
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "audit");
    breaker = new DbBreaker(vertx, "audit-db", config.breaker(), registry);
    audit = new AuditRepository(pool);
    walk = new ChainWalk(breaker, audit);
    verification = new Verification(breaker, audit, walk, registry);
    if (registry != null) {
      Gauge.builder("arbiter.audit.unsealed", pending, AtomicLong::get)
          .description("Audit records written but not yet sealed into the hash chain").register(registry);
      chained = Counter.builder("arbiter.audit.chained")
          .description("Audit records sealed into the hash chain by this node").register(registry);
      skipped = Counter.builder("arbiter.audit.seal.skipped")
          .description("Seal turns this node skipped because another sealer held the chain's lock").register(registry);
      archivedCounter = Counter.builder("arbiter.audit.archived")
          .description("Audit records archived (bodies removed, hashes kept in their seals) by this node")
          .register(registry);
      drainTimer = Timer.builder("arbiter.audit.seal")
          .description("One seal transaction: lock, read the next records, chain them, write their seal")
          .register(registry);
    }
    var bus = vertx.eventBus();
    vertx.setPeriodic(config.audit().drainIntervalMs(), id -> {
      drain();
      countPending();
    });
    return Future.all(List.of(
        bus.<JsonObject>localConsumer(Addresses.AUDIT_APPEND, this::append).completion(),
        bus.localConsumer(Addresses.AUDIT_DRAIN, message -> drain()).completion(),
        bus.<JsonObject>localConsumer(Addresses.AUDIT_QUERY, Replies.handle(LOG, this::query)).completion(),
        bus.<JsonObject>localConsumer(Addresses.AUDIT_VERIFY, Replies.handle(LOG, this::verify)).completion(),
        bus.<JsonObject>localConsumer(Addresses.AUDIT_ARCHIVE, Replies.handle(LOG, this::archive)).completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED, this::configChanged).completion(),
        bus.<JsonObject>localConsumer(Addresses.AUDIT_HEALTH, Replies.handle(LOG, m -> health())).completion()));
  }

  private void append(Message<JsonObject> message) {
    AuditEvent event = AuditEvent.fromJson(message.body());
    breaker.execute(() -> AuditLog.append(pool, event))
        .onSuccess(v -> {
          message.reply(new JsonObject());
          drain();
        })
        .onFailure(e -> Replies.fail(LOG, message, e));
  }

  private void configChanged(Message<JsonObject> message) {
    live = LiveSettings.fromJson(message.body().getJsonObject("settings"));
    RequestContext system = RequestContext.system("config-reload");
    List<AuditEvent> events = message.body().getJsonArray("changes").stream()
        .map(JsonObject.class::cast)
        .map(change -> AuditEvent.of(system, "config.changed", "config:" + change.getString("key"),
            AuditEvent.Outcome.SUCCESS, change))
        .toList();
    breaker.execute(() -> AuditLog.appendAll(pool, events))
        .onSuccess(v -> drain())
        .onFailure(e -> LOG.error("config change could not be audited: {}", e.getMessage()));
  }

  /**
   * Seals records until a batch comes back short; one seal runs at a time per verticle ({@link Coalescer}). Records of
   * transactions that ended while an older one was still running wait for it: a short retry picks them up.
   */
  private void drain() {
    seals.request();
  }

  /** One seal; true when the batch was full, so more may be waiting. */
  private Future<Boolean> sealOnce() {
    int batch = config.audit().drainBatchSize();
    long started = System.nanoTime();
    return breaker.execute(() -> audit.sealNext(batch)).map(sealed -> {
      if (!sealed.held()) {
        if (skipped != null) {
          skipped.increment();
        }
        return false;
      }
      List<AuditRecord> appended = sealed.records();
      if (!appended.isEmpty()) {
        if (chained != null) {
          chained.increment(appended.size());
          drainTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        publish(appended);
      }
      if (appended.size() < batch) {
        resealWhileWaiting();
      }
      return appended.size() >= batch;
    }).onFailure(e -> LOG.debug("audit seal failed: {}", e.getMessage()));
  }

  /** Hands the task and agent events just appended to the live streams, in log order. */
  private void publish(List<AuditRecord> appended) {
    JsonArray events = new JsonArray();
    appended.forEach(r -> StreamEvent.fromAudit(r.id(), r.at(), r.tenantId(), r.action(), r.target(), r.details())
        .ifPresent(e -> events.add(e.toBus())));
    if (!events.isEmpty()) {
      vertx.eventBus().publish(Addresses.EVENTS_STREAM, new JsonObject().put("events", events));
    }
  }

  /**
   * After a short seal: when committed records still wait (behind a transaction that had not ended when the seal
   * looked), seals again shortly. An existence probe, not a count: under load nearly every seal is short, and counting
   * the waiting records after each one took a fifth of the database's time in the bulk benchmark.
   */
  private void resealWhileWaiting() {
    breaker.execute(audit::anyUnsealed).onSuccess(waiting -> {
      if (waiting && !retryScheduled) {
        retryScheduled = true;
        vertx.setTimer(RESEAL_DELAY_MS, id -> {
          retryScheduled = false;
          drain();
        });
      }
    });
  }

  /** Refreshes {@code arbiter_audit_unsealed} (and the health detail), on the fallback drain's tick. */
  private void countPending() {
    breaker.execute(audit::pending).onSuccess(pending::set);
  }

  // ---- reads ----

  private Future<JsonObject> query(Message<JsonObject> m) {
    JsonObject q = m.body();
    int limit = q.getInteger("limit", live.defaultPageSize());
    if (limit > config.api().maxPageSize()) {
      throw Failure.BAD_REQUEST.exception("limit must be at most " + config.api().maxPageSize());
    }
    OffsetDateTime from = time(q, "from");
    OffsetDateTime to = time(q, "to");
    requireOrdered(from, to);
    List<AuditSql.Filter> filters = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    params.add(RequestContext.from(m).tenantId());
    filter(filters, params, AuditSql.Filter.FROM, from);
    filter(filters, params, AuditSql.Filter.TO, to);
    filter(filters, params, AuditSql.Filter.ACTOR, q.getString("actor"));
    filter(filters, params, AuditSql.Filter.ACTION, q.getString("action"));
    filter(filters, params, AuditSql.Filter.TARGET, q.getString("target"));
    filter(filters, params, AuditSql.Filter.OUTCOME, q.getString("outcome"));
    filter(filters, params, AuditSql.Filter.BEFORE_ID, cursor(q.getString("cursor")));
    params.add(limit + 1);
    return breaker.execute(() -> audit.query(filters, params)).map(records -> {
      List<AuditRecord> page = records.subList(0, Math.min(limit, records.size()));
      String next = records.size() > limit ? Cursor.encode(Long.toString(page.get(page.size() - 1).id())) : null;
      return new JsonObject().put("items", new JsonArray(page.stream().map(AuditRecord::toJson).toList()))
          .put("nextCursor", next);
    });
  }

  private static void filter(List<AuditSql.Filter> filters, List<Object> params, AuditSql.Filter filter,
                             Object value) {
    if (value != null) {
      filters.add(filter);
      params.add(value);
    }
  }

  private static Long cursor(String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      return Long.parseLong(Cursor.decode(cursor, 1)[0]);
    } catch (NumberFormatException e) {
      throw Failure.BAD_REQUEST.exception("cursor is invalid; pass back the nextCursor of the previous page");
    }
  }

  /**
   * Walks the chain in chain order and answers at the first break: the pre-seal records of the range (from the record
   * before its first one), then every seal holding a record of the range, whole (from the last record of the seal
   * before it). Without a range it walks the stored chain after the last seal verified intact, or with {@code full}
   * (platform role only) from the latest archival checkpoint ({@link Verification}). The walk always checks the whole
   * chain in the range; the answer names every record for the platform role, and only the caller's tenant's records
   * for anyone else.
   */
  private Future<JsonObject> verify(Message<JsonObject> m) {
    OffsetDateTime from = time(m.body(), "from");
    OffsetDateTime to = time(m.body(), "to");
    requireOrdered(from, to);
    boolean full = Boolean.TRUE.equals(m.body().getValue("full"));
    RequestContext ctx = RequestContext.from(m);
    if (full && !ctx.platform()) {
      throw Failure.FORBIDDEN.exception("only the platform role forces a full walk of the audit chain");
    }
    if (full && (from != null || to != null)) {
      throw new ArbiterException(Failure.BAD_REQUEST, "field full: applies to the whole chain only (without from "
          + "and to)", new JsonObject().put("field", "full"));
    }
    return verification.run(from, to, full, ctx);
  }

  /**
   * One archival step (sent by retention after each round): the whole seals the step may reach (at most
   * {@link #ARCHIVE_SEALS}, their records older than {@code audit.archiveAfterDays}) are verified from the latest
   * checkpoint first, and nothing is archived unless they all verify, so that no record is removed unchecked.
   */
  private Future<JsonObject> archive(Message<JsonObject> m) {
    OffsetDateTime horizon = OffsetDateTime.now(ZoneOffset.UTC).minusDays(config.audit().archiveAfterDays());
    return breaker.execute(audit::checkpoint).compose(checkpoint -> {
      long archivedSeal = checkpoint == null ? 0 : checkpoint.sealId();
      return breaker.execute(() -> audit.archiveReach(archivedSeal, ARCHIVE_SEALS, horizon)).compose(upto -> {
        if (upto == null && checkpoint != null) {
          return Future.succeededFuture(archived(0, checkpoint));
        }
        long reach = upto == null ? 0 : upto; // 0: only records from before seals existed, if any
        return walk.settled(checkpoint, null, null, reach).compose(verifier -> {
          if (verifier.broken().isPresent()) {
            LOG.warn("audit archival paused: the chain to archive does not verify: {}", verifier.result().encode());
            return Future.succeededFuture(new JsonObject().put("archived", 0).put("broken", verifier.result()));
          }
          return breaker.execute(() -> audit.archive(horizon, reach)).map(step -> step == null
              ? archived(0, checkpoint) : archived(step.records(), step.checkpoint()));
        });
      });
    });
  }

  private JsonObject archived(long records, Checkpoint checkpoint) {
    if (records > 0) {
      if (archivedCounter != null) {
        archivedCounter.increment(records);
      }
      LOG.info("audit archival: {} record(s) archived; the stored chain starts after record {}", records,
          checkpoint.lastId());
    }
    return new JsonObject().put("archived", records)
        .put("checkpoint", checkpoint == null ? null : checkpoint.toJson(true));
  }

  private static OffsetDateTime time(JsonObject body, String name) {
    String value = body.getString(name);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value);
    } catch (DateTimeParseException e) {
      throw Failure.BAD_REQUEST.exception(name + " must be an ISO-8601 date-time with an offset, e.g. "
          + "2025-01-31T09:00:00Z");
    }
  }

  private static void requireOrdered(OffsetDateTime from, OffsetDateTime to) {
    if (from != null && to != null && from.isAfter(to)) {
      throw Failure.BAD_REQUEST.exception("from must not be after to");
    }
  }

  private Future<JsonObject> health() {
    return breaker.ping(pool).map(h -> h.toJson().put("unsealed", pending.get()));
  }
}
