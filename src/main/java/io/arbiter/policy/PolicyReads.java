package io.arbiter.policy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The policy reads other domains make on their own connections (and through their own breaker): a tenant's limits
 * before a submission, and the budget, gates and applicable waivers of the tasks a batch of results reports on.
 */
public final class PolicyReads {
  private PolicyReads() {}

  /** What the result gates need to judge one task's attempt. */
  public record GateInput(UUID taskId, String taskType, TaskPolicy policy, List<Waiver> waivers) {}

  public static Future<TenantLimits> limits(SqlClient client, String tenantId) {
    return client.preparedQuery(PolicySql.LIMITS).execute(Tuple.of(tenantId))
        .map(rows -> rows.size() == 0 ? TenantLimits.NONE : limits(rows.iterator().next()));
  }

  /**
   * One read for a whole batch: the tasks among {@code taskIds} that set a budget or gates, with the tenant's active
   * waivers that may cover them (scope: the task, its type, or {@code agentId}). Tasks without policy are absent.
   */
  public static Future<Map<UUID, GateInput>> resultGates(SqlClient client, String tenantId, String agentId,
                                                         List<UUID> taskIds) {
    return client.preparedQuery(PolicySql.RESULT_GATES)
        .execute(Tuple.of(tenantId, agentId, taskIds.toArray(UUID[]::new)))
        .map(rows -> {
          Map<UUID, GateInput> inputs = new HashMap<>();
          for (Row row : rows) {
            UUID id = row.getUUID("id");
            inputs.put(id, new GateInput(id, row.getString("type"),
                TaskPolicy.from(object(row.getValue("budget")), object(row.getValue("gates"))),
                waivers(tenantId, (JsonArray) row.getValue("waivers"))));
          }
          return inputs;
        });
  }

  /** The tenant's active waivers (each still checked against the time of the result it may cover). */
  public static Future<List<Waiver>> activeWaivers(SqlClient client, String tenantId) {
    return client.preparedQuery(PolicySql.ACTIVE_WAIVERS).execute(Tuple.of(tenantId)).map(rows -> {
      List<Waiver> waivers = new ArrayList<>(rows.size());
      for (Row row : rows) {
        waivers.add(new Waiver(row.getUUID("id"), tenantId, row.getString("rule"),
            Waiver.Scope.fromWire(row.getString("scope_kind")), row.getString("scope_value"), null,
            row.getOffsetDateTime("expires_at").toInstant(), null, null, null, null));
      }
      return waivers;
    });
  }

  static TenantLimits limits(Row row) {
    String[] types = row.getArrayOfStrings("task_types");
    return new TenantLimits(row.getInteger("max_files"), row.getInteger("max_loc"), row.getLong("max_payload_bytes"),
        types == null ? List.of() : List.of(types), row.getLong("default_queue_timeout_ms"));
  }

  private static List<Waiver> waivers(String tenantId, JsonArray json) {
    List<Waiver> waivers = new ArrayList<>(json == null ? 0 : json.size());
    if (json != null) {
      for (int i = 0; i < json.size(); i++) {
        JsonObject w = json.getJsonObject(i);
        waivers.add(new Waiver(UUID.fromString(w.getString("id")), tenantId, w.getString("rule"),
            Waiver.Scope.fromWire(w.getString("scopeKind")), w.getString("scopeValue"), null,
            OffsetDateTime.parse(w.getString("expiresAt")).toInstant(), null, null, null, null));
      }
    }
    return waivers;
  }

  private static JsonObject object(Object value) {
    return value instanceof JsonObject json ? json : new JsonObject();
  }
}
