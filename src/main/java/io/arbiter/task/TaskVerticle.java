package io.arbiter.task;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.callback.CallbackSettings;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.arbiter.policy.PolicyReads;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks: the bus addresses of the task domain, wired to the classes that answer them, over its own pool and breaker
 * ({@code tasks-db}). Submission ({@link Submissions}, group-committed), reads ({@link TaskReads}), cancel and requeue
 * ({@link OperatorActions}); delivery to agents by claim ({@link Claims}: long poll, woken by
 * {@link Addresses#EVENTS_ASSIGNED} with a poll timer as fallback); ack, heartbeat and progress under the lease rules
 * ({@link Leases}); results ({@link Results}); and the periodic work: the lease rescuer ({@link LeaseRescue}), the
 * outcome fold ({@link OutcomeFold}), the timer for due, timed-out and waiting tasks ({@link TaskTimer}).
 * Assignment itself is the routing verticle's.
 *
 * <p>While the database is unavailable, submissions and results are accepted into the {@link OutageJournal} and
 * answered 202 with {@code buffered: true}; the journal replays, oldest first, as soon as the database answers again
 * (and at start, before ingress serves). The lease rescuer waits while the journal holds anything, so that a result
 * accepted during an outage lands before its lease is judged.
 */
public final class TaskVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TaskVerticle.class);

  private static final long LIMITS_TTL_NANOS = 10_000_000_000L;

  /** A request address's answer, from the caller and the request's body. */
  private interface Request {
    Future<JsonObject> answer(RequestContext ctx, JsonObject body);
  }

  private final ArbiterConfig config;
  private final CallbackSettings callbacks;
  private final double learningDiscount;
  private final MeterRegistry registry;
  private final GateCache gates = new GateCache(100_000, LIMITS_TTL_NANOS);
  private volatile LiveSettings live;
  private Pool pool;
  private DbBreaker breaker;
  private TaskRepository tasks;
  private TaskNudges nudges;
  private ClaimWaits waits;
  private TaskMetrics metrics;
  private TaskTimer timer;
  private JournalHolds holds;
  private LimitsCache tenantLimits;
  private OutcomeFold folds;
  private UnroutableMarks unroutable;
  private TaskReads reads;
  private OperatorActions actions;
  private Claims claims;
  private Leases leases;
  private OutageJournal journal;
  private OutageFallback fallback;
  private JournalReplay replay;
  private Submissions submissions;
  private ReportCommit reports;
  private Results results;
  private LeaseRescue rescue;

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
    nudges = new TaskNudges(vertx.eventBus());
    waits = new ClaimWaits(vertx, config.tasks().claimPollMs(), config.tasks().maxWaitingClaims());
    metrics = new TaskMetrics(registry, waits, ClaimWaits::waiting);
    timer = new TaskTimer(vertx, breaker, tasks, nudges::changed);
    holds = new JournalHolds(vertx, Math.max(5_000, 3 * config.journal().replayIntervalMs()));
    tenantLimits = new LimitsCache(tenantId -> breaker.execute(() -> PolicyReads.limits(pool, tenantId)),
        LIMITS_TTL_NANOS);
    folds = new OutcomeFold(vertx, breaker, tasks, nudges);
    unroutable = new UnroutableMarks(vertx, breaker, tasks, nudges);
    reads = new TaskReads(breaker, tasks, new OperatorReads(pool), () -> live, config.api().maxPageSize());
    actions = new OperatorActions(breaker, tasks, gates, timer, nudges);
    claims = new Claims(breaker, tasks, waits, Math.max(1, (config.db().poolSize() + config.db().maxWaitQueue()) / 2),
        () -> live, this::agentExists, nudges, config.tasks().submitBatchMax(), config.db().poolSize());
    reports = new ReportCommit(config.tasks().submitBatchMax(), config.db().poolSize(), breaker, tasks);
    metrics.reportsWaiting(reports);
    metrics.claimsWaiting(claims);
    leases = new Leases(breaker, tasks, reports, nudges);
    return OutageJournal.open(vertx, config.dataDir().resolve("journal"), config.journal().capacity(),
        config.journal().maxBytes(), registry)
        .compose(opened -> {
          journal = opened;
          fallback = new OutageFallback(journal, holds);
          submissions = new Submissions(config.tasks(), callbacks, config.db().poolSize(), breaker, tasks,
              tenantLimits, new ParentCheck(breaker, tasks), gates, timer, fallback, metrics, nudges);
          results = new Results(breaker, tasks, reports, new ResultJudge(pool, breaker, gates), fallback, claims,
              folds, gates, timer, metrics, nudges);
          replay = new JournalReplay(journal, breaker, tasks::submit, results::record, nudges::changed);
          rescue = new LeaseRescue(vertx, breaker, tasks, journal, holds, timer, metrics, nudges,
              config.tasks().rescueBatchSize());
          return consumers();
        })
        .compose(v -> replay.replay().recover(e -> {
          LOG.warn("the outage journal could not replay at start ({} item(s) stay buffered): {}", journal.buffered(),
              e.getMessage());
          return Future.succeededFuture(0);
        }))
        .onSuccess(v -> {
          fallback.reportHold();
          rescue.start(config.tasks().rescueIntervalMs());
          timer.start();
          folds.start();
          vertx.setPeriodic(config.journal().replayIntervalMs(), id -> replay.replayIfReachable()
              .onFailure(e -> LOG.debug("journal replay paused: {}", e.getMessage()))
              .onComplete(r -> fallback.reportHold()));
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
        request(bus, Addresses.TASKS_SUBMIT, submissions::submit),
        request(bus, Addresses.TASKS_SUBMIT_BATCH, submissions::batch),
        request(bus, Addresses.TASKS_WORKFLOW, submissions::workflow),
        request(bus, Addresses.TASKS_GRAPH, reads::graph),
        request(bus, Addresses.TASKS_GET, reads::get),
        request(bus, Addresses.TASKS_LIST, reads::list),
        request(bus, Addresses.TASKS_HISTORY, reads::history),
        request(bus, Addresses.TASKS_DECISION, reads::decision),
        request(bus, Addresses.TASKS_QUEUE, (ctx, body) -> reads.queue(ctx)),
        request(bus, Addresses.TASKS_TIMESERIES, reads::timeseries),
        request(bus, Addresses.TASKS_AGENT_ACTIVITY, reads::agentActivity),
        request(bus, Addresses.TASKS_CANCEL, actions::cancel),
        request(bus, Addresses.TASKS_REQUEUE, actions::requeue),
        request(bus, Addresses.TASKS_REQUEUE_DEAD, actions::requeueDead),
        request(bus, Addresses.TASKS_CLAIM, claims::claim),
        request(bus, Addresses.TASKS_CLAIM_CANCEL, claims::cancel),
        request(bus, Addresses.TASKS_ACK, leases::ack),
        request(bus, Addresses.TASKS_ACK_BATCH, leases::ackBatch),
        request(bus, Addresses.TASKS_HEARTBEAT, (ctx, body) -> leases.extend(ctx, body, false)),
        request(bus, Addresses.TASKS_PROGRESS, (ctx, body) -> leases.extend(ctx, body, true)),
        request(bus, Addresses.TASKS_RESULT, results::result),
        request(bus, Addresses.TASKS_RESULT_BATCH, results::batch),
        request(bus, Addresses.TASKS_FOLD_AGENT, (ctx, body) -> folds.foldAgent(ctx, body.getString("agentId"))),
        bus.localConsumer(Addresses.TASKS_HEALTH, handle(m -> breaker.ping(pool).map(h -> h.toJson()
            .put("buffered", journal.buffered()).put("journalCapacity", journal.capacity())))).completion(),
        bus.localConsumer(Addresses.TASKS_SHUTDOWN, handle(this::shutdown)).completion(),
        bus.<JsonObject>consumer(Addresses.EVENTS_ASSIGNED, m -> claims.wake(m.body())).completion(),
        bus.<JsonObject>localConsumer(Addresses.EVENTS_AGENT, m -> unroutable.agentChanged(m.body())).completion(),
        bus.<JsonObject>consumer(Addresses.EVENTS_LIMITS_CHANGED,
            m -> tenantLimits.changed(m.body().getString("tenantId"))).completion(),
        bus.<JsonObject>consumer(Addresses.EVENTS_WAIVERS_CHANGED,
            m -> gates.waiversChanged(m.body().getString("tenantId"))).completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED,
            m -> live = LiveSettings.fromJson(m.body().getJsonObject("settings"))).completion()));
  }

  private Future<Void> request(EventBus bus, String address, Request handler) {
    return bus.localConsumer(address, handle(m -> handler.answer(RequestContext.from(m), m.body()))).completion();
  }

  private Replies.Handler handle(Function<Message<JsonObject>, Future<JsonObject>> work) {
    return Replies.handle(LOG, work);
  }

  /** Fails as the registry does when the caller's tenant has no such agent. */
  private Future<Void> agentExists(RequestContext ctx, String agentId) {
    return vertx.eventBus().request(Addresses.REGISTRY_GET, new JsonObject().put("id", agentId),
        ctx.deliveryOptions(config.http().requestTimeoutMs())).<Void>mapEmpty().recover(e -> Future.failedFuture(
        Replies.fromBus(e)));
  }

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
    return released.compose(n -> replay.replayIfReachable().recover(e -> Future.succeededFuture(0))
        .map(r -> new JsonObject().put("buffered", journal.buffered()).put("released", n)));
  }
}
