package io.arbiter.routing;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.DispatchWake;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Coalescer;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.arbiter.registry.Capabilities;
import io.arbiter.registry.Levels;
import io.arbiter.registry.SpecializationRecord;
import io.arbiter.registry.MatchScore;
import io.arbiter.registry.Performance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dispatch lane. A node runs {@code routing.lanes} of them, each owning a share of the tenants ({@link LaneWork}).
 * Woken on {@link Addresses#ROUTING_DISPATCH} (after submissions, results, cancels and agent changes, naming the
 * tenants when the sender knows them) and by a poll timer, a lane runs one dispatch at a time over the tenants it was
 * woken for: in one transaction it reads those tenants' agents with free slots, locks
 * the most urgent ready tasks they can take, plans with the configured {@link RoutingStrategy} ({@link Planner}), and
 * assigns them in one statement; then it announces each agent's new work on {@link Addresses#EVENTS_ASSIGNED}. A full
 * batch dispatches again at once.
 */
public final class RoutingVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RoutingVerticle.class);

  private final ArbiterConfig config;
  private final RoutingSettings routing;
  private final MeterRegistry registry;
  private final SplittableRandom random = new SplittableRandom();
  private volatile LiveSettings live;
  private Pool pool;
  private DbBreaker breaker;
  private final Coalescer dispatches = new Coalescer(this::dispatchOnce);
  private final LaneWork work;
  private Counter assignedCounter;
  private Timer dispatchTimer;
  private Timer waitTimer;

  /** Lane {@code lane} of {@code lanes}. */
  public RoutingVerticle(ArbiterConfig config, RoutingSettings routing, MeterRegistry registry, int lane, int lanes) {
    this.config = config;
    this.routing = routing;
    this.registry = registry;
    this.live = config.live();
    this.work = new LaneWork(lane, lanes);
  }

  /** Connections one lane's pool holds: the pool size shared among the lanes, at least two (a dispatch and a read). */
  static int poolSize(ArbiterConfig config, RoutingSettings routing) {
    return Math.max(2, config.db().poolSize() / routing.laneCount());
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "routing", true, poolSize(config, routing));
    breaker = new DbBreaker(vertx, "routing-db", config.breaker(), registry);
    if (registry != null) {
      assignedCounter = Counter.builder("arbiter.tasks.assigned").description("Tasks assigned to agents")
          .register(registry);
      dispatchTimer = Timer.builder("arbiter.routing.latency").description("Time of one dispatch (plan and assign)")
          .publishPercentileHistogram().register(registry);
      waitTimer = Timer.builder("arbiter.tasks.wait")
          .description("Time from a task becoming ready (submitted, or due after a retry's backoff) to its assignment")
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    }
    vertx.setPeriodic(routing.pollIntervalMs(), id -> {
      work.wakeAll();
      dispatch();
    });
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.<JsonObject>localConsumer(Addresses.ROUTING_DISPATCH, m -> wake(m.body())).completion(),
        bus.<JsonObject>consumer(Addresses.EVENTS_AGENT, m -> wake(m.body())).completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED, m -> {
          LiveSettings next = LiveSettings.fromJson(m.body().getJsonObject("settings"));
          if (!next.routingStrategy().equals(live.routingStrategy())) {
            LOG.info("routing strategy is now {}", next.routingStrategy());
          }
          live = next;
        }).completion(),
        bus.<JsonObject>localConsumer(Addresses.ROUTING_STATS, Replies.handle(LOG, this::stats)).completion(),
        bus.<JsonObject>localConsumer(Addresses.ROUTING_HEALTH, Replies.handle(LOG, m -> breaker.ping(pool)
            .map(h -> h.toJson()))).completion()));
  }

  /**
   * A wake-up: {@code {tenantId}} or {@code {tenants: [...]}} names the tenants whose work changed (this lane
   * dispatches those it owns); a wake-up that names none dispatches all of the lane's tenants.
   */
  private void wake(JsonObject body) {
    List<String> tenants = DispatchWake.tenants(body);
    if (tenants == null) {
      work.wakeAll();
    } else if (!work.wake(tenants)) {
      return;
    }
    dispatch();
  }

  /** Dispatches now, or once more after the dispatch in progress ({@link Coalescer}). */
  private void dispatch() {
    if (work.pending()) {
      dispatches.request();
    }
  }

  /** One dispatch; true when it assigned a full batch, so more may be waiting. */
  private Future<Boolean> dispatchOnce() {
    if (!work.pending()) {
      return Future.succeededFuture(false);
    }
    long started = System.nanoTime();
    LiveSettings settings = live;
    Set<String> tenants = work.take();
    return breaker.execute(() -> pool.withTransaction(tx -> dispatchIn(tx, settings, tenants)))
        .map(assigned -> {
          if (!assigned.isEmpty()) {
            if (dispatchTimer != null) {
              dispatchTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              assignedCounter.increment(assigned.size());
              assigned.forEach(row -> waitTimer.record(
                  (long) (row.getDouble("waited_ms") * 1_000_000), TimeUnit.NANOSECONDS));
            }
            announce(assigned);
          }
          boolean full = assigned.size() >= routing.batchSize();
          if (full) {
            work.restore(tenants);
          }
          return full;
        })
        .onFailure(cause -> {
          work.restore(tenants);
          if (Failure.UNAVAILABLE.is(cause)) {
            LOG.debug("dispatch skipped: {}", cause.getMessage());
          } else {
            LOG.warn("dispatch failed: {}", cause.getMessage());
          }
        });
  }

  /** @param woken the tenants to dispatch, or {@code null} for all of this lane's */
  private Future<List<Row>> dispatchIn(SqlConnection tx, LiveSettings settings, Set<String> woken) {
    Future<RowSet<Row>> routable = woken == null ? tx.preparedQuery(RoutingSql.ROUTABLE_AGENTS).execute()
        : tx.preparedQuery(RoutingSql.ROUTABLE_AGENTS_OF)
            .execute(Tuple.tuple().addArrayOfString(woken.toArray(String[]::new)));
    return routable.compose(rows -> {
      List<Candidate> agents = new ArrayList<>();
      rows.forEach(row -> {
        if (work.owns(row.getString("tenant_id"))) {
          agents.add(candidate(row, routing.levels()));
        }
      });
      Map<String, Integer> slotsByTenantAndType = new LinkedHashMap<>();
      for (Candidate agent : agents) {
        for (String type : agent.capabilities().taskTypes()) {
          slotsByTenantAndType.merge(agent.tenantId() + "\u001f" + type, agent.freeSlots(), Integer::sum);
        }
      }
      if (slotsByTenantAndType.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      int cap = routing.batchSize();
      List<String> tenants = new ArrayList<>();
      List<String> types = new ArrayList<>();
      List<Integer> limits = new ArrayList<>();
      slotsByTenantAndType.forEach((key, slots) -> {
        String[] parts = key.split("\u001f", 2);
        tenants.add(parts[0]);
        types.add(parts[1]);
        limits.add(Math.min(slots, cap));
      });
      return tx.preparedQuery(RoutingSql.LOCK_CANDIDATES)
          .execute(Tuple.tuple().addArrayOfString(tenants.toArray(String[]::new))
              .addArrayOfString(types.toArray(String[]::new)).addArrayOfInteger(limits.toArray(Integer[]::new)))
          .compose(candidates -> {
            List<QueuedTask> waiting = new ArrayList<>();
            candidates.forEach(row -> waiting.add(queuedTask(row)));
            if (waiting.isEmpty()) {
              return Future.succeededFuture(List.<Row>of());
            }
            return strategy(tx, settings, agents).compose(chosen -> assign(tx, waiting, agents, chosen));
          });
    });
  }

  /** The configured strategy; for {@code learning}, with the arms of the agents in this dispatch. */
  private Future<RoutingStrategy> strategy(SqlConnection tx, LiveSettings settings, List<Candidate> agents) {
    if (!"learning".equals(settings.routingStrategy())) {
      return Future.succeededFuture(RoutingStrategy.named(settings.routingStrategy()));
    }
    Bandit.Settings learning = routing.learning();
    Bandit.Settings now = new Bandit.Settings(settings.exploration(), learning.coldStartPulls(),
        learning.coldStartBonus(), learning.discount());
    return tx.preparedQuery(RoutingSql.ARMS)
        .execute(Tuple.tuple().addArrayOfString(agents.stream().map(Candidate::tenantId).toArray(String[]::new))
            .addArrayOfString(agents.stream().map(Candidate::agentId).toArray(String[]::new)))
        .map(rows -> {
          Map<ArmTable.Key, Arm> arms = new HashMap<>();
          rows.forEach(row -> arms.put(
              new ArmTable.Key(row.getString("tenant_id"), row.getString("task_type"), row.getString("agent_id")),
              Arm.fromEvidence(row.getDouble("prior_mean"), row.getDouble("gained"), row.getDouble("lost"),
                  row.getLong("pulls"), row.getDouble("reward_sum"), now.discount())));
          return RoutingStrategy.learning(ArmTable.of(arms), now, random);
        });
  }

  private Future<List<Row>> assign(SqlConnection tx, List<QueuedTask> waiting, List<Candidate> agents,
                                   RoutingStrategy chosen) {
    int cap = routing.batchSize();
    List<Planner.Assignment> plan = Planner.plan(waiting, agents, chosen);
    if (plan.size() > cap) {
      plan = plan.subList(0, cap);
    }
    if (plan.isEmpty()) {
      return Future.succeededFuture(List.<Row>of());
    }
    return tx.preparedQuery(RoutingSql.ASSIGN)
        .execute(Tuple.of(planJson(plan), config.tasks().ackTimeoutMs()))
        .map(assigned -> {
          List<Row> out = new ArrayList<>(assigned.size());
          assigned.forEach(out::add);
          return out;
        });
  }

  private Future<JsonObject> stats(Message<JsonObject> m) {
    RequestContext ctx = RequestContext.from(m);
    String taskType = m.body().getString("taskType");
    double discount = routing.learning().discount();
    return breaker.execute(() -> pool.preparedQuery(RoutingSql.STATS).execute(Tuple.of(ctx.tenantId(), taskType)))
        .map(rows -> {
          List<JsonObject> agents = new ArrayList<>();
          rows.forEach(row -> {
            Long pulls = row.getLong("pulls");
            Arm arm = pulls == null ? Arm.prior(row.getDouble("success_rate"))
                : Arm.fromEvidence(row.getDouble("prior_mean"), row.getDouble("gained"), row.getDouble("lost"), pulls,
                    row.getDouble("reward_sum"), discount);
            agents.add(new JsonObject().put("agentId", row.getString("id")).put("status", row.getString("status"))
                .put("pulls", arm.pulls())
                .put("meanReward", arm.pulls() == 0 ? null : arm.rewardSum() / arm.pulls())
                .put("posterior", new JsonObject().put("alpha", arm.alpha()).put("beta", arm.beta())
                    .put("mean", arm.mean()))
                .put("priorMean", pulls == null ? row.getDouble("success_rate") : row.getDouble("prior_mean")));
          });
          agents.sort(Comparator.comparingDouble((JsonObject a) -> a.getJsonObject("posterior").getDouble("mean"))
              .reversed().thenComparing(a -> a.getString("agentId")));
          LiveSettings now = live;
          return new JsonObject().put("taskType", taskType).put("strategy", now.routingStrategy())
              .put("exploration", now.exploration()).put("agents", new JsonArray(agents));
        });
  }

  /** Wakes the claims waiting on each agent that got work, on every node. */
  private void announce(List<Row> assigned) {
    Map<String, JsonObject> perAgent = new HashMap<>();
    for (Row row : assigned) {
      JsonObject event = perAgent.computeIfAbsent(row.getString("tenant_id") + "/" + row.getString("assigned_agent_id"),
          k -> new JsonObject().put("tenantId", row.getString("tenant_id"))
              .put("agentId", row.getString("assigned_agent_id")).put("count", 0));
      event.put("count", event.getInteger("count") + 1);
    }
    perAgent.values().forEach(event -> vertx.eventBus().publish(Addresses.EVENTS_ASSIGNED, event));
    vertx.eventBus().send(Addresses.AUDIT_DRAIN, null);
  }

  private static JsonArray planJson(List<Planner.Assignment> plan) {
    JsonArray json = new JsonArray();
    for (Planner.Assignment a : plan) {
      Decision d = a.decision();
      json.add(new JsonObject().put("task_id", a.task().id().toString()).put("tenant_id", a.task().tenantId())
          .put("agent_id", d.agentId()).put("strategy", d.strategy()).put("score", d.score())
          .put("confidence", d.confidence()).put("alternatives", d.alternativesJson()).put("rationale", d.rationale())
          .put("details", d.details()));
    }
    return json;
  }

  /** An agent with the levels it has earned in its specializations. */
  private static Candidate candidate(Row row, Levels.Thresholds thresholds) {
    JsonArray specs = (JsonArray) row.getJson("specializations");
    Map<String, SpecializationRecord> records = new HashMap<>();
    ((JsonArray) row.getJson("records")).forEach(r -> {
      SpecializationRecord record = SpecializationRecord.fromJson((JsonObject) r);
      records.put(record.name(), record);
    });
    double averageQuality = row.getDouble("average_quality");
    Capabilities caps = new Capabilities(List.of(row.getArrayOfStrings("task_types")),
        List.of(row.getArrayOfStrings("languages")),
        specs.stream().map(JsonObject.class::cast).map(Capabilities.Specialization::fromJson).toList())
        .withEarnedLevels(records, thresholds, averageQuality);
    return new Candidate(row.getString("tenant_id"), row.getString("id"), caps, row.getInteger("max_concurrent_tasks"),
        row.getInteger("current_load"), new Performance(row.getDouble("success_rate"), averageQuality,
        row.getDouble("average_latency_ms"), row.getLong("task_count")));
  }

  private static QueuedTask queuedTask(Row row) {
    JsonObject requirements = (JsonObject) row.getJson("requirements");
    MatchScore.Need need = new MatchScore.Need(row.getString("type"),
        Capabilities.strings(requirements.getJsonArray("languages")),
        Capabilities.strings(requirements.getJsonArray("specializations")));
    return new QueuedTask(row.getUUID("id"), row.getString("tenant_id"), row.getString("type"),
        row.getInteger("priority"), row.getOffsetDateTime("created_at").toInstant(), need,
        requirements.getDouble("minQuality", 0.0));
  }
}
