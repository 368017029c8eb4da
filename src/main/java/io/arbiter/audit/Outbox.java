package io.arbiter.audit;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * The transactional outbox of the audit trail. A domain that changes state calls {@link #append} on the same
 * connection, inside the same transaction, as the change: the event commits with the change or not at all. The
 * audit verticle later moves it into {@code audit_log}.
 */
public final class Outbox {
  private Outbox() {}

  /**
   * A data-modifying CTE, {@code name AS (INSERT INTO audit_outbox … select)}, for hot paths that append their audit
   * events in the same statement as the state change. {@code select} must yield, in order: tenant_id, actor_sub,
   * actor_role, action, target, outcome, client_ip, user_agent, correlation_id, details (jsonb, built from fields that
   * hold no secret), tags (text[]).
   */
  public static String cte(String name, String select) {
    return name + " AS (INSERT INTO audit_outbox (" + AuditSql.OUTBOX_COLUMNS + ")\n" + select + ")";
  }

  public static Future<Void> append(SqlClient tx, AuditEvent event) {
    return tx.preparedQuery(AuditSql.INSERT_OUTBOX).execute(tuple(event)).mapEmpty();
  }

  public static Future<Void> appendAll(SqlClient tx, List<AuditEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(AuditSql.INSERT_OUTBOX).executeBatch(events.stream().map(Outbox::tuple).toList())
        .mapEmpty();
  }

  private static Tuple tuple(AuditEvent e) {
    return Tuple.tuple(List.of())
        .addString(e.tenantId()).addString(e.actorSub()).addString(e.actorRole()).addString(e.action())
        .addString(e.target()).addString(e.outcome().wire()).addString(e.clientIp()).addString(e.userAgent())
        .addString(e.correlationId()).addValue(e.details()).addArrayOfString(e.tags().toArray(String[]::new));
  }
}
