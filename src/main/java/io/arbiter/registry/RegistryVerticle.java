package io.arbiter.registry;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.bus.RequestLog;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.db.Cursor;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent registry: register, read, query by capability, update, heartbeat and drain, and the sweep that
 * takes silent agents offline. Its database calls all go through its own breaker, {@code registry-db}.
 */
public final class RegistryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryVerticle.class);

  /** The most candidates a capability query ranks in memory. */
  static final int MAX_CANDIDATES = 10_000;

  private final ArbiterConfig config;
  private final Levels.Thresholds levels;
  private final MeterRegistry registry;
  private final Map<AgentStatus, AtomicLong> agentsByStatus = new EnumMap<>(AgentStatus.class);
  private volatile LiveSettings live;
  private DbBreaker breaker;
  private Pool pool;
  private AgentRepository agents;

  public RegistryVerticle(ArbiterConfig config, Levels.Thresholds levels, MeterRegistry registry) {
    this.config = config;
    this.levels = levels;
    this.registry = registry;
    this.live = config.live();
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "registry");
    breaker = new DbBreaker(vertx, "registry-db", config.breaker(), registry);
    agents = new AgentRepository(pool, levels);
    for (AgentStatus status : AgentStatus.values()) {
      AtomicLong count = new AtomicLong();
      agentsByStatus.put(status, count);
      if (registry != null) {
        Gauge.builder("arbiter.agents", count, AtomicLong::get).tag("status", status.wire())
            .description("Registered agents by status").register(registry);
      }
    }
    vertx.setPeriodic(config.registry().sweepIntervalMs(), id -> sweep());
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.localConsumer(Addresses.REGISTRY_REGISTER, handle(this::register)).completion(),
        bus.localConsumer(Addresses.REGISTRY_GET, handle(this::get)).completion(),
        bus.localConsumer(Addresses.REGISTRY_LIST, handle(this::list)).completion(),
        bus.localConsumer(Addresses.REGISTRY_UPDATE, handle(this::update)).completion(),
        bus.localConsumer(Addresses.REGISTRY_HEARTBEAT, handle(this::heartbeat)).completion(),
        bus.localConsumer(Addresses.REGISTRY_DEREGISTER, handle(this::deregister)).completion(),
        bus.localConsumer(Addresses.REGISTRY_CHANNEL, handle(this::channel)).completion(),
        bus.localConsumer(Addresses.REGISTRY_HEALTH, handle(m -> breaker.ping(pool).map(h -> h.toJson()))).completion(),
        bus.<JsonObject>localConsumer(Addresses.CONFIG_CHANGED,
            m -> live = LiveSettings.fromJson(m.body().getJsonObject("settings"))).completion()));
  }

  private Replies.Handler handle(Function<Message<JsonObject>, Future<JsonObject>> work) {
    return Replies.handle(LOG, work);
  }

  private Future<JsonObject> register(Message<JsonObject> message) {
    RequestContext ctx = RequestContext.from(message);
    return breaker.execute(() -> agents.register(ctx, message.body())).map(change -> announce(ctx, change));
  }

  private Future<JsonObject> get(Message<JsonObject> message) {
    RequestContext ctx = RequestContext.from(message);
    return breaker.execute(() -> agents.get(ctx, message.body().getString("id"))).map(Agent::toJson);
  }

  private Future<JsonObject> update(Message<JsonObject> message) {
    RequestContext ctx = RequestContext.from(message);
    return breaker.execute(() -> agents.update(ctx, message.body())).map(change -> announce(ctx, change));
  }

  private Future<JsonObject> heartbeat(Message<JsonObject> message) {
    RequestContext ctx = RequestContext.from(message);
    return breaker.execute(() -> agents.heartbeat(ctx, message.body().getString("id")))
        .map(change -> announce(ctx, change));
  }

  /**
   * A recorded result frees its agent's slot through the outcome fold; the agent's pending outcomes are applied first,
   * so that an agent whose last result is recorded holds no work and goes offline at once. Without an answer from the
   * tasks verticle the deregistration goes on: at worst the agent drains until the fold frees its slots.
   */
  private Future<JsonObject> deregister(Message<JsonObject> message) {
    RequestContext ctx = RequestContext.from(message);
    String id = message.body().getString("id");
    return vertx.eventBus().request(Addresses.TASKS_FOLD_AGENT, new JsonObject().put("agentId", id),
            ctx.deliveryOptions(config.http().requestTimeoutMs()))
        .transform(folded -> breaker.execute(() -> agents.deregister(ctx, id)))
        .map(change -> announce(ctx, change));
  }

  private Future<JsonObject> channel(Message<JsonObject> message) {
    RequestContext ctx = RequestContext.from(message);
    JsonObject body = message.body();
    return breaker.execute(() -> agents.channel(ctx, body.getString("id"), body.getBoolean("open", false)))
        .map(change -> announce(ctx, change));
  }

  private Future<JsonObject> list(Message<JsonObject> message) {
    RequestContext ctx = RequestContext.from(message);
    JsonObject query = message.body();
    int limit = query.getInteger("limit", live.defaultPageSize());
    if (limit > config.api().maxPageSize()) {
      return Future.failedFuture(Failure.BAD_REQUEST.exception("limit must be at most " + config.api().maxPageSize()));
    }
    AgentStatus status = query.getString("status") == null ? null : AgentStatus.fromWire(query.getString("status"));
    String cursor = query.getString("cursor");
    if (query.getString("taskType") == null) {
      String afterId = cursor == null ? null : Cursor.decode(cursor, 1)[0];
      return breaker.execute(() -> agents.list(ctx, status, afterId, limit + 1)).map(page -> {
        List<Agent> items = page.subList(0, Math.min(limit, page.size()));
        String next = page.size() > limit ? Cursor.encode(items.get(items.size() - 1).id()) : null;
        return new JsonObject().put("items", AgentRepository.toJson(items)).put("nextCursor", next);
      });
    }
    MatchScore.Need need = new MatchScore.Need(query.getString("taskType"),
        Capabilities.strings(query.getJsonArray("languages")), Capabilities.strings(query.getJsonArray("specializations")));
    String[] after = cursor == null ? null : Cursor.decode(cursor, 2);
    return breaker.execute(() -> agents.listCapable(ctx, need.taskType(), status, MAX_CANDIDATES))
        .map(candidates -> rankedPage(candidates, need, after, limit));
  }

  private record Scored(Agent agent, double score) {}

  private static final Comparator<Scored> BEST_FIRST =
      Comparator.comparingDouble(Scored::score).reversed().thenComparing(s -> s.agent().id());

  /** Ranks capable agents by match score (then id) and returns the page after the cursor's (score, id). */
  private static JsonObject rankedPage(List<Agent> candidates, MatchScore.Need need, String[] after, int limit) {
    List<Scored> ranked = candidates.stream()
        .map(agent -> new Scored(agent, MatchScore.of(agent, need).orElse(-1)))
        .filter(s -> s.score() >= 0)
        .sorted(BEST_FIRST)
        .filter(s -> after == null || isAfter(s, Double.parseDouble(after[0]), after[1]))
        .toList();
    List<Scored> page = ranked.subList(0, Math.min(limit, ranked.size()));
    JsonArray items = new JsonArray(page.stream().map(s -> s.agent().toJson().put("matchScore", s.score())).toList());
    String next = ranked.size() > limit
        ? Cursor.encode(Double.toString(page.get(page.size() - 1).score()), page.get(page.size() - 1).agent().id())
        : null;
    return new JsonObject().put("items", items).put("nextCursor", next);
  }

  private static boolean isAfter(Scored s, double score, String id) {
    return s.score() < score || (s.score() == score && s.agent().id().compareTo(id) > 0);
  }

  private JsonObject announce(RequestContext ctx, AgentRepository.Change change) {
    Agent agent = change.agent();
    if (change.event() != null) {
      RequestLog.of(LOG, ctx.correlationId()).info("{} {} in tenant {} (status {})", change.event(), agent.id(),
          agent.tenantId(), agent.status().wire());
      vertx.eventBus().send(Addresses.AUDIT_DRAIN, null);
      vertx.eventBus().publish(Addresses.EVENTS_AGENT, new JsonObject().put("tenantId", agent.tenantId())
          .put("agentId", agent.id()).put("status", agent.status().wire()).put("event", change.event()));
    }
    return agent.toJson();
  }

  private void sweep() {
    long window = live.heartbeatWindowMs();
    breaker.execute(() -> agents.markSilentOffline(window))
        .onSuccess(changes -> {
          if (!changes.isEmpty()) {
            vertx.eventBus().send(Addresses.AUDIT_DRAIN, null);
            changes.forEach(gone -> {
              LOG.info("agent {} of tenant {} went offline: no heartbeat for {} ms", gone.id(), gone.tenantId(), window);
              vertx.eventBus().publish(Addresses.EVENTS_AGENT, new JsonObject().put("tenantId", gone.tenantId())
                  .put("agentId", gone.id()).put("status", "offline").put("event", "agent.offline"));
            });
          }
        })
        .compose(v -> breaker.execute(agents::countByStatus))
        .onSuccess(counts -> agentsByStatus.forEach((status, n) -> n.set(counts.getLong(status.wire(), 0L))))
        .onFailure(e -> LOG.debug("registry sweep skipped: {}", e.getMessage()));
  }
}
