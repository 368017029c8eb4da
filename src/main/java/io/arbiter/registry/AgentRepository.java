package io.arbiter.registry;

import io.arbiter.audit.AuditEvent;
import io.arbiter.audit.AuditLog;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The registry's reads and writes; every write commits with its audit event. */
final class AgentRepository {

  /** What a registry write changed, for the verticle to announce. */
  record Change(Agent agent, String event) {}

  /** An agent the heartbeat sweep took offline. */
  record WentOffline(String tenantId, String id) {}

  private final Pool pool;

  private final Levels.Thresholds levels;

  AgentRepository(Pool pool, Levels.Thresholds levels) {
    this.pool = pool;
    this.levels = levels;
  }

  Future<Change> register(RequestContext ctx, JsonObject body) {
    String family = body.getString("modelFamily");
    ModelBaselines.Baseline baseline = ModelBaselines.of(family);
    Capabilities caps = Capabilities.fromRequest(body.getJsonObject("capabilities"), baseline.specializationLevel(),
        List.of());
    Performance start = baseline.performance();
    Tuple insert = identity(ctx, body, family, caps)
        .addDouble(start.successRate()).addDouble(start.averageQuality()).addDouble(start.averageLatencyMs());
    return write(ctx, RegistrySql.INSERT, insert, "agent.registered")
        .recover(e -> DbErrors.isUniqueViolation(e)
            ? keepsWhatAnAgentMayNotChange(ctx, body, caps)
                .compose(v -> write(ctx, RegistrySql.REREGISTER, identity(ctx, body, family, caps),
                    "agent.reregistered"))
                .recover(again -> Future.failedFuture(Failure.NOT_FOUND.is(again)
                    ? Failure.CONFLICT.exception("agent " + body.getString("id") + " is already registered in this tenant")
                    : again))
            : Future.failedFuture(e));
  }

  /**
   * An agent that registers its id again by itself (its token holds only the agent role) comes back with the task
   * types, languages, specializations and capacity on record: widening them is an operator's or admin's change, as
   * for an update. Other callers may re-register with anything.
   */
  private Future<Void> keepsWhatAnAgentMayNotChange(RequestContext ctx, JsonObject body, Capabilities caps) {
    if (!ctx.agentOnly()) {
      return Future.succeededFuture();
    }
    return get(ctx, body.getString("id")).compose(current -> {
      Capabilities held = current.capabilities();
      boolean same = Set.copyOf(held.taskTypes()).equals(Set.copyOf(caps.taskTypes()))
          && Set.copyOf(held.languages()).equals(Set.copyOf(caps.languages()))
          && names(held).equals(names(caps))
          && current.maxConcurrentTasks() == body.getInteger("maxConcurrentTasks", 1);
      return same ? Future.<Void>succeededFuture() : Future.failedFuture(Failure.FORBIDDEN.exception("agent "
          + current.id() + " registers again with other capabilities or capacity: an operator or admin changes them"));
    }, e -> Failure.NOT_FOUND.is(e) ? Future.succeededFuture() : Future.failedFuture(e));
  }

  private static Set<String> names(Capabilities caps) {
    return caps.specializations().stream().map(Capabilities.Specialization::name).collect(Collectors.toSet());
  }

  /** $1..$8 of {@link RegistrySql#INSERT}, {@link RegistrySql#REREGISTER} and {@link RegistrySql#UPDATE}. */
  private static Tuple identity(RequestContext ctx, JsonObject body, String family, Capabilities caps) {
    return Tuple.tuple(List.of())
        .addString(ctx.tenantId()).addString(body.getString("id"))
        .addString(body.getString("name", body.getString("id"))).addString(family)
        .addArrayOfString(caps.taskTypes().toArray(String[]::new))
        .addArrayOfString(caps.languages().toArray(String[]::new))
        .addValue(caps.specializationsJson())
        .addInteger(body.getInteger("maxConcurrentTasks", 1));
  }

  private Future<Change> write(RequestContext ctx, String sql, Tuple params, String event) {
    return pool.withTransaction(tx -> tx.preparedQuery(sql).execute(params)
        .map(this::single)
        .compose(agent -> audit(tx, ctx, event, agent, new JsonObject().put("agent", agent.toJson()))
            .map(new Change(agent, event))));
  }

  Future<Agent> get(RequestContext ctx, String id) {
    return pool.preparedQuery(RegistrySql.SELECT_ONE).execute(Tuple.of(ctx.tenantId(), id))
        .map(this::single);
  }

  Future<Change> update(RequestContext ctx, JsonObject body) {
    String id = body.getString("id");
    return pool.withTransaction(tx -> tx.preparedQuery(RegistrySql.SELECT_FOR_UPDATE)
        .execute(Tuple.of(ctx.tenantId(), id))
        .map(this::single)
        .compose(current -> {
          String family = body.getString("modelFamily", current.modelFamily());
          Capabilities caps = body.containsKey("capabilities")
              ? Capabilities.fromRequest(body.getJsonObject("capabilities"),
                  ModelBaselines.of(family).specializationLevel(), current.capabilities().specializations())
              : current.capabilities();
          JsonObject merged = new JsonObject().put("id", id).put("name", body.getString("name", current.name()))
              .put("maxConcurrentTasks", body.getInteger("maxConcurrentTasks", current.maxConcurrentTasks()));
          Tuple params = identity(ctx, merged, family, caps);
          JsonObject changed = body.copy();
          changed.remove("id");
          return tx.preparedQuery(RegistrySql.UPDATE).execute(params)
              .map(this::single)
              .compose(agent -> audit(tx, ctx, "agent.updated", agent, new JsonObject().put("changed", changed))
                  .map(new Change(agent, "agent.updated")));
        }))
        .recover(e -> Future.failedFuture(DbErrors.constraint(e).equals("agents_load_within_capacity")
            ? Failure.CONFLICT.exception("maxConcurrentTasks cannot go below the agent's current load") : e));
  }

  /** Records the heartbeat; the change's event is {@code agent.online} when it brought the agent back, else null. */
  Future<Change> heartbeat(RequestContext ctx, String id) {
    return pool.withTransaction(tx -> tx.preparedQuery(RegistrySql.HEARTBEAT).execute(Tuple.of(ctx.tenantId(), id))
        .compose(rows -> {
          Row row = singleRow(rows);
          Agent agent = Agent.fromRow(row);
          boolean cameBack = "offline".equals(row.getString("previous_status"))
              && agent.status() != AgentStatus.OFFLINE;
          return cameBack
              ? audit(tx, ctx, "agent.online", agent, new JsonObject().put("status", agent.status().wire()))
                  .map(new Change(agent, "agent.online"))
              : Future.succeededFuture(new Change(agent, null));
        }));
  }

  Future<Change> deregister(RequestContext ctx, String id) {
    return pool.withTransaction(tx -> tx.preparedQuery(RegistrySql.DEREGISTER).execute(Tuple.of(ctx.tenantId(), id))
        .compose(rows -> {
          Row row = singleRow(rows);
          Agent agent = Agent.fromRow(row);
          return row.getBoolean("already_deregistered")
              ? Future.succeededFuture(new Change(agent, null))
              : audit(tx, ctx, "agent.deregistered", agent, new JsonObject().put("status", agent.status().wire()))
                  .map(new Change(agent, "agent.deregistered"));
        }));
  }

  /**
   * Records that the agent's bridge channel opened or closed; the change's event is {@code agent.channel-opened} or
   * {@code agent.channel-closed} when it changed how the agent is delivered to, else null.
   */
  Future<Change> channel(RequestContext ctx, String id, boolean open) {
    return pool.withTransaction(tx -> tx.preparedQuery(RegistrySql.CHANNEL).execute(Tuple.of(ctx.tenantId(), id, open))
        .compose(rows -> {
          Row row = singleRow(rows);
          Agent agent = Agent.fromRow(row);
          String event = open ? "agent.channel-opened" : "agent.channel-closed";
          return row.getBoolean("changed")
              ? audit(tx, ctx, event, agent, new JsonObject().put("delivery", agent.delivery())
                  .put("consuming", agent.consuming())).map(new Change(agent, event))
              : Future.succeededFuture(new Change(agent, null));
        }));
  }

  Future<List<Agent>> list(RequestContext ctx, AgentStatus status, String afterId, int limit) {
    return pool.preparedQuery(RegistrySql.LIST)
        .execute(Tuple.of(ctx.tenantId(), status == null ? null : status.wire(), afterId, limit))
        .map(this::all);
  }

  Future<List<Agent>> listCapable(RequestContext ctx, String taskType, AgentStatus status, int limit) {
    return pool.preparedQuery(RegistrySql.LIST_CAPABLE)
        .execute(Tuple.of(ctx.tenantId(), taskType, status == null ? null : status.wire(), limit))
        .map(this::all);
  }

  /** System sweep: agents silent for longer than the window go offline; returns them. */
  Future<List<WentOffline>> markSilentOffline(long heartbeatWindowMs) {
    RequestContext system = RequestContext.system("heartbeat-sweep");
    return pool.withTransaction(tx -> tx.query(RegistrySql.TRY_LOCK_SWEEP).execute()
        .compose(lock -> !lock.iterator().next().getBoolean("held") ? Future.succeededFuture(List.<WentOffline>of())
            : sweep(tx, system, heartbeatWindowMs)));
  }

  private static Future<List<WentOffline>> sweep(SqlClient tx, RequestContext system, long heartbeatWindowMs) {
    return tx.preparedQuery(RegistrySql.MARK_SILENT_OFFLINE)
        .execute(Tuple.of(heartbeatWindowMs))
        .compose(rows -> {
          List<WentOffline> changes = new ArrayList<>();
          List<AuditEvent> events = new ArrayList<>();
          for (Row row : rows) {
            RequestContext tenant = new RequestContext(system.correlationId(), row.getString("tenant_id"),
                system.subject(), system.role(), null, null);
            String id = row.getString("id");
            events.add(AuditEvent.of(tenant, "agent.offline", "agent:" + id, AuditEvent.Outcome.SUCCESS,
                new JsonObject().put("reason", "missed heartbeats")
                    .put("lastHeartbeatAt", row.getOffsetDateTime("last_heartbeat_at").toInstant().toString())
                    .put("heartbeatWindowMs", heartbeatWindowMs)));
            changes.add(new WentOffline(row.getString("tenant_id"), id));
          }
          return AuditLog.appendAll(tx, events).map(changes);
        });
  }

  Future<JsonObject> countByStatus() {
    return pool.query(RegistrySql.COUNT_BY_STATUS).execute().map(rows -> {
      JsonObject counts = new JsonObject();
      rows.forEach(row -> counts.put(row.getString("status"), row.getLong("agents")));
      return counts;
    });
  }

  private static Future<Void> audit(SqlClient tx, RequestContext ctx, String action, Agent agent, JsonObject details) {
    return AuditLog.append(tx, AuditEvent.of(ctx, action, agent.target(), AuditEvent.Outcome.SUCCESS, details));
  }

  private static Row singleRow(RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw Failure.NOT_FOUND.exception("no such agent in this tenant");
    }
    return rows.iterator().next();
  }

  /** The agent of the only row; reads that carry its specialization records show the levels they earn. */
  private Agent single(RowSet<Row> rows) {
    return Agent.fromRow(singleRow(rows), levels);
  }

  private List<Agent> all(RowSet<Row> rows) {
    List<Agent> agents = new ArrayList<>(rows.size());
    rows.forEach(row -> agents.add(Agent.fromRow(row, levels)));
    return agents;
  }

  static JsonArray toJson(List<Agent> agents) {
    return new JsonArray(agents.stream().map(Agent::toJson).toList());
  }
}
