package io.arbiter.audit;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * How every domain writes the audit trail: one {@code audit_log} row per event, on the same connection and in the same
 * transaction as the change it records, so the event commits with the change or not at all. The row is the record;
 * the audit verticle later seals it into the hash chain ({@link AuditChain}) without copying it.
 */
public final class AuditLog {
  private AuditLog() {}

  /**
   * A data-modifying CTE, {@code name AS (INSERT INTO audit_log … select)}, for hot paths that append their audit
   * events in the same statement as the state change. {@code select} must yield, in order: tenant_id, actor_sub,
   * actor_role, action, target, outcome, client_ip, user_agent, correlation_id, details (jsonb, built from fields that
   * hold no secret), tags (text[]).
   */
  public static String cte(String name, String select) {
    return name + " AS (INSERT INTO audit_log (" + AuditSql.EVENT_COLUMNS + ")\n" + select + ")";
  }

  public static Future<Void> append(SqlClient tx, AuditEvent event) {
    return tx.preparedQuery(AuditSql.INSERT_EVENT).execute(tuple(event)).mapEmpty();
  }

  public static Future<Void> appendAll(SqlClient tx, List<AuditEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(AuditSql.INSERT_EVENT).executeBatch(events.stream().map(AuditLog::tuple).toList())
        .mapEmpty();
  }

  private static Tuple tuple(AuditEvent e) {
    return Tuple.tuple(List.of())
        .addString(e.tenantId()).addString(e.actorSub()).addString(e.actorRole()).addString(e.action())
        .addString(e.target()).addString(e.outcome().wire()).addString(e.clientIp()).addString(e.userAgent())
        .addString(e.correlationId()).addValue(e.details()).addArrayOfString(e.tags().toArray(String[]::new));
  }
}
