package io.arbiter.schedule;

import io.arbiter.audit.AuditEvent;
import io.arbiter.audit.AuditLog;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** The schedule domain's reads and writes (SQL in {@link ScheduleSql}); every change commits with its audit event. */
final class ScheduleRepository {

  /** The runs kept per schedule; older ones go as new ones are recorded. */
  static final int RUNS_KEPT = 1_000;

  /** One run as the runs listing shows it; {@code state} is its task's, null without a task or once it was purged. */
  record RunView(UUID scheduleId, Instant occurrenceAt, String outcome, UUID taskId, String detail, Instant firedAt,
                 String state) {
    JsonObject toJson() {
      return new JsonObject().put("scheduleId", scheduleId.toString()).put("occurrenceAt", occurrenceAt.toString())
          .put("outcome", outcome).put("taskId", taskId == null ? null : taskId.toString()).put("state", state)
          .put("detail", detail).put("firedAt", firedAt.toString());
    }
  }

  private final Pool pool;

  ScheduleRepository(Pool pool) {
    this.pool = pool;
  }

  /** Creates a schedule (audited as {@code schedule.created}); fails {@link Failure#CONFLICT} for a name the tenant
   * already uses, {@link Failure#UNPROCESSABLE} when the tenant holds {@code maxPerTenant} schedules. */
  Future<Schedule> create(RequestContext ctx, Schedule s, int maxPerTenant) {
    return pool.withTransaction(tx -> tx.preparedQuery(ScheduleSql.INSERT)
            .execute(Tuple.tuple(Arrays.asList(s.id(), ctx.tenantId(), s.name(), s.cron(), s.timeZone(), s.template(),
                s.overlap().wire(), s.catchUp().wire(), s.paused(), time(s.nextRunAt()), ctx.subject(), maxPerTenant)))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(new ArbiterException(Failure.UNPROCESSABLE, "the tenant already holds "
                    + maxPerTenant + " schedules (schedules.maxPerTenant); delete one first",
                    new JsonObject().put("rule", "schedules.maxPerTenant")));
              }
              Schedule created = Schedule.from(rows.iterator().next());
              return AuditLog.append(tx, AuditEvent.of(ctx, "schedule.created", "schedule:" + created.id(),
                  AuditEvent.Outcome.SUCCESS, created.audited())).map(created);
            }))
        .recover(e -> Future.failedFuture(DbErrors.isUniqueViolation(e) ? nameTaken(s.name()) : e));
  }

  Future<Schedule> get(RequestContext ctx, UUID id) {
    return pool.preparedQuery(ScheduleSql.SELECT).execute(Tuple.of(ctx.tenantId(), id)).map(rows -> one(rows));
  }

  /**
   * Changes a schedule under its row lock ({@code change} maps the stored schedule to the new one); audited as
   * {@code schedule.updated} with the schedule before and after.
   */
  Future<Schedule> update(RequestContext ctx, UUID id, Function<Schedule, Schedule> change) {
    return pool.withTransaction(tx -> tx.preparedQuery(ScheduleSql.SELECT_FOR_UPDATE)
            .execute(Tuple.of(ctx.tenantId(), id))
            .compose(rows -> {
              Schedule before = one(rows);
              Schedule after = change.apply(before);
              return tx.preparedQuery(ScheduleSql.UPDATE).execute(Tuple.tuple(Arrays.asList(ctx.tenantId(), id,
                      after.name(), after.cron(), after.timeZone(), after.template(), after.overlap().wire(),
                      after.catchUp().wire(), after.paused(), time(after.nextRunAt()))))
                  .compose(updated -> {
                    Schedule stored = one(updated);
                    return AuditLog.append(tx, AuditEvent.of(ctx, "schedule.updated", "schedule:" + id,
                        AuditEvent.Outcome.SUCCESS, new JsonObject().put("from", before.audited())
                            .put("to", stored.audited()))).map(stored);
                  });
            }))
        .recover(e -> Future.failedFuture(DbErrors.isUniqueViolation(e) ? nameTaken(null) : e));
  }

  /** Deletes a schedule and its runs (their tasks stay); audited as {@code schedule.deleted}. */
  Future<Schedule> delete(RequestContext ctx, UUID id) {
    return pool.withTransaction(tx -> tx.preparedQuery(ScheduleSql.DELETE).execute(Tuple.of(ctx.tenantId(), id))
        .compose(rows -> {
          Schedule deleted = one(rows);
          return AuditLog.append(tx, AuditEvent.of(ctx, "schedule.deleted", "schedule:" + id,
              AuditEvent.Outcome.SUCCESS, deleted.audited())).map(deleted);
        }));
  }

  Future<List<Schedule>> list(RequestContext ctx, OffsetDateTime afterCreated, UUID afterId, int limit) {
    return pool.preparedQuery(ScheduleSql.LIST)
        .execute(Tuple.tuple(Arrays.asList(ctx.tenantId(), afterCreated, afterId, limit)))
        .map(rows -> {
          List<Schedule> page = new ArrayList<>(rows.size());
          rows.forEach(row -> page.add(Schedule.from(row)));
          return page;
        });
  }

  /** Up to {@code limit} due schedules of every tenant, most overdue first. */
  Future<List<Schedule>> due(Instant now, int limit) {
    return pool.preparedQuery(ScheduleSql.DUE).execute(Tuple.of(time(now), limit)).map(rows -> {
      List<Schedule> due = new ArrayList<>(rows.size());
      rows.forEach(row -> due.add(Schedule.from(row)));
      return due;
    });
  }

  /** The state of one of the tenant's tasks; empty once it was purged. */
  Future<Optional<String>> taskState(String tenantId, UUID taskId) {
    return pool.preparedQuery(ScheduleSql.TASK_STATE).execute(Tuple.of(tenantId, taskId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString("state")));
  }

  /**
   * Moves {@code s} on from the next run it was read with to {@code next}, recording {@code run} for
   * {@code occurrence} (when one fired); false when another node or a change moved it first.
   */
  Future<Boolean> advance(Schedule s, Instant occurrence, Instant next, Run run) {
    return pool.preparedQuery(ScheduleSql.ADVANCE).execute(Tuple.tuple(Arrays.asList(s.tenantId(), s.id(),
            time(s.nextRunAt()), time(next), time(occurrence), run == null ? null : run.outcome(),
            run == null ? null : run.taskId(), run == null ? null : run.detail(), RUNS_KEPT)))
        .map(rows -> rows.iterator().next().getLong("advanced") > 0);
  }

  /** Up to {@code limit} runs of a schedule, newest occurrence first, before {@code before} when given. */
  Future<List<RunView>> runs(RequestContext ctx, UUID scheduleId, Instant before, int limit) {
    return pool.preparedQuery(ScheduleSql.RUNS)
        .execute(Tuple.tuple(Arrays.asList(ctx.tenantId(), scheduleId, time(before), limit)))
        .map(rows -> {
          List<RunView> runs = new ArrayList<>(rows.size());
          for (Row row : rows) {
            runs.add(new RunView(row.getUUID("schedule_id"), Schedule.instant(row, "occurrence_at"),
                row.getString("outcome"), row.getUUID("task_id"), row.getString("detail"),
                Schedule.instant(row, "fired_at"), row.getString("state")));
          }
          return runs;
        });
  }

  private static Schedule one(RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw notFound();
    }
    return Schedule.from(rows.iterator().next());
  }

  static ArbiterException notFound() {
    return Failure.NOT_FOUND.exception("no such schedule in this tenant");
  }

  private static ArbiterException nameTaken(String name) {
    return new ArbiterException(Failure.CONFLICT, name == null ? "the tenant already has a schedule of that name"
        : "the tenant already has a schedule named " + name, new JsonObject().put("field", "name"));
  }

  private static OffsetDateTime time(Instant t) {
    return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
