package io.arbiter.task;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.DispatchWake;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.callback.CallbackSettings;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Bulkhead;
import io.arbiter.db.Coalescer;
import io.arbiter.db.Cursor;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.arbiter.db.GroupCommit;
import io.arbiter.policy.PolicyReads;
import io.arbiter.policy.Report;
import io.arbiter.policy.ResultGates;
import io.arbiter.policy.Verdict;
import io.arbiter.policy.TaskPolicy;
import io.arbiter.policy.TenantLimits;
import io.arbiter.policy.Waiver;
import io.micrometer.core.instrument.Counter;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks: submission (group-committed), reads, cancel and requeue; delivery to agents by claim (long
 * poll, woken by {@link Addresses#EVENTS_ASSIGNED} with a poll timer as fallback); ack, heartbeat, progress and
 * result under the lease rules; and the lease rescuer. Its database calls go through its own breaker,
 * {@code tasks-db}. Assignment itself is the routing verticle's.
 *
 * <p>While the database is unavailable, submissions and results are accepted into the {@link OutageJournal} and
 * answered 202 with {@code buffered: true}; the journal replays, oldest first, as soon as the database answers again
 * (and at start, before ingress serves). The lease rescuer waits while the journal holds anything, so that a result
 * accepted during an outage lands before its lease is judged.
 */
public final class TaskVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TaskVerticle.class);

  private final ArbiterConfig config;
  private final CallbackSettings callbacks;
  private final double learningDiscount;
  private final MeterRegistry registry;
  private final AtomicLongArray stateCounts = new AtomicLongArray(TaskState.COUNTED.size() + 1);
  /** The most nodes a task's graph answers. */
  private static final int GRAPH_MAX_NODES = 200;
  private static final long LIMITS_TTL_NANOS = 10_000_000_000L;
  /** Most recorded outcomes one fold applies. */
  private static final int FOLD_BATCH = 1_000;
  /** How often outcomes are folded without a nudge (left by another node, or by a run that stopped). */
  private static final long FOLD_INTERVAL_MS = 1_000;
  /** How many dead tasks a bulk requeue takes when it names no limit, and the most it may name. */
  private static final int REQUEUE_DEAD_DEFAULT = 100;
  private static final int REQUEUE_DEAD_MAX = 1_000;
  /** The most leases an agent's activity lists (an agent holds at most its capacity, itself at most 1,000). */
  private static final int AGENT_LEASES_MAX = 1_000;
  /** How many of an agent's results its activity lists when it names no limit, and the most it may name. */
  private static final int AGENT_RESULTS_DEFAULT = 20;
  private static final int AGENT_RESULTS_MAX = 200;
  private volatile LiveSettings live;
  private Pool pool;
  private DbBreaker breaker;
  private TaskRepository tasks;
  private OperatorReads reads;
  private GroupCommit<Submission, JsonObject> submissions;
  private ClaimWaits waits;
  private JournalHolds holds;
  private Coalescer folds;
  private Counter submitted;
  private final Map<String, Counter> rescuePasses = new HashMap<>();
  /** How often an agent event's update of the unroutable marks is tried again after it failed. */
  private static final int UNROUTABLE_RETRIES = 4;
  private Counter succeeded;
  private Counter failed;
  private boolean rescuing;
  private OutageJournal journal;
  private JournalReplay replay;
  private final GateCache gates = new GateCache(100_000, LIMITS_TTL_NANOS);
  private LimitsCache tenantLimits;
  private ResultJudge judge;
  /**
   * New claims' first statements (the claim, and the registry's check of an agent with nothing to claim), bounded to
   * half of a pool and its wait queue: a flood of claims (an agent's token claiming in tight loops, say for an agent
   * never registered) cannot fill the queues and turn away submissions and results. Claims already waiting poll under
   * {@code tasks.maxWaitingClaims} per agent instead.
   */
  private Bulkhead claims;
  private TaskTimer timer;
  private ParentCheck parents;

  /** @param learningDiscount {@code routing.learning.discount}, with which results are folded into the agents' arms */
  public TaskVerticle(ArbiterConfig config, CallbackSettings callbacks, double learningDiscount,
                      MeterRegistry registry) {
    this.config = config;
    this.callbacks = callbacks;
    this.learningDiscount = learningDiscount;
    this.registry = registry;
    this.live = config.live();
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "tasks", true);
    breaker = new DbBreaker(vertx, "tasks-db", config.breaker(), registry);
    tasks = new TaskRepository(pool, config.tasks(), learningDiscount);
    reads = new OperatorReads(pool);
    judge = new ResultJudge(pool, breaker, gates);
    timer = new TaskTimer(vertx, breaker, tasks, this::changed);
    parents = new ParentCheck(breaker, tasks);
    tenantLimits = new LimitsCache(tenantId -> breaker.execute(() -> PolicyReads.limits(pool, tenantId)),
        LIMITS_TTL_NANOS);
    waits = new ClaimWaits(vertx, config.tasks().claimPollMs(), config.tasks().maxWaitingClaims());
    claims = new Bulkhead(Math.max(1, (config.db().poolSize() + config.db().maxWaitQueue()) / 2));
    holds = new JournalHolds(vertx, Math.max(5_000, 3 * config.journal().replayIntervalMs()));
    folds = new Coalescer(this::foldOutcomes);
    submissions = new GroupCommit<>(config.tasks().submitBatchMax(), config.db().poolSize(), this::writeSubmissions,
        e -> !Failure.UNAVAILABLE.is(e));
    if (registry != null) {
      submitted = Counter.builder("arbiter.tasks.submitted").description("Tasks accepted").register(registry);
      succeeded = Counter.builder("arbiter.tasks.completed").tag("outcome", "succeeded")
          .description("Attempts completed, by reported outcome").register(registry);
      failed = Counter.builder("arbiter.tasks.completed").tag("outcome", "failed")
          .description("Attempts completed, by reported outcome").register(registry);
      for (String outcome : List.of("ran", "locked", "paused")) {
        rescuePasses.put(outcome, Counter.builder("arbiter.tasks.rescue.passes").tag("outcome", outcome)
            .description("Lease rescue ticks of this node: ran, locked (another node was rescuing) or paused (an "
                + "outage journal held items)").register(registry));
      }
      Gauge.builder("arbiter.claims.waiting", waits, ClaimWaits::waiting)
          .description("Agents' long-polling claims waiting for work on this node").register(registry);
      Gauge.builder("arbiter.tasks.queue.depth", stateCounts, counts -> counts.get(0))
          .description("Tasks waiting in the queue").register(registry);
      for (int i = 0; i < TaskState.COUNTED.size(); i++) {
        int index = i;
        Gauge.builder("arbiter.tasks", stateCounts, counts -> counts.get(index))
            .tag("state", TaskState.COUNTED.get(i).wire())
            .description("Tasks by state: not yet queued, queued, held by an agent, or dead (all tenants)")
            .register(registry);
      }
      Gauge.builder("arbiter.tasks.unroutable", stateCounts, counts -> counts.get(TaskState.COUNTED.size()))
          .description("Unassigned tasks that no registered agent of their tenant takes (all tenants)")
          .register(registry);
    }
    return OutageJournal.open(vertx, config.dataDir().resolve("journal"), config.journal().capacity(),
        config.journal().maxBytes(), registry)
        .compose(opened -> {
          journal = opened;
          replay = new JournalReplay(journal, breaker, tasks::submit, this::results, this::changed);
          return consumers();
        })
        .compose(v -> replay.replay().recover(e -> {
          LOG.warn("the outage journal could not replay at start ({} item(s) stay buffered): {}", journal.buffered(),
              e.getMessage());
          return Future.succeededFuture(0);
        }))
        .onSuccess(v -> {
          reportHold();
          vertx.setPeriodic(config.tasks().rescueIntervalMs(), id -> rescue());
          timer.start();
          vertx.setPeriodic(FOLD_INTERVAL_MS, id -> folds.request());
          vertx.setPeriodic(config.journal().replayIntervalMs(), id -> replay.replayIfReachable()
              .onFailure(e -> LOG.debug("journal replay paused: {}", e.getMessage()))
              .onComplete(r -> reportHold()));
        });
  }

  @Override
  public Future<?> stop() {
    if (journal != null) {
      journal.close();
    }
    return Future.succeededFuture();
  }

  private Future<?> consumers() {
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.localConsumer(Addresses.TASKS_SUBMIT, handle(this::submit)).completion(),
        bus.localConsumer(Addresses.TASKS_SUBMIT_BATCH, handle(this::submitBatch)).completion(),
        bus.localConsumer(Addresses.TASKS_WORKFLOW, handle(this::submitWorkflow)).completion(),
        bus.localConsumer(Addresses.TASKS_GRAPH,
            handle(m -> breaker.execute(() -> tasks.graph(ctx(m), taskId(m), GRAPH_MAX_NODES)))).completion(),
        bus.localConsumer(Addresses.TASKS_GET, handle(m -> breaker.execute(() -> tasks.get(ctx(m), taskId(m))))).completion(),
        bus.localConsumer(Addresses.TASKS_LIST, handle(this::list)).completion(),
        bus.localConsumer(Addresses.TASKS_HISTORY, handle(m -> breaker.execute(() -> tasks.history(ctx(m), taskId(m)))))
            .completion(),
        bus.localConsumer(Addresses.TASKS_DECISION, handle(m -> breaker.execute(() -> tasks.decision(ctx(m), taskId(m)))))
            .completion(),
        bus.localConsumer(Addresses.TASKS_CANCEL, handle(this::cancel)).completion(),
        bus.localConsumer(Addresses.TASKS_REQUEUE, handle(this::requeue)).completion(),
        bus.localConsumer(Addresses.TASKS_REQUEUE_DEAD, handle(this::requeueDead)).completion(),
        bus.localConsumer(Addresses.TASKS_TIMESERIES, handle(this::timeseries)).completion(),
        bus.localConsumer(Addresses.TASKS_AGENT_ACTIVITY, handle(this::agentActivity)).completion(),
        bus.localConsumer(Addresses.TASKS_CLAIM, handle(this::claim)).completion(),
        bus.localConsumer(Addresses.TASKS_ACK, handle(this::ack)).completion(),
        bus.localConsumer(Addresses.TASKS_HEARTBEAT, handle(m -> extend(m, null))).completion(),
        bus.localConsumer(Addresses.TASKS_PROGRESS, handle(m -> extend(m, progress(m.body())))).completion(),
        bus.localConsumer(Addresses.TASKS_RESULT, handle(this::result)).completion(),
        bus.localConsumer(Addresses.TASKS_ACK_BATCH, handle(this::ackBatch)).completion(),
        bus.localConsumer(Addresses.TASKS_FOLD_AGENT, handle(this::foldAgent)).completion(),
        bus.localConsumer(Addresses.TASKS_QUEUE, handle(m -> breaker.execute(() -> tasks.queue(ctx(m))))).completion(),
        bus.localConsumer(Addresses.TASKS_RESULT_BATCH, handle(this::resultBatch)).completion(),
        bus.localConsumer(Addresses.TASKS_HEALTH, handle(m -> breaker.ping(pool).map(h -> h.toJson()
            .put("buffered", journal.buffered()).put("journalCapacity", journal.capacity())))).completion(),
        bus.localConsumer(Addresses.TASKS_SHUTDOWN, handle(this::shutdown)).completion(),
        bus.<JsonObject>consumer(Addresses.EVENTS_ASSIGNED, m -> wake(m.body())).completion(),
        bus.<JsonObject>localConsumer(Addresses.EVENTS_AGENT, m -> agentChanged(m.body())).completion(),
        bus.<JsonObject>consumer(Addresses.EVENTS_LIMITS_CHANGED,
            m -> tenantLimits.changed(m.body().getString("tenantId"))).completion(),
        bus.<JsonObject>consumer(Addresses.EVENTS_WAIVERS_CHANGED,
            m -> gates.waiversChanged(m.body().getString("tenantId"))).completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED,
            m -> live = LiveSettings.fromJson(m.body().getJsonObject("settings"))).completion()));
  }

  private Replies.Handler handle(Function<Message<JsonObject>, Future<JsonObject>> work) {
    return Replies.handle(LOG, work);
  }

  private static RequestContext ctx(Message<JsonObject> m) {
    return RequestContext.from(m);
  }

  private static UUID taskId(Message<JsonObject> m) {
    String id = m.body().getString(m.body().containsKey("taskId") ? "taskId" : "id");
    try {
      return UUID.fromString(id);
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception("task id " + id + " is not a UUID");
    }
  }

  // ---- submission ----

  private Future<JsonObject> submit(Message<JsonObject> m) {
    JsonObject body = m.body().copy();
    String key = (String) body.remove("idempotencyKey");
    RequestContext ctx = ctx(m);
    return limitsForSubmission(ctx.tenantId()).compose(limits -> {
      Submission submission = Submission.from(body, key, ctx, config.tasks(), limits, "", callbacks);
      return parents.check(ctx, List.of(submission), i -> "").compose(v -> orBuffered(submissions.submit(submission),
          JournalReplay.entry("submit", ctx, List.of(submission.toJournal())),
          () -> new JsonObject().put("task", bufferedTask(submission)).put("created", true)));
    });
  }

  /**
   * A workflow: its nodes submitted in one statement, each waiting on its parents (by key, or by task id); answers
   * {@code {tasks: {key: id}}}.
   */
  private Future<JsonObject> submitWorkflow(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    return limitsForSubmission(ctx.tenantId()).compose(limits -> {
      Workflow.Plan plan = Workflow.plan(m.body(),
          (node, field) -> Submission.from(node, null, ctx, config.tasks(), limits, field, callbacks));
      return parents.check(ctx, plan.batch(), n -> "nodes[" + n + "].")
          .compose(v -> writeSubmissions(plan.batch()))
          .compose(outcomes -> Future.all(outcomes).map(done -> new JsonObject().put("tasks", plan.ids())));
    });
  }

  private static JsonObject bufferedTask(Submission s) {
    return TaskJson.queued(s, OffsetDateTime.now()).put("buffered", true);
  }

  /**
   * {@code live}'s answer, or, when the database could not be reached, {@code entry} written to the outage journal and
   * answered with {@code buffered}.
   */
  private <T> Future<T> orBuffered(Future<T> live, JsonObject entry, Supplier<T> buffered) {
    return live.recover(e -> Failure.UNAVAILABLE.is(e)
        ? journal.append(entry).compose(v -> holds.report(journal.buffered()).otherwiseEmpty()).map(v -> buffered.get())
        : Future.failedFuture(e));
  }

  private void reportHold() {
    holds.report(journal.buffered()).onFailure(e -> LOG.warn("the journal's hold could not be shared with the other "
        + "nodes: {}", e.getMessage()));
  }

  /**
   * The limits a submission is checked against: while the database is unavailable, the last ones read for the tenant
   * (however old), or none, so that the submission can still go to the outage journal.
   */
  private Future<TenantLimits> limitsForSubmission(String tenantId) {
    return tenantLimits.limits(tenantId).recover(e -> {
      if (!Failure.UNAVAILABLE.is(e)) {
        return Future.failedFuture(e);
      }
      return Future.succeededFuture(tenantLimits.lastKnown(tenantId));
    });
  }

  /** A tenant with limits breaks none of them in its batch, or the whole batch is refused naming the item and rule. */
  private Future<JsonObject> submitBatch(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    JsonArray items = m.body().getJsonArray("tasks");
    return limitsForSubmission(ctx.tenantId()).compose(limits -> {
      List<Submission> batch = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        batch.add(Submission.from(items.getJsonObject(i), null, ctx, config.tasks(), limits, "tasks[" + i + "].",
            callbacks));
      }
      Future<JsonObject> live = parents.check(ctx, batch, i -> "tasks[" + i + "].")
          .compose(v -> writeSubmissions(batch)).map(outcomes -> {
        JsonArray accepted = new JsonArray();
        outcomes.forEach(o -> accepted.add(new JsonObject()
            .put("id", o.result().getJsonObject("task").getString("id"))
            .put("state", o.result().getJsonObject("task").getString("state"))));
        return new JsonObject().put("tasks", accepted);
      });
      List<JsonObject> journaled = batch.stream().map(Submission::toJournal).toList();
      return orBuffered(live, JournalReplay.entry("submit", ctx, journaled), () -> {
        JsonArray accepted = new JsonArray();
        batch.forEach(s -> accepted.add(new JsonObject().put("id", s.id().toString())
            .put("state", s.flow().initialState(Instant.now()).wire()).put("buffered", true)));
        return new JsonObject().put("tasks", accepted);
      });
    });
  }

  /** One transaction for a whole batch (a group commit, or a bulk request). */
  private Future<List<Future<JsonObject>>> writeSubmissions(List<Submission> batch) {
    return breaker.execute(() -> tasks.submit(batch)).onSuccess(outcomes -> {
      for (int i = 0; i < outcomes.size(); i++) {
        if (outcomes.get(i).succeeded() && outcomes.get(i).result().getBoolean("created")) {
          Submission s = batch.get(i);
          gates.remember(s.id(), s.type(), TaskPolicy.from(s.budget(), s.gates()));
        }
      }
      List<UUID> waiting = new ArrayList<>();
      for (int i = 0; i < outcomes.size(); i++) {
        if (outcomes.get(i).succeeded() && outcomes.get(i).result().getBoolean("created")
            && !batch.get(i).flow().dependsOn().isEmpty()) {
          waiting.add(batch.get(i).id());
        }
      }
      timer.settle(waiting);
      long created = outcomes.stream().filter(o -> o.succeeded() && o.result().getBoolean("created")).count();
      if (created > 0) {
        if (submitted != null) {
          submitted.increment(created);
        }
        changed(batch.stream().map(sub -> sub.ctx().tenantId()).toList());
      }
    });
  }

  // ---- reads and operator actions ----

  private Future<JsonObject> list(Message<JsonObject> m) {
    JsonObject q = m.body();
    int limit = q.getInteger("limit", live.defaultPageSize());
    if (limit > config.api().maxPageSize()) {
      return Future.failedFuture(Failure.BAD_REQUEST.exception("limit must be at most " + config.api().maxPageSize()));
    }
    Cursor.CreatedKey after = Cursor.CreatedKey.decode(q.getString("cursor"));
    RequestContext ctx = ctx(m);
    String tenant = q.getString("tenant", ctx.tenantId());
    if (!ctx.platform() && !tenant.equals(ctx.tenantId())) {
      return Future.failedFuture(Failure.FORBIDDEN.exception("only the platform role lists another tenant's tasks"));
    }
    OffsetDateTime from = instant(q, "from");
    OffsetDateTime to = instant(q, "to");
    if (from != null && to != null && !from.isBefore(to)) {
      return Future.failedFuture(badField("from", "must be before to"));
    }
    return breaker.execute(() -> tasks.list(tenant, q.getString("state"), q.getString("type"), q.getString("agent"),
        after == null ? null : after.createdAt(), after == null ? null : after.id(), limit + 1, from, to))
        .map(rows -> Cursor.page(rows, limit, TaskJson::task,
            row -> new Cursor.CreatedKey(row.getOffsetDateTime("created_at"), row.getUUID("id"))));
  }

  private static OffsetDateTime instant(JsonObject q, String field) {
    String value = q.getString(field);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value);
    } catch (java.time.format.DateTimeParseException e) {
      throw badField(field, "is not an ISO-8601 date-time with an offset");
    }
  }

  private static ArbiterException badField(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }

  /** Requeues the tenant's dead tasks of a type, at most {@code limit} of them. */
  private Future<JsonObject> requeueDead(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    String type = m.body().getString("type");
    int limit = m.body().getInteger("limit", REQUEUE_DEAD_DEFAULT);
    if (type == null) {
      return Future.failedFuture(badField("type", "is required"));
    }
    if (limit < 1 || limit > REQUEUE_DEAD_MAX) {
      return Future.failedFuture(badField("limit", "must be 1 to " + REQUEUE_DEAD_MAX));
    }
    return breaker.execute(() -> tasks.requeueDead(ctx, type, limit)).map(ids -> {
      if (!ids.isEmpty()) {
        changed(List.of(ctx.tenantId()));
      }
      return new JsonObject().put("type", type).put("requeued", ids.size())
          .put("taskIds", new JsonArray(ids.stream().map(UUID::toString).toList()));
    });
  }

  private Future<JsonObject> timeseries(Message<JsonObject> m) {
    StatsWindow window = StatsWindow.of(m.body().getString("window"), m.body().getString("step"), Instant.now());
    return breaker.execute(() -> reads.timeseries(ctx(m), window));
  }

  private Future<JsonObject> agentActivity(Message<JsonObject> m) {
    int limit = m.body().getInteger("limit", AGENT_RESULTS_DEFAULT);
    if (limit < 1 || limit > AGENT_RESULTS_MAX) {
      return Future.failedFuture(badField("limit", "must be 1 to " + AGENT_RESULTS_MAX));
    }
    return breaker.execute(() -> reads.activity(ctx(m), m.body().getString("id"), AGENT_LEASES_MAX, limit));
  }

  private Future<JsonObject> cancel(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    UUID id = taskId(m);
    return breaker.execute(() -> tasks.cancel(ctx, id)).compose(g -> {
      if (!g.moved()) {
        return Future.failedFuture(Failure.CONFLICT.exception("task " + id + " is " + g.state().wire()
            + " and can no longer be canceled"));
      }
      changed(List.of(ctx.tenantId()));
      gates.forget(List.of(id));
      timer.settle(List.of(id));
      return breaker.execute(() -> tasks.get(ctx, id));
    });
  }

  private Future<JsonObject> requeue(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    UUID id = taskId(m);
    return breaker.execute(() -> tasks.requeue(ctx, id)).compose(g -> {
      if (!g.moved()) {
        return Future.failedFuture(Failure.CONFLICT.exception("task " + id + " is " + g.state().wire()
            + "; only dead tasks can be requeued"));
      }
      changed(List.of(ctx.tenantId()));
      return breaker.execute(() -> tasks.get(ctx, id));
    });
  }

  // ---- delivery ----

  /**
   * The agent's deliveries now, or, with {@code wait}, as soon as it has some within that many seconds. With
   * {@code ack} each delivery comes back acknowledged (running under its lease): one call instead of a claim and an
   * ack.
   */
  private Future<JsonObject> claim(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    String agentId = m.body().getString("agentId");
    int max = m.body().getInteger("max", 1);
    long waitMs = m.body().getInteger("wait", 0) * 1000L;
    boolean ack = m.body().getBoolean("ack", false);
    if (m.body().getBoolean("push", false)) {
      return claimOnce(ctx, agentId, max, true).map(rows -> deliveries(rows, false));
    }
    if (waitMs > 0 && waits.full(ctx.tenantId(), agentId)) {
      return Future.failedFuture(waits.tooMany(agentId));
    }
    Supplier<Future<List<Row>>> attempt = () -> ack ? claimRunning(ctx, agentId, max, true)
        : claimOnce(ctx, agentId, max);
    // the first attempt, and for a claim that found nothing the check that its agent exists, count against the
    // bulkhead; the wait after them does not (tasks.maxWaitingClaims bounds it per agent)
    Supplier<Future<List<Row>>> first = () -> attempt.get().compose(found -> found.isEmpty()
        ? agentExists(ctx, agentId).map(found) : Future.succeededFuture(found));
    return claims.run(first, () -> Failure.OVERLOADED.exception("too many claims in flight on this node (half "
        + "of the tasks pool and its wait queue); retry shortly")).compose(found -> found.isEmpty()
        ? waits.await(ctx.tenantId(), agentId, waitMs, attempt) : Future.succeededFuture(found))
        .map(rows -> deliveries(rows, ack));
  }

  private Future<List<Row>> claimOnce(RequestContext ctx, String agentId, int max) {
    return claimOnce(ctx, agentId, max, false);
  }

  private Future<List<Row>> claimOnce(RequestContext ctx, String agentId, int max, boolean push) {
    long aliveRefreshMs = live.heartbeatWindowMs() / 4;
    return breaker.execute(() -> tasks.claim(ctx, agentId, max, aliveRefreshMs, push));
  }

  private Future<List<Row>> claimRunning(RequestContext ctx, String agentId, int max, boolean selfClaim) {
    long aliveRefreshMs = live.heartbeatWindowMs() / 4;
    return breaker.execute(() -> tasks.claimRunning(ctx, agentId, max, aliveRefreshMs, selfClaim))
        .onSuccess(rows -> {
          if (!rows.isEmpty()) {
            drainAudit();
          }
        });
  }

  private Future<Void> agentExists(RequestContext ctx, String agentId) {
    return vertx.eventBus().request(Addresses.REGISTRY_GET, new JsonObject().put("id", agentId),
        ctx.deliveryOptions(config.http().requestTimeoutMs())).<Void>mapEmpty().recover(e -> Future.failedFuture(
        Replies.fromBus(e)));
  }

  private static JsonObject deliveries(List<Row> rows, boolean acknowledged) {
    return new JsonObject().put("tasks", new JsonArray(rows.stream()
        .map(row -> acknowledged ? TaskJson.runningDelivery(row) : TaskJson.delivery(row)).toList()));
  }

  private void wake(JsonObject assigned) {
    waits.wake(assigned.getString("tenantId"), assigned.getString("agentId"), assigned.getInteger("count", 1));
  }

  // ---- the lease ----

  private Future<JsonObject> ack(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    UUID id = taskId(m);
    String agentId = m.body().getString("agentId");
    int attempt = m.body().getInteger("attempt");
    return breaker.execute(() -> tasks.ack(ctx, id, agentId, attempt)).map(g -> {
      JsonObject reply = LeaseRules.acked(id, agentId, attempt, g);
      if (g.moved()) {
        drainAudit();
      }
      return reply;
    });
  }

  private Future<JsonObject> ackBatch(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    String agentId = m.body().getString("agentId");
    JsonArray items = m.body().getJsonArray("tasks");
    List<TaskRepository.AttemptRef> refs = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      refs.add(new TaskRepository.AttemptRef(uuid(item.getString("taskId"), "tasks[" + i + "].taskId"),
          item.getInteger("attempt")));
    }
    return breaker.execute(() -> tasks.ackAll(ctx, agentId, refs)).map(all -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < refs.size(); i++) {
        TaskRepository.AttemptRef ref = refs.get(i);
        TaskRepository.Guarded g = all.get(i);
        out.add(item(ref.id(), ref.attempt(), () -> LeaseRules.acked(ref.id(), agentId, ref.attempt(), g)));
      }
      if (all.stream().anyMatch(g -> g != null && g.moved())) {
        drainAudit();
      }
      return new JsonObject().put("items", out);
    });
  }

  private Future<JsonObject> extend(Message<JsonObject> m, JsonObject progress) {
    RequestContext ctx = ctx(m);
    UUID id = taskId(m);
    String agentId = m.body().getString("agentId");
    int attempt = m.body().getInteger("attempt");
    return breaker.execute(() -> tasks.extend(ctx, id, agentId, attempt, progress))
        .map(g -> LeaseRules.extended(id, agentId, attempt, g, progress != null));
  }

  private static JsonObject progress(JsonObject body) {
    return new JsonObject().put("percent", body.getValue("percent")).put("message", body.getString("message"))
        .put("at", Instant.now().toString());
  }

  private Future<JsonObject> result(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    UUID id = taskId(m);
    JsonObject body = m.body();
    String agentId = body.getString("agentId");
    int next = body.remove("next") instanceof Number n ? n.intValue() : 0;
    Future<JsonObject> live = judge.judge(ctx, agentId, List.of(id), List.of(body)).compose(judged -> {
      ResultJudge.Judged j = judged.get(0);
      return breaker.execute(() -> tasks.result(ctx, id, agentId, j.result(), j.verdict())).compose(g -> {
        if (g.moved()) {
          completed(List.of(j.result().getString("outcome")));
          ended(List.of(id), List.of(g));
        }
        return recorded(ctx, id, agentId, j, g);
      });
    });
    Future<JsonObject> answer = orBuffered(live, JournalReplay.entry("result", ctx, List.of(body)).put("agentId", agentId),
        () -> bufferedResult(body));
    return next == 0 ? answer : answer.compose(reply -> nextWork(ctx, agentId, next, reply));
  }

  /**
   * A result that asks for {@code next} tasks returns up to that many of the agent's assigned tasks, acknowledged (as a
   * claim with {@code ack}), in {@code next}; none when there are none yet or the database cannot say (the result
   * itself is recorded either way).
   */
  private Future<JsonObject> nextWork(RequestContext ctx, String agentId, int next, JsonObject reply) {
    if (reply.getBoolean("buffered", false)) {
      return Future.succeededFuture(reply.put("next", new JsonArray()));
    }
    return claimRunning(ctx, agentId, next, false)
        .map(rows -> reply.put("next", deliveries(rows, true).getJsonArray("tasks")))
        .recover(e -> Future.succeededFuture(reply.put("next", new JsonArray())));
  }

  /** The answer to a result accepted into the outage journal: it lands (and is judged) when the database is back. */
  private static JsonObject bufferedResult(JsonObject item) {
    return new JsonObject().put("taskId", item.getString("taskId")).put("attempt", item.getInteger("attempt"))
        .put("outcome", item.getString("outcome")).put("state", "buffered").put("repeated", false)
        .put("buffered", true);
  }

  private Future<JsonObject> resultBatch(Message<JsonObject> m) {
    RequestContext ctx = ctx(m);
    String agentId = m.body().getString("agentId");
    List<JsonObject> reported = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    JsonArray items = m.body().getJsonArray("results");
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      reported.add(item);
      ids.add(uuid(item.getString("taskId"), "results[" + i + "].taskId"));
    }
    Future<JsonObject> live = results(ctx, agentId, ids, reported).map(answers -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < answers.size(); i++) {
        Future<JsonObject> answer = answers.get(i);
        out.add(answer.succeeded() ? answer.result().put("status", 200)
            : problemItem(ids.get(i), reported.get(i).getInteger("attempt"), answer.cause()));
      }
      return new JsonObject().put("items", out);
    });
    return orBuffered(live, JournalReplay.entry("result", ctx, reported).put("agentId", agentId), () -> {
      JsonArray out = new JsonArray();
      reported.forEach(r -> out.add(bufferedResult(r).put("status", 202)));
      return new JsonObject().put("items", out);
    });
  }

  /**
   * One agent's results, judged by the result gates and recorded in one statement; answers each item's outcome once
   * all are known (see {@link #recorded}). Counts the attempts that completed.
   */
  private Future<List<Future<JsonObject>>> results(RequestContext ctx, String agentId, List<UUID> ids,
                                                   List<JsonObject> reported) {
    return judge.judge(ctx, agentId, ids, reported).compose(judged -> {
      List<JsonObject> results = judged.stream().map(ResultJudge.Judged::result).toList();
      List<Verdict> verdicts = judged.stream().map(ResultJudge.Judged::verdict).toList();
      return breaker.execute(() -> tasks.resultAll(ctx, agentId, ids, results, verdicts)).compose(all -> {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          if (all.get(i) != null && all.get(i).moved()) {
            outcomes.add(results.get(i).getString("outcome"));
          }
        }
        completed(outcomes);
        ended(ids, all);
        List<Future<JsonObject>> answers = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
          TaskRepository.Guarded g = all.get(i);
          answers.add(g == null ? Future.failedFuture(TaskRepository.notFound())
              : recorded(ctx, ids.get(i), agentId, judged.get(i), g));
        }
        return Future.join(answers).transform(done -> Future.succeededFuture(answers));
      });
    });
  }

  // ---- the outage journal ----

  /** See {@link Addresses#TASKS_SHUTDOWN}. */
  private Future<JsonObject> shutdown(Message<JsonObject> m) {
    waits.close();
    JsonArray release = m.body() == null ? new JsonArray() : m.body().getJsonArray("release", new JsonArray());
    Future<Integer> released = release.isEmpty() ? Future.succeededFuture(0)
        : breaker.execute(() -> tasks.releaseLeases(release)).recover(e -> {
          LOG.warn("shutdown: the leases of {} bridge agent(s) could not be released ({}); they run out",
              release.size(), e.getMessage());
          return Future.succeededFuture(0);
        });
    return released.compose(n -> {
      return replay.replayIfReachable().recover(e -> Future.succeededFuture(0))
          .map(r -> new JsonObject().put("buffered", journal.buffered()).put("released", n));
    });
  }

  /**
   * Counts completed attempts and moves the audit drain and the outcome fold along (the fold frees the agents' slots,
   * then wakes the dispatcher).
   */
  private void completed(List<String> outcomes) {
    if (outcomes.isEmpty()) {
      return;
    }
    if (succeeded != null) {
      outcomes.forEach(outcome -> ("succeeded".equals(outcome) ? succeeded : failed).increment());
    }
    drainAudit();
    folds.request();
  }

  private Future<JsonObject> foldAgent(Message<JsonObject> m) {
    return breaker.execute(() -> tasks.foldAgentOutcomes(ctx(m), m.body().getString("agentId"), FOLD_BATCH))
        .map(applied -> new JsonObject().put("applied", slotsFreed(applied)));
  }

  /** One fold of recorded outcomes into their agents' load and figures; true when a full batch suggests more. */
  private Future<Boolean> foldOutcomes() {
    return breaker.execute(() -> tasks.foldOutcomes(FOLD_BATCH)).map(applied -> slotsFreed(applied) >= FOLD_BATCH)
        .onFailure(e -> LOG.debug("outcome fold skipped: {}", e.getMessage()));
  }

  /** After a fold: {@code applied} outcomes freed their slots, so the dispatcher may have work to assign. */
  private int slotsFreed(int applied) {
    if (applied > 0) {
      vertx.eventBus().publish(Addresses.ROUTING_DISPATCH, DispatchWake.ALL);
    }
    return applied;
  }

  /**
   * The answer to one result: the outcome it recorded, or, for a repeat, the first outcome of that attempt; a result
   * that recorded nothing and finds nothing recorded is refused.
   */
  private Future<JsonObject> recorded(RequestContext ctx, UUID id, String agentId, ResultJudge.Judged judged,
                                      TaskRepository.Guarded g) {
    JsonObject body = judged.result();
    int attempt = body.getInteger("attempt");
    if (g.moved()) {
      JsonObject reply = LeaseRules.recorded(id, attempt, body.getString("outcome"), g);
      if (judged.verdict() != null) {
        reply.put("policy", judged.verdict().toJson());
      }
      return Future.succeededFuture(reply);
    }
    Future<String> outcome = g.recordedOutcome() != null || g.state().active()
        ? Future.succeededFuture(g.recordedOutcome())
        : breaker.execute(() -> tasks.recordedOutcome(ctx, id, attempt));
    return outcome.map(first -> LeaseRules.repeated(id, agentId, attempt, first, g));
  }

  /** One item of a batch answer: {@code work}'s answer with status 200, or its failure as status and problem. */
  private static JsonObject item(UUID id, int attempt, Supplier<JsonObject> work) {
    try {
      return work.get().put("status", 200);
    } catch (RuntimeException e) {
      return problemItem(id, attempt, e);
    }
  }

  private static JsonObject problemItem(UUID id, int attempt, Throwable cause) {
    ArbiterException e = cause instanceof ArbiterException known ? known
        : Failure.INTERNAL.exception("internal error");
    return new JsonObject().put("status", e.failure().httpStatus).put("taskId", id.toString()).put("attempt", attempt)
        .put("problem", e.failure().problem(e.getMessage()));
  }

  private static UUID uuid(String value, String field) {
    try {
      return UUID.fromString(value);
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception(field + " " + value + " is not a UUID");
    }
  }

  // ---- the lease rescuer ----

  private void countRescuePass(String outcome) {
    Counter counter = rescuePasses.get(outcome);
    if (counter != null) {
      counter.increment();
    }
  }

  private void rescue() {
    if (rescuing || journal.buffered() > 0) {
      return;
    }
    rescuing = true;
    holds.anyHeld().compose(held -> {
      if (held) {
        countRescuePass("paused");
        return Future.succeededFuture(new TaskRepository.Rescue(false, List.of()));
      }
      return breaker.execute(tasks::rescue).onSuccess(r -> countRescuePass(r.ran() ? "ran" : "locked"));
    })
        .onComplete(result -> {
          rescuing = false;
          if (result.failed()) {
            LOG.debug("lease rescue skipped: {}", result.cause().getMessage());
            return;
          }
          List<Row> recovered = result.result().recovered();
          if (!recovered.isEmpty()) {
            recovered.forEach(row -> LOG.info("task {} of tenant {} recovered from agent {} ({}): now {}",
                row.getUUID("id"), row.getString("tenant_id"), row.getString("assigned_agent_id"),
                row.getString("reason"), row.getString("state")));
            changed(recovered.stream().map(row -> row.getString("tenant_id")).toList());
            timer.settle(recovered.stream().filter(row -> TaskState.DEAD.wire().equals(row.getString("state")))
                .map(row -> row.getUUID("id")).toList());
            if (recovered.size() >= config.tasks().rescueBatchSize()) {
              vertx.runOnContext(v -> rescue());
            }
          }
        });
    breaker.execute(tasks::stateCounts).onSuccess(counts -> {
      for (int i = 0; i < counts.length; i++) {
        stateCounts.set(i, counts[i]);
      }
    });
  }

  /** Tasks became ready or freed slots, whose tenants are not known here (a journal replay): wake every lane. */
  private void changed() {
    vertx.eventBus().publish(Addresses.ROUTING_DISPATCH, DispatchWake.ALL);
    drainAudit();
  }

  /** Tasks of these tenants became ready or freed slots: wake their dispatch lanes, and move the new audit events along. */
  private void changed(Collection<String> tenants) {
    vertx.eventBus().publish(Addresses.ROUTING_DISPATCH, DispatchWake.of(tenants));
    drainAudit();
  }

  /** Settles the dependants of the tasks that a result just ended ({@code guarded} parallel to {@code ids}). */
  private void ended(List<UUID> ids, List<TaskRepository.Guarded> guarded) {
    List<UUID> ended = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      TaskRepository.Guarded g = guarded.get(i);
      if (g != null && g.moved() && g.afterState() != null && TaskState.fromWire(g.afterState()).finished()) {
        ended.add(ids.get(i));
      }
    }
    gates.forget(ended);
    timer.settle(ended);
  }

  /**
   * An agent registered, changed or left: the tenant's unroutable tasks that an agent can now take lose their mark
   * (only tenants with unroutable tasks cost more than an index probe); after an agent left or changed, its unassigned
   * tasks that no agent takes any more are marked.
   */
  private void agentChanged(JsonObject event) {
    List<String> tenants = io.arbiter.bus.DispatchWake.tenants(event);
    if (tenants == null || tenants.isEmpty()) {
      return;
    }
    String kind = event.getString("event", "");
    Future<Integer> marked = kind.equals("agent.deregistered") || kind.equals("agent.updated")
        ? breaker.execute(() -> tasks.markUnroutable(tenants)) : Future.succeededFuture(0);
    marked.compose(n -> breaker.execute(() -> tasks.clearUnroutable(tenants)).map(cleared -> n + cleared))
        .onSuccess(changed -> {
          if (changed > 0) {
            drainAudit();
          }
        }).onFailure(e -> {
          // a statement that lost to a concurrent dispatch (or a pool briefly full) is tried again: no later event
          // may come to fix the marks
          int tries = event.getInteger("tries", 0);
          if (tries < UNROUTABLE_RETRIES) {
            vertx.setTimer(200L << tries, id -> agentChanged(event.copy().put("tries", tries + 1)));
          } else {
            LOG.warn("unroutable marks of tenants {} not updated after {} tries: {}", tenants, tries + 1,
                e.getMessage());
          }
        });
  }

  private void drainAudit() {
    vertx.eventBus().send(Addresses.AUDIT_DRAIN, null);
  }
}
