package io.arbiter.task;

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
import java.util.HashMap;
import java.util.Map;

/**
 * What the console reads beyond single tasks: the tenant's figures over a window ({@link TaskSql#TIMESERIES}) and an
 * agent's current leases and recent results ({@link TaskSql#AGENT_LEASES}, {@link TaskSql#AGENT_RESULTS}).
 */
final class OperatorReads {

  private static final String[] COUNTS = {"submitted", "succeeded", "failed", "dead", "canceled"};

  private final Pool pool;

  OperatorReads(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {from, to, stepSeconds, points: [{at, submitted, succeeded, failed, dead, canceled, assignLatencyMs,
   * endToEndLatencyMs}…], summary}}: one point per step, oldest first, and the whole window in {@code summary}; a
   * latency is {@code {p50, p95, p99}} in milliseconds, or null when no task of the step measured it.
   */
  Future<JsonObject> timeseries(RequestContext ctx, StatsWindow window) {
    return pool.preparedQuery(TaskSql.TIMESERIES)
        .execute(Tuple.of(ctx.tenantId(), utc(window.from()), utc(window.to()), (int) window.step().getSeconds()))
        .map(rows -> {
          Map<Instant, JsonObject> byStep = new HashMap<>();
          JsonObject summary = point(null);
          for (Row row : rows) {
            OffsetDateTime at = row.getOffsetDateTime("at");
            JsonObject point = at == null ? summary : point(at.toInstant());
            for (String count : COUNTS) {
              point.put(count, row.getLong(count));
            }
            point.put("assignLatencyMs", latency(row, "assign_ms"));
            point.put("endToEndLatencyMs", latency(row, "end_to_end_ms"));
            if (at != null) {
              byStep.put(at.toInstant(), point);
            }
          }
          JsonArray points = new JsonArray();
          for (int i = 0; i < window.points(); i++) {
            Instant at = window.from().plus(window.step().multipliedBy(i));
            points.add(byStep.getOrDefault(at, point(at)));
          }
          return new JsonObject().put("from", window.from().toString()).put("to", window.to().toString())
              .put("stepSeconds", window.step().getSeconds()).put("points", points).put("summary", summary);
        });
  }

  private static JsonObject point(Instant at) {
    JsonObject point = new JsonObject();
    if (at != null) {
      point.put("at", at.toString());
    }
    for (String count : COUNTS) {
      point.put(count, 0L);
    }
    return point.putNull("assignLatencyMs").putNull("endToEndLatencyMs");
  }

  private static JsonObject latency(Row row, String column) {
    Double[] p = row.getArrayOfDoubles(column);
    if (p == null || p.length != 3 || p[0] == null) {
      return null;
    }
    return new JsonObject().put("p50", Math.round(p[0])).put("p95", Math.round(p[1])).put("p99", Math.round(p[2]));
  }

  private static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }

  /**
   * {@code {agentId, leases: [{taskId, type, priority, state, attempt, assignedAt, startedAt, leaseExpiresAt}…],
   * results: [{taskId, attempt, type, outcome, quality, error, reportedAt}…]}}: the tasks the agent holds now, earliest
   * assigned first, and its latest reported attempts, newest first; both empty for an agent the tenant does not have.
   */
  Future<JsonObject> activity(RequestContext ctx, String agentId, int maxLeases, int maxResults) {
    Future<JsonArray> leases = pool.preparedQuery(TaskSql.AGENT_LEASES)
        .execute(Tuple.of(ctx.tenantId(), agentId, maxLeases)).map(rows -> {
          JsonArray items = new JsonArray();
          rows.forEach(row -> items.add(new JsonObject().put("taskId", row.getUUID("id").toString())
              .put("type", row.getString("type")).put("priority", row.getInteger("priority"))
              .put("state", row.getString("state")).put("attempt", row.getInteger("attempt"))
              .put("assignedAt", TaskJson.time(row.getOffsetDateTime("assigned_at")))
              .put("startedAt", TaskJson.time(row.getOffsetDateTime("started_at")))
              .put("leaseExpiresAt", TaskJson.time(row.getOffsetDateTime("lease_expires_at")))));
          return items;
        });
    Future<JsonArray> results = pool.preparedQuery(TaskSql.AGENT_RESULTS)
        .execute(Tuple.of(ctx.tenantId(), agentId, maxResults)).map(rows -> {
          JsonArray items = new JsonArray();
          rows.forEach(row -> items.add(new JsonObject().put("taskId", row.getUUID("task_id").toString())
              .put("attempt", row.getInteger("attempt")).put("type", row.getString("type"))
              .put("outcome", row.getString("outcome")).put("quality", row.getDouble("quality"))
              .put("error", row.getString("error"))
              .put("reportedAt", TaskJson.time(row.getOffsetDateTime("reported_at")))));
          return items;
        });
    return Future.all(leases, results).map(all -> new JsonObject().put("agentId", agentId)
        .put("leases", leases.result()).put("results", results.result()));
  }
}
