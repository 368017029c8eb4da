package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.db.DbErrors;
import io.arbiter.policy.Verdict;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The task domain's reads and writes (SQL in {@link TaskSql}). */
final class TaskRepository {

  /** What a guarded change found before it ran, and whether it moved the task. */
  record Guarded(TaskState state, int attempt, String holder, boolean moved, OffsetDateTime leaseExpiresAt,
                 String afterState, String recordedOutcome) {}

  private final Pool pool;
  private final ArbiterConfig.Tasks limits;
  private final double learningDiscount;

  TaskRepository(Pool pool, ArbiterConfig.Tasks limits, double learningDiscount) {
    this.pool = pool;
    this.limits = limits;
    this.learningDiscount = learningDiscount;
  }

  /**
   * Writes many submissions in one statement (so one transaction; the repeats are read after it committed). Answers one outcome per submission, in order: {@code {task,
   * created}}, or a conflict when its idempotency key is already used with another body.
   */
  Future<List<Future<JsonObject>>> submit(List<Submission> batch) {
    JsonArray records = new JsonArray(batch.stream().map(Submission::toRecord).toList());
    return pool.preparedQuery(TaskSql.SUBMIT).execute(Tuple.of(records))
        .compose(inserted -> {
          Map<UUID, OffsetDateTime> created = new HashMap<>();
          inserted.forEach(row -> created.put(row.getUUID("id"), row.getOffsetDateTime("created_at")));
          List<Submission> notInserted = batch.stream().filter(s -> !created.containsKey(s.id())).toList();
          Future<Map<UUID, Row>> landed = notInserted.isEmpty() ? Future.succeededFuture(Map.of())
              : pool.preparedQuery(TaskSql.SELECT_BY_IDS)
                  .execute(Tuple.tuple()
                      .addArrayOfString(notInserted.stream().map(s -> s.ctx().tenantId()).toArray(String[]::new))
                      .addArrayOfUUID(notInserted.stream().map(Submission::id).toArray(UUID[]::new)))
                  .map(rows -> {
                    Map<UUID, Row> byId = new HashMap<>();
                    rows.forEach(row -> byId.put(row.getUUID("id"), row));
                    return byId;
                  });
          return landed.compose(earlier -> keyed(batch, created, earlier));
        })
        .recover(e -> Future.failedFuture(DbErrors.constraint(e).equals("task_dependencies_parent_fk")
            ? Failure.BAD_REQUEST.exception("field dependsOn: a parent task no longer exists") : e));
  }

  /**
   * The outcome of each submission: inserted now, landed earlier under its own id (a retry or a journal replay), the
   * first task of a repeated idempotency key with the same body, or a conflict.
   */
  private Future<List<Future<JsonObject>>> keyed(List<Submission> batch, Map<UUID, OffsetDateTime> created,
                                                 Map<UUID, Row> earlier) {
    List<Submission> repeats = batch.stream()
        .filter(s -> !created.containsKey(s.id()) && !earlier.containsKey(s.id())).toList();
    Future<Map<String, Row>> existing = repeats.isEmpty() ? Future.succeededFuture(Map.of())
        : pool.preparedQuery(TaskSql.SELECT_BY_KEYS)
            .execute(Tuple.tuple()
                .addArrayOfString(repeats.stream().map(s -> s.ctx().tenantId()).toArray(String[]::new))
                .addArrayOfString(repeats.stream().map(Submission::idempotencyKey).toArray(String[]::new)))
            .map(rows -> {
              Map<String, Row> byKey = new HashMap<>();
              rows.forEach(row -> byKey.put(row.getString("tenant_id") + "/" + row.getString("idempotency_key"),
                  row));
              return byKey;
            });
    return existing.map(byKey -> {
      List<Future<JsonObject>> outcomes = new ArrayList<>(batch.size());
      for (Submission s : batch) {
        OffsetDateTime at = created.get(s.id());
        if (at != null) {
          outcomes.add(Future.succeededFuture(new JsonObject().put("task", TaskJson.queued(s, at))
              .put("created", true)));
          continue;
        }
        Row own = earlier.get(s.id());
        if (own != null) {
          outcomes.add(Future.succeededFuture(new JsonObject().put("task", TaskJson.task(own))
              .put("created", true).put("landedEarlier", true)));
          continue;
        }
        Row first = byKey.get(s.ctx().tenantId() + "/" + s.idempotencyKey());
        if (first != null && s.requestHash().equals(first.getString("request_hash"))) {
          outcomes.add(Future.succeededFuture(new JsonObject().put("task", TaskJson.task(first))
              .put("created", false)));
        } else {
          outcomes.add(Future.failedFuture(Failure.CONFLICT.exception("Idempotency-Key " + s.idempotencyKey()
              + " was already used with a different request body")));
        }
      }
      return outcomes;
    });
  }

  /** Ends the leases of these agents now ({@code agents}: {@code [{tenantId, agentId}…]}); answers how many. */
  Future<Integer> releaseLeases(JsonArray agents) {
    String[] tenants = new String[agents.size()];
    String[] ids = new String[agents.size()];
    for (int i = 0; i < agents.size(); i++) {
      tenants[i] = agents.getJsonObject(i).getString("tenantId");
      ids[i] = agents.getJsonObject(i).getString("agentId");
    }
    return pool.preparedQuery(TaskSql.RELEASE_LEASES)
        .execute(Tuple.tuple().addArrayOfString(tenants).addArrayOfString(ids)).map(RowSet::rowCount);
  }

  Future<JsonObject> get(RequestContext ctx, UUID id) {
    return pool.preparedQuery(TaskSql.SELECT_ONE).execute(Tuple.of(ctx.tenantId(), id))
        .map(rows -> TaskJson.task(first(rows)));
  }

  /** The tasks of {@code tenantId} (the caller's, or the one a platform caller names), filtered, newest first. */
  Future<List<Row>> list(String tenantId, String state, String type, String agent, OffsetDateTime afterCreated,
                         UUID afterId, int limit, OffsetDateTime createdFrom, OffsetDateTime createdTo) {
    return pool.preparedQuery(TaskSql.LIST)
        .execute(Tuple.tuple(java.util.Arrays.asList(tenantId, state, type, agent, afterCreated, afterId, limit,
            createdFrom, createdTo)))
        .map(TaskRepository::rows);
  }

  Future<JsonObject> history(RequestContext ctx, UUID id) {
    return pool.preparedQuery(TaskSql.HISTORY).execute(Tuple.of(ctx.tenantId(), id)).map(rows -> {
      if (rows.size() == 0) {
        throw notFound();
      }
      JsonArray items = new JsonArray();
      rows.forEach(row -> items.add(TaskJson.transition(row)));
      return new JsonObject().put("items", items);
    });
  }

  /**
   * The task's routing decisions, latest first; for a queued task, also why it waits ({@link QueueExplanation}) under
   * {@code waiting}: a queued task never routed answers {@code {taskId, state, waiting}}.
   */
  Future<JsonObject> decision(RequestContext ctx, UUID id) {
    return pool.preparedQuery(TaskSql.DECISIONS).execute(Tuple.of(ctx.tenantId(), id)).compose(rows -> {
      List<Row> all = rows(rows);
      return get(ctx, id).compose(task -> {
        boolean queued = TaskState.QUEUED.wire().equals(task.getString("state"));
        if (all.isEmpty() && !queued) {
          return Future.failedFuture(Failure.NOT_FOUND.exception(
              "task " + id + " has not been routed yet (state " + task.getString("state") + ")"));
        }
        JsonObject latest = all.isEmpty() ? new JsonObject().put("taskId", id.toString())
            : TaskJson.decision(all.get(0));
        if (all.size() > 1) {
          latest.put("previous", new JsonArray(all.subList(1, all.size()).stream().map(TaskJson::decision).toList()));
        }
        if (!queued) {
          return Future.succeededFuture(latest);
        }
        QueueExplanation.Need need = QueueExplanation.Need.of(task);
        return capableAgents(ctx, need.type()).map(agents -> latest.put("state", task.getString("state"))
            .put("waiting", QueueExplanation.explain(need, task.getString("unroutable"), agents)));
      });
    });
  }

  /**
   * One claim: up to {@code max} of the agent's assigned, undelivered tasks. {@code self}: the agent's own claim, which
   * makes it a consuming claim agent (the bridge's claim for a connected agent, and a result's next work, leave its
   * delivery channel as it is). {@code running}: a claim that acknowledges at once, each task then running under its
   * lease.
   */
  record ClaimItem(RequestContext ctx, String agentId, int max, boolean self, boolean running) {}

  /**
   * Claims of one tenant, all acknowledging at once or none, in one statement, from one request or several (by several
   * agents): the tasks each claim took, in order ({@link TaskSql#CLAIM}, {@link TaskSql#CLAIM_RUNNING}).
   *
   * @param aliveRefreshMs how stale an agent's heartbeat may be before a claim refreshes it
   */
  Future<List<List<Row>>> claimAll(List<ClaimItem> items, long aliveRefreshMs) {
    boolean running = items.get(0).running();
    JsonArray claims = new JsonArray(new ArrayList<>(items.size()));
    for (int i = 0; i < items.size(); i++) {
      ClaimItem item = items.get(i);
      if (item.running() != running) {
        throw new IllegalArgumentException("a batch of claims mixes claims that acknowledge and claims that do not");
      }
      claims.add(report(i + 1, item.ctx(), item.agentId()).put("max", item.max()).put("self", item.self()));
    }
    String tenant = tenantOf(items, ClaimItem::ctx);
    Future<RowSet<Row>> rows = running
        ? pool.preparedQuery(TaskSql.CLAIM_RUNNING).execute(Tuple.of(tenant, claims, aliveRefreshMs, limits.leaseMs()))
        : pool.preparedQuery(TaskSql.CLAIM).execute(Tuple.of(tenant, claims, aliveRefreshMs));
    return rows.map(set -> {
      List<List<Row>> taken = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        taken.add(new ArrayList<>());
      }
      set.forEach(row -> taken.get(row.getInteger("n") - 1).add(row));
      return taken;
    });
  }

  Future<Guarded> extend(RequestContext ctx, UUID id, String agentId, int attempt, JsonObject progress) {
    return guarded(TaskSql.EXTEND, Tuple.of(id, ctx.tenantId(), attempt, agentId, limits.leaseMs(), progress));
  }

  /** A task and attempt an agent reports on. */
  record AttemptRef(UUID id, int attempt) {}

  /** An agent's acknowledgement of its attempt, and the request it came in. */
  record AckItem(RequestContext ctx, String agentId, AttemptRef ref) {}

  /** An agent's result for its attempt, the result gates' verdict on it (or null), and the request it came in. */
  record ResultItem(RequestContext ctx, String agentId, UUID id, JsonObject result, Verdict verdict) {}

  /**
   * Acks of one tenant in one statement, from one request or several (by several agents); one {@link Guarded} per
   * ack, in order, null for an unknown task.
   */
  Future<List<Guarded>> ackAll(List<AckItem> items) {
    JsonArray acks = new JsonArray(new ArrayList<>(items.size()));
    for (int i = 0; i < items.size(); i++) {
      AckItem item = items.get(i);
      acks.add(report(i + 1, item.ctx(), item.agentId()).put("id", item.ref().id().toString())
          .put("attempt", item.ref().attempt()));
    }
    return guardedAll(TaskSql.ACK, Tuple.of(tenantOf(items, AckItem::ctx), acks, limits.leaseMs()));
  }

  /**
   * Results of one tenant in one statement, from one request or several (by several agents); one {@link Guarded} per
   * result, in order, null for an unknown task. Each carries the result gates' verdict (or null), audited with the
   * outcome it judged.
   */
  Future<List<Guarded>> resultAll(List<ResultItem> items) {
    JsonArray reports = new JsonArray(new ArrayList<>(items.size()));
    for (int i = 0; i < items.size(); i++) {
      ResultItem item = items.get(i);
      JsonObject r = item.result();
      JsonObject report = report(i + 1, item.ctx(), item.agentId()).put("id", item.id().toString());
      for (String field : RESULT_FIELDS) {
        report.put(field, r.getValue(field));
      }
      report.put("result", r.getValue("result") == null ? null : resultJson(r.getValue("result")));
      report.put("verdict", item.verdict() == null ? null : item.verdict().toJson());
      reports.add(report);
    }
    return guardedAll(TaskSql.RESULT, Tuple.of(tenantOf(items, ResultItem::ctx), reports, limits.backoffBaseMs(),
        limits.backoffCapMs()));
  }

  /**
   * The columns every report of {@link TaskSql#ACK} and {@link TaskSql#RESULT}, and every claim of
   * {@link TaskSql#CLAIM}, carries: its position, agent, actor.
   */
  private static JsonObject report(int n, RequestContext ctx, String agentId) {
    return new JsonObject().put("n", n).put("agent", agentId).put("actor_sub", ctx.subject())
        .put("actor_role", ctx.role()).put("client_ip", ctx.clientIp()).put("user_agent", ctx.userAgent())
        .put("correlation_id", ctx.correlationId());
  }

  /** The one tenant of a batch of reports; a statement writes one tenant's reports only. */
  private static <T> String tenantOf(List<T> items, java.util.function.Function<T, RequestContext> ctx) {
    String tenant = ctx.apply(items.get(0)).tenantId();
    if (items.stream().anyMatch(item -> !tenant.equals(ctx.apply(item).tenantId()))) {
      throw new IllegalArgumentException("a batch of reports spans several tenants");
    }
    return tenant;
  }

  /** The fields of a result report that {@link TaskSql#RESULT} reads as they are. */
  private static final List<String> RESULT_FIELDS = List.of("attempt", "outcome", "error", "quality", "filesChanged",
      "linesChanged", "testsPassed", "coverage");

  /** Applies up to {@code max} recorded outcomes to their agents (see {@link TaskSql#FOLD_OUTCOMES}); how many it applied. */
  Future<Integer> foldOutcomes(int max) {
    return pool.preparedQuery(TaskSql.FOLD_OUTCOMES).execute(Tuple.of(max, learningDiscount))
        .map(rows -> rows.iterator().next().getInteger("applied"));
  }

  /** Applies the outcomes recorded for one agent (see {@link TaskSql#FOLD_AGENT_OUTCOMES}); how many it applied. */
  Future<Integer> foldAgentOutcomes(RequestContext ctx, String agentId, int max) {
    return pool.preparedQuery(TaskSql.FOLD_AGENT_OUTCOMES)
        .execute(Tuple.of(max, learningDiscount, ctx.tenantId(), agentId))
        .map(rows -> rows.iterator().next().getInteger("applied"));
  }

  /** The outcome recorded for an attempt, or null. */
  Future<String> recordedOutcome(RequestContext ctx, UUID id, int attempt) {
    return pool.preparedQuery(TaskSql.RECORDED_OUTCOME).execute(Tuple.of(ctx.tenantId(), id, attempt))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("outcome"));
  }

  Future<Guarded> cancel(RequestContext ctx, UUID id) {
    return guarded(TaskSql.CANCEL, actor(Tuple.of(id, ctx.tenantId(), TaskState.storedSourcesOf(TaskState.CANCELED)), ctx));
  }

  Future<Guarded> requeue(RequestContext ctx, UUID id) {
    return guarded(TaskSql.REQUEUE, actor(Tuple.of(id, ctx.tenantId()), ctx));
  }

  /** Requeues up to {@code max} of the tenant's dead tasks of {@code type}; the ids of those it requeued. */
  Future<List<UUID>> requeueDead(RequestContext ctx, String type, int max) {
    return pool.preparedQuery(TaskSql.REQUEUE_DEAD).execute(actor(Tuple.of(ctx.tenantId(), type, max), ctx))
        .map(rows -> {
          List<UUID> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getUUID("id")));
          return ids;
        });
  }

  /** System sweep: recovers one batch of expired leases; returns the recovered tasks. */
  /** One rescue pass: {@code ran} is false when another node held the rescue lock, and {@code recovered} empty. */
  record Rescue(boolean ran, List<Row> recovered) {}

  Future<Rescue> rescue() {
    return pool.withTransaction(tx -> tx.query(TaskSql.TRY_LOCK_RESCUE).execute()
        .compose(lock -> !lock.iterator().next().getBoolean("held") ? Future.succeededFuture(new Rescue(false, List.of()))
            : tx.preparedQuery(TaskSql.RESCUE)
                .execute(Tuple.of(limits.rescueBatchSize(), limits.backoffBaseMs(), limits.backoffCapMs()))
                .map(rows -> new Rescue(true, rows(rows)))));
  }

  /** A task a system statement moved: its id, tenant and state after the move. */
  record Moved(UUID id, String tenantId, String state) {}

  /** System timer: moves up to {@code max} due scheduled tasks to the queue. */
  Future<List<Moved>> promoteDue(int max) {
    return moved(TaskSql.PROMOTE_DUE, Tuple.of(max), TaskState.QUEUED);
  }

  /** System timer: ends up to {@code max} queued tasks whose queue time-out passed. */
  Future<List<Moved>> queueTimeouts(int max) {
    return moved(TaskSql.QUEUE_TIMEOUTS, Tuple.of(max), TaskState.DEAD);
  }

  /** Settles up to {@code max} waiting tasks among {@code ids} and their children (null: any waiting task). */
  Future<List<Moved>> settle(List<UUID> ids, int max) {
    Tuple params = Tuple.tuple().addArrayOfUUID(ids == null ? null : ids.toArray(UUID[]::new)).addInteger(max);
    return moved(TaskSql.SETTLE, params, null);
  }

  private Future<List<Moved>> moved(String sql, Tuple params, TaskState to) {
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      List<Moved> out = new ArrayList<>(rows.size());
      rows.forEach(row -> out.add(new Moved(row.getUUID("id"), row.getString("tenant_id"),
          to == null ? row.getString("state") : to.wire())));
      return out;
    });
  }

  /** Marks the tenants' unassigned tasks that no registered agent takes any more; how many it marked. */
  Future<Integer> markUnroutable(List<String> tenants) {
    return pool.preparedQuery(TaskSql.MARK_UNROUTABLE)
        .execute(Tuple.tuple().addArrayOfString(tenants.toArray(String[]::new))).map(RowSet::rowCount);
  }

  /** Clears the mark of the tenants' unroutable tasks that an agent can now take; how many it cleared. */
  Future<Integer> clearUnroutable(List<String> tenants) {
    return pool.preparedQuery(TaskSql.CLEAR_UNROUTABLE)
        .execute(Tuple.tuple().addArrayOfString(tenants.toArray(String[]::new))).map(RowSet::rowCount);
  }

  /** Those of {@code ids} that are tasks of the caller's tenant. */
  Future<java.util.Set<UUID>> existing(RequestContext ctx, java.util.Collection<UUID> ids) {
    return pool.preparedQuery(TaskSql.EXISTING)
        .execute(Tuple.tuple().addString(ctx.tenantId()).addArrayOfUUID(ids.toArray(UUID[]::new)))
        .map(rows -> {
          java.util.Set<UUID> found = new java.util.HashSet<>();
          rows.forEach(row -> found.add(row.getUUID("id")));
          return found;
        });
  }

  /** The dependency graph around a task: at most {@code max} nodes and the edges among them. */
  Future<JsonObject> graph(RequestContext ctx, UUID id, int max) {
    return get(ctx, id).compose(task -> pool.preparedQuery(TaskSql.GRAPH).execute(Tuple.of(ctx.tenantId(), id, max))
        .map(rows -> {
          Row row = rows.iterator().next();
          JsonArray nodes = row.getJson("nodes") instanceof JsonArray n ? n : new JsonArray();
          JsonArray edges = row.getJson("edges") instanceof JsonArray e ? e : new JsonArray();
          return new JsonObject().put("taskId", id.toString()).put("nodes", nodes).put("edges", edges)
              .put("truncated", nodes.size() >= max);
        }));
  }

  /** The tenant's registered agents that take {@code type}, as the explanation of a queued task reads them. */
  Future<List<QueueExplanation.Agent>> capableAgents(RequestContext ctx, String type) {
    return pool.preparedQuery(TaskSql.CAPABLE_AGENTS).execute(Tuple.of(ctx.tenantId(), type)).map(rows -> {
      List<QueueExplanation.Agent> out = new ArrayList<>(rows.size());
      rows.forEach(row -> out.add(new QueueExplanation.Agent(row.getString("id"), row.getString("status"),
          row.getBoolean("consuming"), row.getInteger("current_load"), row.getInteger("max_concurrent_tasks"),
          row.getDouble("average_quality"), List.of(row.getArrayOfStrings("languages")), specializationNames(row.getJson("specializations")))));
      return out;
    });
  }

  private static List<String> specializationNames(Object specs) {
    List<String> names = new ArrayList<>();
    if (specs instanceof JsonArray array) {
      array.forEach(s -> {
        if (s instanceof JsonObject spec && spec.getString("name") != null) {
          names.add(spec.getString("name"));
        }
      });
    }
    return names;
  }

  /** The tenant's unfinished tasks: counts by state, and the queued ones by priority, highest first. */
  Future<JsonObject> queue(RequestContext ctx) {
    return pool.preparedQuery(TaskSql.QUEUE_BY_PRIORITY).execute(Tuple.of(ctx.tenantId())).map(rows -> {
      Map<String, Long> byState = new HashMap<>();
      java.util.TreeMap<Integer, Long> queued = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
      rows.forEach(row -> {
        byState.merge(row.getString("state"), row.getLong("tasks"), Long::sum);
        if ("queued".equals(row.getString("state"))) {
          queued.put(row.getInteger("priority"), row.getLong("tasks"));
        }
      });
      JsonArray byPriority = new JsonArray();
      queued.forEach((priority, n) -> byPriority.add(new JsonObject().put("priority", priority).put("queued", n)));
      return new JsonObject().put("queued", byState.getOrDefault("queued", 0L))
          .put("assigned", byState.getOrDefault("assigned", 0L)).put("running", byState.getOrDefault("running", 0L))
          .put("scheduled", byState.getOrDefault("scheduled", 0L)).put("waiting", byState.getOrDefault("waiting", 0L))
          .put("byPriority", byPriority);
    });
  }

  /** Tasks by state for {@link TaskState#COUNTED}, in that order, then the unroutable ones. */
  Future<long[]> stateCounts() {
    return pool.query(TaskSql.STATE_COUNTS).execute().map(rows -> {
      Row row = rows.iterator().next();
      return java.util.stream.LongStream.concat(
          TaskState.COUNTED.stream().mapToLong(state -> row.getLong(state.wire())),
          java.util.stream.LongStream.of(row.getLong("unroutable"))).toArray();
    });
  }

  /** One statement, so one transaction of its own: no BEGIN and COMMIT round trips. */
  private Future<Guarded> guarded(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(rows -> guarded(first(rows)));
  }

  /** One statement (so one transaction of its own) over a batch: one row per item, in order. */
  private Future<List<Guarded>> guardedAll(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      List<Guarded> out = new ArrayList<>(rows.size());
      rows.forEach(row -> out.add(row.getString("state") == null ? null : guarded(row)));
      return out;
    });
  }

  /** A guarded statement's row; the lease, the state after a result and a repeat's outcome where it returns them. */
  private static Guarded guarded(Row row) {
    return new Guarded(TaskState.fromWire(row.getString("state")), row.getInteger("attempt"),
        row.getString("assigned_agent_id"), row.getBoolean("moved"),
        row.getColumnIndex("lease_expires_at") >= 0 ? row.getOffsetDateTime("lease_expires_at") : null,
        row.getColumnIndex("after_state") >= 0 ? row.getString("after_state") : null,
        row.getColumnIndex("recorded_outcome") >= 0 ? row.getString("recorded_outcome") : null);
  }

  /** The five actor parameters every caller-driven change ends with. */
  private static Tuple actor(Tuple params, RequestContext ctx) {
    return params.addString(ctx.subject()).addString(ctx.role()).addString(ctx.clientIp())
        .addString(ctx.userAgent()).addString(ctx.correlationId());
  }

  private static Object resultJson(Object value) {
    return value instanceof JsonObject || value instanceof JsonArray ? value : new JsonObject().put("value", value);
  }

  static ArbiterException notFound() {
    return Failure.NOT_FOUND.exception("no such task in this tenant");
  }

  private static Row first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw notFound();
    }
    return rows.iterator().next();
  }

  private static List<Row> rows(RowSet<Row> rows) {
    List<Row> list = new ArrayList<>(rows.size());
    rows.forEach(list::add);
    return list;
  }
}
