package io.arbiter.policy;

import io.arbiter.audit.AuditEvent;
import io.arbiter.audit.AuditLog;
import io.arbiter.bus.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Reads and writes of the token deny list (SQL in {@link RevocationSql}). */
final class RevocationRepository {

  /** Entries {@code {tenantId, jti, expiresAt}} (epoch ms), and the database time they were read at. */
  record Unexpired(JsonArray items, OffsetDateTime asOf) {}

  private final Pool pool;

  RevocationRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Lists the token {@code jti} of {@code tenantId} until {@code expiresAt}; audited as {@code token.revoked} in the
   * token's tenant (the jti, never the token).
   */
  Future<RevokedToken> revoke(RequestContext ctx, String tenantId, String jti, Instant expiresAt) {
    return pool.withTransaction(tx -> tx.preparedQuery(RevocationSql.REVOKE)
        .execute(Tuple.of(tenantId, jti, OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC), ctx.subject()))
        .compose(rows -> {
          Row row = rows.iterator().next();
          RevokedToken revoked = revoked(row);
          AuditEvent by = AuditEvent.of(ctx, "token.revoked", "jti:" + jti, AuditEvent.Outcome.SUCCESS,
              new JsonObject().put("jti", jti).put("tenantId", tenantId).put("expiresAt", revoked.expiresAt().toString())
                  .put("again", row.getBoolean("existed")));
          AuditEvent event = new AuditEvent(tenantId, by.actorSub(), by.actorRole(), by.action(), by.target(),
              by.outcome(), by.clientIp(), by.userAgent(), by.correlationId(), by.details(), AuditEvent.SECURITY_TAGS);
          return AuditLog.append(tx, event).map(revoked);
        }));
  }

  /** The unexpired entries revoked at or after {@code since} (all of them when null). */
  Future<Unexpired> unexpiredSince(OffsetDateTime since) {
    return pool.preparedQuery(RevocationSql.UNEXPIRED_SINCE).execute(Tuple.of(since)).map(rows -> {
      Row row = rows.iterator().next();
      Object items = row.getValue("items");
      return new Unexpired(items instanceof JsonArray array ? array : new JsonArray(String.valueOf(items)),
          row.getOffsetDateTime("as_of"));
    });
  }

  /** Deletes the expired entries; the number deleted. */
  Future<Integer> purgeExpired() {
    return pool.query(RevocationSql.PURGE_EXPIRED).execute().map(rows -> rows.rowCount());
  }

  private static RevokedToken revoked(Row row) {
    return new RevokedToken(row.getString("tenant_id"), row.getString("jti"),
        row.getOffsetDateTime("expires_at").toInstant(), row.getString("revoked_by"),
        row.getOffsetDateTime("revoked_at").toInstant());
  }
}
