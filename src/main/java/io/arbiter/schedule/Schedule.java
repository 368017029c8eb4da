package io.arbiter.schedule;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A recurring task: the submission {@code template} fired at each occurrence of {@code cron} in {@code timeZone}.
 * {@code nextRunAt} is the next occurrence to fire (null when the expression never occurs again).
 */
public record Schedule(UUID id, String tenantId, String name, String cron, String timeZone, JsonObject template,
                       Overlap overlap, CatchUp catchUp, boolean paused, Instant nextRunAt, UUID lastRunTaskId,
                       Instant lastRunAt, String createdBy, Instant createdAt, Instant updatedAt) {

  public Cadence cadence() {
    return Cadence.of(cron, timeZone);
  }

  /**
   * This schedule changed by {@code patch} (fields left out stay): a new expression or zone, or a resume, sets the
   * next run to the first occurrence after {@code now}, so that a paused schedule does not catch up what it missed
   * while paused. Fails {@link Cadence.Invalid} for an expression or zone that cannot make a cadence.
   */
  public Schedule changed(JsonObject patch, Instant now) {
    String newCron = patch.getString("cron", cron);
    String newZone = patch.getString("timeZone", timeZone);
    boolean newPaused = patch.getBoolean("paused", paused);
    Instant next = nextRunAt;
    if (!newCron.equals(cron) || !newZone.equals(timeZone) || (paused && !newPaused)) {
      next = Cadence.of(newCron, newZone).after(now).orElse(null);
    }
    return new Schedule(id, tenantId, patch.getString("name", name), newCron, newZone,
        patch.getJsonObject("template", template),
        patch.containsKey("overlap") ? Overlap.fromWire(patch.getString("overlap")) : overlap,
        patch.containsKey("catchUp") ? CatchUp.fromWire(patch.getString("catchUp")) : catchUp,
        newPaused, next, lastRunTaskId, lastRunAt, createdBy, createdAt, updatedAt);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString()).put("tenantId", tenantId).put("name", name).put("cron", cron)
        .put("timeZone", timeZone).put("template", template).put("overlap", overlap.wire())
        .put("catchUp", catchUp.wire()).put("paused", paused).put("nextRunAt", text(nextRunAt))
        .put("lastRunTaskId", lastRunTaskId == null ? null : lastRunTaskId.toString())
        .put("lastRunAt", text(lastRunAt)).put("createdBy", createdBy).put("createdAt", text(createdAt))
        .put("updatedAt", text(updatedAt));
  }

  /** What an audit record keeps of a schedule (the template's payload stays out). */
  JsonObject audited() {
    return new JsonObject().put("name", name).put("cron", cron).put("timeZone", timeZone)
        .put("type", template.getString("type")).put("overlap", overlap.wire()).put("catchUp", catchUp.wire())
        .put("paused", paused);
  }

  static Schedule from(Row row) {
    return new Schedule(row.getUUID("id"), row.getString("tenant_id"), row.getString("name"), row.getString("cron"),
        row.getString("time_zone"), (JsonObject) row.getValue("template"), Overlap.fromWire(row.getString("overlap")),
        CatchUp.fromWire(row.getString("catch_up")), row.getBoolean("paused"), instant(row, "next_run_at"),
        row.getUUID("last_run_task_id"), instant(row, "last_run_at"), row.getString("created_by"),
        instant(row, "created_at"), instant(row, "updated_at"));
  }

  static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
