package io.arbiter.audit;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of {@code audit_log}. It drains the outbox in order and in batches (nudged by writers on
 * {@link Addresses#AUDIT_DRAIN}, with a poll timer as the fallback), appends security and system events that have no
 * transaction of their own, and records every applied config change.
 */
public final class AuditVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AuditVerticle.class);

  private final ArbiterConfig config;
  private final MeterRegistry registry;
  private final AtomicLong pending = new AtomicLong();
  private Pool pool;
  private DbBreaker breaker;
  private boolean draining;
  private boolean drainAgain;

  public AuditVerticle(ArbiterConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "audit");
    breaker = new DbBreaker(vertx, "audit-db", config.breaker(), registry);
    if (registry != null) {
      Gauge.builder("arbiter.audit.outbox.pending", pending, AtomicLong::get)
          .description("Audit events written but not yet moved into the audit log").register(registry);
    }
    var bus = vertx.eventBus();
    vertx.setPeriodic(config.audit().drainIntervalMs(), id -> drain());
    return Future.all(List.of(
        bus.<JsonObject>consumer(Addresses.AUDIT_APPEND, this::append).completion(),
        bus.consumer(Addresses.AUDIT_DRAIN, message -> drain()).completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED, this::recordConfigChange).completion(),
        bus.<JsonObject>consumer(Addresses.AUDIT_HEALTH, Replies.handle(LOG, m -> health())).completion()));
  }

  private void append(Message<JsonObject> message) {
    AuditEvent event = AuditEvent.fromJson(message.body());
    breaker.execute(() -> Outbox.append(pool, event))
        .onSuccess(v -> {
          message.reply(new JsonObject());
          drain();
        })
        .onFailure(e -> Replies.fail(LOG, message, e));
  }

  private void recordConfigChange(Message<JsonObject> message) {
    RequestContext system = RequestContext.system("config-reload");
    List<AuditEvent> events = message.body().getJsonArray("changes").stream()
        .map(JsonObject.class::cast)
        .map(change -> AuditEvent.of(system, "config.changed", "config:" + change.getString("key"),
            AuditEvent.Outcome.SUCCESS, change))
        .toList();
    breaker.execute(() -> Outbox.appendAll(pool, events))
        .onSuccess(v -> drain())
        .onFailure(e -> LOG.error("config change could not be audited: {}", e.getMessage()));
  }

  /** Moves outbox rows into the log until a batch comes back short; one drain runs at a time per verticle. */
  private void drain() {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    drainAgain = false;
    int batch = config.audit().drainBatchSize();
    breaker.execute(() -> pool.withTransaction(tx -> tx.query(AuditSql.LOCK_DRAIN).execute()
            .compose(v -> tx.preparedQuery(AuditSql.DRAIN).execute(io.vertx.sqlclient.Tuple.of(batch)))
            .map(rows -> rows.rowCount())))
        .onComplete(result -> {
          draining = false;
          if (result.failed()) {
            LOG.debug("audit drain failed: {}", result.cause().getMessage());
            return;
          }
          if (result.result() >= batch || drainAgain) {
            drain();
          } else {
            countPending();
          }
        });
  }

  private void countPending() {
    breaker.execute(() -> pool.query(AuditSql.COUNT_PENDING).execute())
        .onSuccess(rows -> pending.set(rows.iterator().next().getLong("pending")));
  }

  private Future<JsonObject> health() {
    return breaker.ping(pool).map(h -> h.toJson().put("outboxPending", pending.get()));
  }
}
