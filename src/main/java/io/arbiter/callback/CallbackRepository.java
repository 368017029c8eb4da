package io.arbiter.callback;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The callback domain's reads and writes (SQL in {@link CallbackSql}). */
final class CallbackRepository {

  private final Pool pool;

  CallbackRepository(Pool pool) {
    this.pool = pool;
  }

  /** Up to {@code max} due callbacks of finished tasks, each now {@code delivering} under a lease of {@code leaseMs}. */
  Future<List<Due>> claimDue(int max, long leaseMs) {
    return pool.preparedQuery(CallbackSql.CLAIM_DUE).execute(Tuple.of(max, leaseMs)).map(rows -> {
      List<Due> due = new ArrayList<>(rows.size());
      rows.forEach(row -> due.add(new Due(row.getUUID("task_id"), row.getString("tenant_id"), row.getString("url"),
          row.getInteger("attempts"), row.getString("state"), row.getInteger("attempt"),
          Due.json(row.getJson("result")), row.getString("error"), row.getOffsetDateTime("finished_at"))));
      return due;
    });
  }

  /** Records a try's verdict; false when the lease had run out and another try took the callback meanwhile. */
  Future<Boolean> record(Due due, RetryRule.Verdict verdict, Integer status, String error) {
    Long delayMs = verdict instanceof RetryRule.Retry retry ? retry.delayMs() : null;
    return pool.preparedQuery(CallbackSql.RECORD)
        .execute(Tuple.tuple(Arrays.asList(due.tenantId(), due.taskId(), due.attempts(), verdict.state(), delayMs,
            status, error)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The callback of a task of the caller's tenant, as {@code GET /tasks/{id}/callback} shows it. */
  Future<JsonObject> get(RequestContext ctx, UUID taskId) {
    return pool.preparedQuery(CallbackSql.SELECT_ONE).execute(Tuple.of(ctx.tenantId(), taskId)).map(rows -> {
      if (rows.size() == 0) {
        throw Failure.NOT_FOUND.exception("no task of this tenant with that id asked for a callback");
      }
      Row row = rows.iterator().next();
      JsonObject json = new JsonObject()
          .put("taskId", taskId.toString())
          .put("host", CallbackUrl.host(row.getString("url")))
          .put("state", row.getString("state"))
          .put("attempts", row.getInteger("attempts"));
      putTime(json, "nextAttemptAt", "pending".equals(row.getString("state")) && row.getInteger("attempts") > 0
          ? row.getOffsetDateTime("next_attempt_at") : null);
      putTime(json, "lastAttemptAt", row.getOffsetDateTime("last_attempt_at"));
      if (row.getInteger("last_status") != null) {
        json.put("lastStatus", row.getInteger("last_status"));
      }
      if (row.getString("last_error") != null) {
        json.put("lastError", row.getString("last_error"));
      }
      putTime(json, "deliveredAt", row.getOffsetDateTime("delivered_at"));
      putTime(json, "createdAt", row.getOffsetDateTime("created_at"));
      return json;
    });
  }

  private static void putTime(JsonObject json, String field, OffsetDateTime at) {
    if (at != null) {
      json.put(field, at.toInstant().toString());
    }
  }
}
