package io.arbiter.task;

import io.arbiter.bus.RequestContext;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The task domain's purges (SQL in {@link TaskSql}): retention's batches and an operator's purge of one task. */
final class PurgeRepository {

  /** What an operator's purge found: the task's state, and whether it was purged. */
  record Purge(TaskState state, boolean purged) {}

  /** The states an operator may purge a task in: every finished one, dead included. */
  static final String[] PURGEABLE_BY_OPERATOR = Arrays.stream(TaskState.values()).filter(TaskState::finished)
      .map(TaskState::wire).toArray(String[]::new);

  private final Pool pool;

  PurgeRepository(Pool pool) {
    this.pool = pool;
  }

  /** The tenants holding tasks that retention may purge. */
  Future<List<String>> tenants() {
    return pool.preparedQuery(TaskSql.PURGE_TENANTS).execute().map(rows -> {
      List<String> tenants = new ArrayList<>(rows.size());
      rows.forEach(row -> tenants.add(row.getString("tenant_id")));
      return tenants;
    });
  }

  /** Purges one batch of {@code tenant}'s tasks that finished before {@code horizon}; returns how many. */
  Future<Long> purgeBatch(String tenant, Instant horizon, int batch) {
    return pool.preparedQuery(TaskSql.PURGE_FINISHED)
        .execute(Tuple.of(tenant, OffsetDateTime.ofInstant(horizon, ZoneOffset.UTC), batch))
        .map(rows -> rows.iterator().next().getLong("purged"));
  }

  /** Purges one task of the caller's tenant if it has finished; null when the tenant has no such task. */
  Future<Purge> purge(RequestContext ctx, UUID id) {
    Tuple params = Tuple.of(id, ctx.tenantId(), PURGEABLE_BY_OPERATOR).addString(ctx.subject())
        .addString(ctx.role()).addString(ctx.clientIp()).addString(ctx.userAgent()).addString(ctx.correlationId());
    return pool.preparedQuery(TaskSql.PURGE_ONE).execute(params).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Purge(TaskState.fromWire(row.getString("state")), row.getBoolean("purged"));
    });
  }
}
