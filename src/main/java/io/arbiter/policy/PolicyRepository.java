package io.arbiter.policy;

import io.arbiter.audit.AuditEvent;
import io.arbiter.audit.AuditLog;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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

/** The policy domain's reads and writes (SQL in {@link PolicySql}); every change commits with its audit event. */
final class PolicyRepository {

  private final Pool pool;

  PolicyRepository(Pool pool) {
    this.pool = pool;
  }

  Future<TenantLimits> limits(RequestContext ctx) {
    return PolicyReads.limits(pool, ctx.tenantId());
  }

  /** Replaces the tenant's limits; audited as {@code policy.limits.changed} with the limits before and after. */
  Future<TenantLimits> putLimits(RequestContext ctx, TenantLimits limits) {
    return pool.withTransaction(tx -> tx.preparedQuery(PolicySql.PUT_LIMITS)
        .execute(Tuple.tuple(Arrays.asList(ctx.tenantId(), limits.maxFiles(), limits.maxLoc(), limits.maxPayloadBytes(),
            limits.taskTypes().toArray(String[]::new), limits.defaultQueueTimeoutMs(), ctx.subject())))
        .compose(rows -> {
          Row row = rows.iterator().next();
          String[] oldTypes = row.getArrayOfStrings("old_task_types");
          TenantLimits before = new TenantLimits(row.getInteger("old_max_files"), row.getInteger("old_max_loc"),
              row.getLong("old_max_payload_bytes"), oldTypes == null ? List.of() : List.of(oldTypes),
              row.getLong("old_default_queue_timeout_ms"));
          TenantLimits after = PolicyReads.limits(row);
          return AuditLog.append(tx, AuditEvent.of(ctx, "policy.limits.changed", "tenant:" + ctx.tenantId(),
                  AuditEvent.Outcome.SUCCESS, new JsonObject().put("from", before.toJson()).put("to", after.toJson())))
              .map(after);
        }));
  }

  /** Creates a waiver; audited as {@code policy.waiver.created}. */
  Future<Waiver> create(RequestContext ctx, String rule, Waiver.Scope scope, String scopeValue, String reason,
                        Instant expiresAt) {
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> tx.preparedQuery(PolicySql.INSERT_WAIVER)
        .execute(Tuple.of(id, ctx.tenantId(), rule, scope.wire(), scopeValue, reason,
            OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC), ctx.subject()))
        .compose(rows -> {
          Waiver waiver = waiver(rows.iterator().next());
          return AuditLog.append(tx, AuditEvent.of(ctx, "policy.waiver.created", "waiver:" + id,
              AuditEvent.Outcome.SUCCESS, audited(waiver))).map(waiver);
        }));
  }

  Future<Waiver> get(RequestContext ctx, UUID id) {
    return pool.preparedQuery(PolicySql.SELECT_WAIVER).execute(Tuple.of(ctx.tenantId(), id)).map(rows -> {
      if (rows.size() == 0) {
        throw notFound();
      }
      return waiver(rows.iterator().next());
    });
  }

  /** Revokes a waiver (audited as {@code policy.waiver.revoked}); revoking a revoked one changes nothing. */
  Future<Waiver> revoke(RequestContext ctx, UUID id) {
    return pool.withTransaction(tx -> tx.preparedQuery(PolicySql.REVOKE_WAIVER)
        .execute(Tuple.of(ctx.tenantId(), id, ctx.subject()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          Waiver waiver = waiver(rows.iterator().next());
          return AuditLog.append(tx, AuditEvent.of(ctx, "policy.waiver.revoked", "waiver:" + id,
              AuditEvent.Outcome.SUCCESS, audited(waiver))).map(waiver);
        }))
        .compose(revoked -> revoked != null ? Future.succeededFuture(revoked) : get(ctx, id));
  }

  Future<List<Waiver>> list(RequestContext ctx, Boolean active, String rule, OffsetDateTime afterCreated, UUID afterId,
                            int limit) {
    return pool.preparedQuery(PolicySql.LIST_WAIVERS)
        .execute(Tuple.tuple(Arrays.asList(ctx.tenantId(), active, rule, afterCreated, afterId, limit)))
        .map(rows -> {
          List<Waiver> page = new ArrayList<>(rows.size());
          rows.forEach(row -> page.add(waiver(row)));
          return page;
        });
  }

  private static JsonObject audited(Waiver w) {
    return new JsonObject().put("rule", w.rule()).put("scope", w.scope().wire()).put("scopeValue", w.scopeValue())
        .put("reason", w.reason()).put("expiresAt", w.expiresAt().toString());
  }

  static Waiver waiver(Row row) {
    OffsetDateTime revoked = row.getOffsetDateTime("revoked_at");
    return new Waiver(row.getUUID("id"), row.getString("tenant_id"), row.getString("rule"),
        Waiver.Scope.fromWire(row.getString("scope_kind")), row.getString("scope_value"), row.getString("reason"),
        row.getOffsetDateTime("expires_at").toInstant(), row.getString("created_by"),
        row.getOffsetDateTime("created_at").toInstant(), revoked == null ? null : revoked.toInstant(),
        row.getString("revoked_by"));
  }

  static io.arbiter.bus.ArbiterException notFound() {
    return Failure.NOT_FOUND.exception("no such waiver in this tenant");
  }
}
