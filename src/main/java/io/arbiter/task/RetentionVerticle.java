package io.arbiter.task;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of finished tasks. On a timer ({@code retention.intervalMs}) it purges, tenant by tenant and batch by
 * batch ({@code retention.batchSize} per short transaction, rows other nodes hold skipped), the tasks that succeeded or
 * were canceled longer ago than their tenant's retention ({@link Retention}), then asks the audit domain to archive
 * what its chain no longer needs to hold ({@link Addresses#AUDIT_ARCHIVE}). It answers an operator's purge of one
 * finished task ({@link Addresses#TASKS_PURGE}). Its own small pool keeps the purge off the task verticle's
 * connections.
 */
public final class RetentionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);

  /** Connections of the retention pool: one for the purge, one for an operator's purge meanwhile. */
  static final int POOL_SIZE = 2;

  private final ArbiterConfig config;
  private final Retention retention;
  private final MeterRegistry registry;
  private Pool pool;
  private DbBreaker breaker;
  private PurgeRepository purges;
  private Counter purged;
  private boolean running;

  public RetentionVerticle(ArbiterConfig config, Retention retention, MeterRegistry registry) {
    this.config = config;
    this.retention = retention;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "retention", false, POOL_SIZE);
    breaker = new DbBreaker(vertx, "retention-db", config.breaker(), registry);
    purges = new PurgeRepository(pool);
    if (registry != null) {
      purged = Counter.builder("arbiter.tasks.purged")
          .description("Finished tasks purged by retention or by an operator on this node").register(registry);
    }
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.TASKS_PURGE, Replies.handle(LOG, this::purgeOne))
        .completion()
        .onSuccess(v -> vertx.setPeriodic(retention.intervalMs(), id -> sweep()));
  }

  /** One round: every tenant's old finished tasks, then the audit archive; a round still running skips the tick. */
  private void sweep() {
    if (running) {
      return;
    }
    running = true;
    Instant now = Instant.now();
    breaker.execute(purges::tenants)
        .compose(tenants -> purgeTenants(tenants, 0, now, 0))
        .compose(total -> {
          if (total > 0) {
            LOG.info("retention purged {} finished task(s)", total);
          }
          return vertx.eventBus().<JsonObject>request(Addresses.AUDIT_ARCHIVE, new JsonObject(),
              RequestContext.system("retention").deliveryOptions(config.http().requestTimeoutMs() * 6));
        })
        .onFailure(e -> LOG.warn("retention round failed: {}", e.getMessage()))
        .onComplete(done -> running = false);
  }

  private Future<Long> purgeTenants(List<String> tenants, int index, Instant now, long total) {
    if (index >= tenants.size()) {
      return Future.succeededFuture(total);
    }
    String tenant = tenants.get(index);
    return purgeTenant(tenant, retention.horizon(tenant, now), 0)
        .compose(n -> purgeTenants(tenants, index + 1, now, total + n));
  }

  private Future<Long> purgeTenant(String tenant, Instant horizon, long total) {
    return breaker.execute(() -> purges.purgeBatch(tenant, horizon, retention.batchSize())).compose(n -> {
      if (purged != null) {
        purged.increment(n);
      }
      return retention.moreAfter(n) ? purgeTenant(tenant, horizon, total + n) : Future.succeededFuture(total + n);
    });
  }

  private Future<JsonObject> purgeOne(Message<JsonObject> m) {
    RequestContext ctx = RequestContext.from(m);
    UUID id;
    try {
      id = UUID.fromString(m.body().getString("id"));
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception("id must be a UUID");
    }
    return breaker.execute(() -> purges.purge(ctx, id)).map(purge -> {
      if (purge == null) {
        throw Failure.NOT_FOUND.exception("no such task in this tenant");
      }
      if (!purge.purged()) {
        throw Failure.CONFLICT.exception("task " + id + " is " + purge.state().wire()
            + "; only a finished task (succeeded, canceled or dead) can be purged");
      }
      if (purged != null) {
        purged.increment();
      }
      return new JsonObject().put("id", id.toString()).put("state", purge.state().wire());
    });
  }
}
