package io.arbiter.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A registered agent as stored. Two liveness signals: {@code alive} (it heartbeats within the window, so it
 * is not offline) and {@code consuming} (its delivery channel works: a claim agent by definition; a push agent while
 * its bridge channel is open and it acknowledges what it is sent). {@code delivery} is {@code claim} (REST) or
 * {@code push} (the event-bus bridge).
 */
public record Agent(String tenantId, String id, String name, String modelFamily, Capabilities capabilities,
                    int maxConcurrentTasks, AgentStatus status, int currentLoad, Performance performance,
                    OffsetDateTime lastHeartbeatAt, OffsetDateTime registeredAt, OffsetDateTime updatedAt,
                    OffsetDateTime deregisteredAt, String delivery, boolean consuming) {

  /** The agent of a row; when the row carries its specialization {@code records}, with the levels they earn. */
  public static Agent fromRow(Row row, Levels.Thresholds thresholds) {
    Agent agent = fromRow(row);
    if (row.getColumnIndex("records") < 0) {
      return agent;
    }
    Map<String, SpecializationRecord> records = new HashMap<>();
    ((JsonArray) row.getJson("records")).forEach(r -> {
      SpecializationRecord record = SpecializationRecord.fromJson((JsonObject) r);
      records.put(record.name(), record);
    });
    return new Agent(agent.tenantId, agent.id, agent.name, agent.modelFamily,
        agent.capabilities.withEarnedLevels(records, thresholds, agent.performance.averageQuality()),
        agent.maxConcurrentTasks, agent.status, agent.currentLoad, agent.performance, agent.lastHeartbeatAt,
        agent.registeredAt, agent.updatedAt, agent.deregisteredAt, agent.delivery, agent.consuming);
  }

  public static Agent fromRow(Row row) {
    JsonArray specs = (JsonArray) row.getJson("specializations");
    return new Agent(
        row.getString("tenant_id"),
        row.getString("id"),
        row.getString("name"),
        row.getString("model_family"),
        new Capabilities(List.of(row.getArrayOfStrings("task_types")), List.of(row.getArrayOfStrings("languages")),
            specs.stream().map(JsonObject.class::cast).map(Capabilities.Specialization::fromJson).toList()),
        row.getInteger("max_concurrent_tasks"),
        AgentStatus.fromWire(row.getString("status")),
        row.getInteger("current_load"),
        new Performance(row.getDouble("success_rate"), row.getDouble("average_quality"),
            row.getDouble("average_latency_ms"), row.getLong("task_count")),
        row.getOffsetDateTime("last_heartbeat_at"),
        row.getOffsetDateTime("registered_at"),
        row.getOffsetDateTime("updated_at"),
        row.getOffsetDateTime("deregistered_at"),
        row.getString("delivery"),
        row.getBoolean("consuming"));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("tenantId", tenantId)
        .put("name", name)
        .put("modelFamily", modelFamily)
        .put("capabilities", capabilities.toJson())
        .put("maxConcurrentTasks", maxConcurrentTasks)
        .put("status", status.wire())
        .put("currentLoad", currentLoad)
        .put("alive", status != AgentStatus.OFFLINE)
        .put("delivery", delivery)
        .put("consuming", consuming)
        .put("performance", performance.toJson())
        .put("lastHeartbeatAt", lastHeartbeatAt.toInstant().toString())
        .put("registeredAt", registeredAt.toInstant().toString())
        .put("updatedAt", updatedAt.toInstant().toString());
    if (deregisteredAt != null) {
      json.put("deregisteredAt", deregisteredAt.toInstant().toString());
    }
    return json;
  }

  public String target() {
    return "agent:" + id;
  }
}
