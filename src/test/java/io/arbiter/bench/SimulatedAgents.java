package io.arbiter.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * K agents doing what a real agent does over HTTP, as fast as they can: each runs several concurrent long-poll claim
 * loops ({@code POST /agents/{id}/claim?wait=W&max=M}); every delivery is acknowledged and then reported succeeded.
 * Every delivered (taskId, attempt) is recorded: a task with one delivered twice (to the same or to another agent)
 * counts as doubled. With {@code batched}, a claim that returns several tasks is acknowledged with one ack batch and
 * reported with one result batch ({@code POST /agents/{id}/ack-batches} and {@code /result-batches}), as an agent that
 * claims many at once would. Agents also heartbeat every 10 s so a long run does not see them go offline.
 */
final class SimulatedAgents {

  record Agent(String id, String token) {}

  private static final long HEARTBEAT_MS = 10_000;
  private static final long CALL_TIMEOUT_MS = 30_000;
  private static final int CALL_ATTEMPTS = 5;

  private final Vertx vertx;
  private final ArbiterApi claims;
  private final ArbiterApi calls;
  private final List<Agent> agents;
  private final int claimMax;
  private final int waitSeconds;
  private final int loopsPerAgent;
  private final boolean batched;
  /** Claims with {@code ack=true}, results with {@code next=1}: each result brings the agent's next task. */
  private final boolean chained;

  /** Batched agents whose claims acknowledge at once ({@code ack=true}): a claim's tasks go back in one result batch,
   * with no ack batch before it (two calls a claim instead of three). */
  private volatile boolean ackOnClaim;
  private volatile double failureShare;
  private volatile boolean running;
  private volatile Consumer<String> onSucceeded = taskId -> { };
  private final List<Future<Void>> loops = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();

  private final Map<String, String> deliveredTo = new ConcurrentHashMap<>();
  private final LongAdder deliveries = new LongAdder();
  private final Set<String> doubledTasks = ConcurrentHashMap.newKeySet();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failedReports = new LongAdder();
  private final AtomicLong lastSucceededNanos = new AtomicLong();
  final Tally errors = new Tally();
  private final Percentiles.Recorder claimMicros = new Percentiles.Recorder();
  private final Percentiles.Recorder ackMicros = new Percentiles.Recorder();
  private final Percentiles.Recorder resultMicros = new Percentiles.Recorder();

  /**
   * @param callConnections the connections for acks, results and heartbeats; the long polls get one connection per
   *                        claim loop of their own, so waiting claims never hold up an ack
   */
  SimulatedAgents(Vertx vertx, URI base, List<Agent> agents, int claimMax, int waitSeconds, int loopsPerAgent,
                  int callConnections, boolean batched, boolean chained) {
    this(vertx, List.of(base), agents, claimMax, waitSeconds, loopsPerAgent, callConnections, batched, chained);
  }

  /** Agents whose calls take the {@code nodes} in turn: any node serves any agent. */
  SimulatedAgents(Vertx vertx, List<URI> nodes, List<Agent> agents, int claimMax, int waitSeconds,
                  int loopsPerAgent, int callConnections, boolean batched, boolean chained) {
    this.batched = batched;
    this.chained = chained;
    this.vertx = vertx;
    this.agents = agents;
    this.claimMax = claimMax;
    this.waitSeconds = waitSeconds;
    this.loopsPerAgent = loopsPerAgent;
    this.claims = new ArbiterApi(vertx, nodes, agents.size() * loopsPerAgent);
    this.calls = new ArbiterApi(vertx, nodes, callConnections);
  }

  /** Registers every agent with the admin token: capability {@code bench}, the given capacity. */
  Future<Void> register(String adminToken, int capacity) {
    return register(calls, agents, adminToken, capacity, TaskBenchmark.TASK_TYPE);
  }

  /** Registers {@code agents} with the admin token: capability {@code taskType}, the given capacity. */
  static Future<Void> register(ArbiterApi api, List<Agent> agents, String adminToken, int capacity, String taskType) {
    List<Future<Void>> all = new ArrayList<>();
    for (Agent agent : agents) {
      JsonObject body = new JsonObject().put("id", agent.id()).put("name", "Benchmark " + agent.id())
          .put("modelFamily", "script").put("maxConcurrentTasks", capacity)
          .put("capabilities", new JsonObject().put("taskTypes", new JsonArray().add(taskType)));
      all.add(api.post("/agents", adminToken, body, CALL_TIMEOUT_MS).compose(r -> r.statusCode() == 201
          ? Future.succeededFuture()
          : Future.failedFuture("registering " + agent.id() + " answered " + r.statusCode() + ": "
              + ArbiterApi.text(r))));
    }
    return Future.all(all).mapEmpty();
  }

  /** Batched agents claim with {@code ack=true} and report each claim's tasks in one result batch (see the field). */
  SimulatedAgents ackOnClaim() {
    this.ackOnClaim = true;
    return this;
  }

  /**
   * Reports this share of the (non-chained) deliveries {@code failed} instead of succeeded, so that tasks with
   * attempts left are retried (default 0).
   */
  void failSome(double share) {
    this.failureShare = share;
  }

  /** Results reported {@code failed} and answered 200. */
  long failedReports() {
    return failedReports.sum();
  }

  /**
   * The client-side times (microseconds) of claims that returned work, acks and results since the last call, by
   * kind; these calls' samples no longer count in {@link #callTimes()}.
   */
  Map<String, long[]> drainCallMicros() {
    return Map.of("claim", claimMicros.drain(), "ack", ackMicros.drain(), "result", resultMicros.drain());
  }

  /** Called with the task id each time a result is recorded and the task reported succeeded. */
  void onSucceeded(Consumer<String> listener) {
    this.onSucceeded = listener;
  }

  void start() {
    running = true;
    for (Agent agent : agents) {
      timers.add(vertx.setPeriodic(HEARTBEAT_MS, id -> heartbeat(agent)));
      for (int i = 0; i < loopsPerAgent; i++) {
        loops.add(Loop.repeat(() -> claimOnce(agent)));
      }
    }
  }

  /** Stops claiming; completes when every loop has returned (a long poll may take up to its wait). */
  Future<Void> stop() {
    running = false;
    timers.forEach(vertx::cancelTimer);
    return Future.join(loops).transform(ar -> Future.succeededFuture());
  }

  void close() {
    claims.close();
    calls.close();
  }

  long deliveries() {
    return deliveries.sum();
  }

  /** Tasks with a (taskId, attempt) delivered more than once, to the same agent or to another. */
  long doubled() {
    return doubledTasks.size();
  }

  long distinctTasksDelivered() {
    return deliveredTo.keySet().stream().map(k -> k.substring(0, k.indexOf('#'))).distinct().count();
  }

  long succeeded() {
    return succeeded.sum();
  }

  /** {@link System#nanoTime()} when the last result answered "succeeded", or 0. */
  long lastSucceededNanos() {
    return lastSucceededNanos.get();
  }

  /** Client-side p50/p99 of the agents' calls: claims that returned work (not the empty long polls), acks, results. */
  String callTimes() {
    return "claim " + Percentiles.of(claimMicros.toArray()).millis(50, 99)
        + "; ack " + Percentiles.of(ackMicros.toArray()).millis(50, 99)
        + "; result " + Percentiles.of(resultMicros.toArray()).millis(50, 99);
  }

  private Future<Boolean> claimOnce(Agent agent) {
    if (!running) {
      return Future.succeededFuture(false);
    }
    String path = "/agents/" + agent.id() + "/claim?wait=" + waitSeconds + "&max=" + claimMax
        + (chained || ackOnClaim ? "&ack=true" : "");
    long sent = System.nanoTime();
    return claims.post(path, agent.token(), null, (waitSeconds + 15) * 1000L).transform(ar -> {
      if (ar.failed()) {
        errors.add("claim " + failureKind(ar.cause()), ar.cause().getMessage());
        return pause();
      }
      HttpResponse<Buffer> response = ar.result();
      if (response.statusCode() == 204) {
        return Future.succeededFuture(true);
      }
      if (response.statusCode() == 429) {
        // more loops than the server lets one agent keep waiting (tasks.maxWaitingClaims): back off, as an agent should
        return pause();
      }
      if (response.statusCode() != 200) {
        errors.add("claim " + response.statusCode(), ArbiterApi.text(response));
        return pause();
      }
      claimMicros.add((System.nanoTime() - sent) / 1000);
      JsonArray tasks = ArbiterApi.json(response).getJsonArray("tasks", new JsonArray());
      if (tasks.isEmpty()) {
        errors.add("claim 200 without tasks", ArbiterApi.text(response));
      } else if (tasks.size() > claimMax) {
        errors.add("claim returned more than max", "max " + claimMax + ", got " + tasks.size());
      }
      if (batched && (tasks.size() > 1 || ackOnClaim)) {
        return completeAll(agent, tasks).transform(done -> Future.succeededFuture(true));
      }
      List<Future<Void>> work = new ArrayList<>(tasks.size());
      for (int i = 0; i < tasks.size(); i++) {
        work.add(complete(agent, tasks.getJsonObject(i)));
      }
      return Future.join(work).transform(done -> Future.succeededFuture(true));
    });
  }

  /** Ack, then report the attempt succeeded (chained: report it and take the next task with the answer). */
  private Future<Void> complete(Agent agent, JsonObject delivery) {
    if (!delivered(agent, delivery)) {
      return Future.succeededFuture();
    }
    if (chained) {
      return reportAndTakeNext(agent, delivery);
    }
    String taskId = delivery.getString("taskId");
    Integer attempt = delivery.getInteger("attempt");
    String id = taskId.toLowerCase(Locale.ROOT);
    String base = "/agents/" + agent.id() + "/tasks/" + taskId;
    JsonObject ref = new JsonObject().put("attempt", attempt);
    boolean failing = failureShare > 0 && ThreadLocalRandom.current().nextDouble() < failureShare;
    JsonObject outcome = failing
        ? new JsonObject().put("attempt", attempt).put("outcome", "failed").put("error", "simulated failure")
        : new JsonObject().put("attempt", attempt).put("outcome", "succeeded").put("quality", 0.9)
            .put("filesChanged", 3).put("linesChanged", 120);
    long acking = System.nanoTime();
    return call(() -> calls.post(base + "/ack", agent.token(), ref, CALL_TIMEOUT_MS)).compose(ack -> {
      long reporting = System.nanoTime();
      ackMicros.add((reporting - acking) / 1000);
      if (ack.statusCode() != 200) {
        errors.add("ack " + ack.statusCode(), ArbiterApi.text(ack));
        return Future.<Void>succeededFuture();
      }
      return call(() -> calls.post(base + "/result", agent.token(), outcome, CALL_TIMEOUT_MS)).map(result -> {
        resultMicros.add((System.nanoTime() - reporting) / 1000);
        String state = ArbiterApi.json(result).getString("state");
        if (failing && result.statusCode() == 200) {
          failedReports.increment();
        } else if (result.statusCode() == 200 && "succeeded".equals(state)) {
          succeeded.increment();
          lastSucceededNanos.accumulateAndGet(System.nanoTime(), Math::max);
          onSucceeded.accept(id);
        } else if (result.statusCode() == 200) {
          errors.add("result 200 with state " + state, ArbiterApi.text(result));
        } else {
          errors.add("result " + result.statusCode(), ArbiterApi.text(result));
        }
        return null;
      });
    }).recover(e -> {
      errors.add("ack/result " + failureKind(e), e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** The result of an acknowledged delivery with {@code next=1}; the task it brings is worked the same way. */
  private Future<Void> reportAndTakeNext(Agent agent, JsonObject delivery) {
    String taskId = delivery.getString("taskId");
    Integer attempt = delivery.getInteger("attempt");
    if (!"running".equals(delivery.getString("state"))) {
      errors.add("chained delivery not running", delivery.encode());
    }
    JsonObject outcome = new JsonObject().put("attempt", attempt).put("outcome", "succeeded").put("quality", 0.9)
        .put("filesChanged", 3).put("linesChanged", 120);
    String path = "/agents/" + agent.id() + "/tasks/" + taskId + "/result?next=1";
    long reporting = System.nanoTime();
    return call(() -> calls.post(path, agent.token(), outcome, CALL_TIMEOUT_MS)).compose(result -> {
      resultMicros.add((System.nanoTime() - reporting) / 1000);
      JsonObject answer = ArbiterApi.json(result);
      if (result.statusCode() == 200 && "succeeded".equals(answer.getString("state"))) {
        succeeded.increment();
        lastSucceededNanos.accumulateAndGet(System.nanoTime(), Math::max);
        onSucceeded.accept(taskId.toLowerCase(Locale.ROOT));
      } else {
        errors.add("result " + result.statusCode(), ArbiterApi.text(result));
      }
      JsonArray next = answer.getJsonArray("next", new JsonArray());
      List<Future<Void>> work = new ArrayList<>(next.size());
      for (int i = 0; i < next.size(); i++) {
        work.add(complete(agent, next.getJsonObject(i)));
      }
      return Future.join(work).<Void>mapEmpty();
    }).recover(e -> {
      errors.add("result " + failureKind(e), e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Records a delivery; false when it has no task id or attempt. */
  private boolean delivered(Agent agent, JsonObject delivery) {
    String taskId = delivery.getString("taskId");
    Integer attempt = delivery.getInteger("attempt");
    if (taskId == null || attempt == null) {
      errors.add("delivery without taskId or attempt", delivery.encode());
      return false;
    }
    String id = taskId.toLowerCase(Locale.ROOT);
    deliveries.increment();
    if (deliveredTo.putIfAbsent(id + "#" + attempt, agent.id()) != null) {
      doubledTasks.add(id);
    }
    return true;
  }

  /**
   * One ack batch for all of a claim's deliveries, then one result batch for those acknowledged; with
   * {@link #ackOnClaim} the deliveries are already running and only the result batch is sent.
   */
  private Future<Void> completeAll(Agent agent, JsonArray deliveries) {
    JsonArray refs = new JsonArray();
    for (int i = 0; i < deliveries.size(); i++) {
      JsonObject delivery = deliveries.getJsonObject(i);
      if (!delivered(agent, delivery)) {
        continue;
      }
      if (ackOnClaim && !"running".equals(delivery.getString("state"))) {
        errors.add("delivery of a claim with ack=true not running", delivery.encode());
        continue;
      }
      refs.add(new JsonObject().put("taskId", delivery.getString("taskId"))
          .put("attempt", delivery.getInteger("attempt")));
    }
    if (ackOnClaim) {
      return reportAll(agent, refs).recover(e -> {
        errors.add("result batch " + failureKind(e), e.getMessage());
        return Future.succeededFuture();
      });
    }
    String base = "/agents/" + agent.id();
    long acking = System.nanoTime();
    return call(() -> calls.post(base + "/ack-batches", agent.token(), new JsonObject().put("tasks", refs),
        CALL_TIMEOUT_MS)).compose(ack -> {
          ackMicros.add((System.nanoTime() - acking) / 1000);
          if (ack.statusCode() != 200) {
            errors.add("ack batch " + ack.statusCode(), ArbiterApi.text(ack));
            return Future.<Void>succeededFuture();
          }
          JsonArray acked = new JsonArray();
          for (Object o : ArbiterApi.json(ack).getJsonArray("items")) {
            JsonObject item = (JsonObject) o;
            if (item.getInteger("status") != 200) {
              errors.add("ack item " + item.getInteger("status"), item.encode());
            } else {
              acked.add(new JsonObject().put("taskId", item.getString("taskId"))
                  .put("attempt", item.getInteger("attempt")));
            }
          }
          return reportAll(agent, acked);
        }).recover(e -> {
          errors.add("ack/result batch " + failureKind(e), e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** One result batch reporting each of {@code refs} ({taskId, attempt}) succeeded. */
  private Future<Void> reportAll(Agent agent, JsonArray refs) {
    if (refs.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray results = new JsonArray();
    for (Object o : refs) {
      JsonObject ref = (JsonObject) o;
      results.add(ref.copy().put("outcome", "succeeded").put("quality", 0.9).put("filesChanged", 3)
          .put("linesChanged", 120));
    }
    long reporting = System.nanoTime();
    return call(() -> calls.post("/agents/" + agent.id() + "/result-batches", agent.token(),
        new JsonObject().put("results", results), CALL_TIMEOUT_MS)).map(reply -> {
          resultMicros.add((System.nanoTime() - reporting) / 1000);
          if (reply.statusCode() != 200) {
            errors.add("result batch " + reply.statusCode(), ArbiterApi.text(reply));
            return null;
          }
          for (Object o : ArbiterApi.json(reply).getJsonArray("items")) {
            JsonObject item = (JsonObject) o;
            if (item.getInteger("status") == 200 && "succeeded".equals(item.getString("state"))) {
              succeeded.increment();
              lastSucceededNanos.accumulateAndGet(System.nanoTime(), Math::max);
              onSucceeded.accept(item.getString("taskId").toLowerCase(Locale.ROOT));
            } else {
              errors.add("result item " + item.getInteger("status") + " " + item.getString("state"), item.encode());
            }
          }
          return null;
        });
  }

  /** One call, tried again (up to 5 times in all) on a transport failure or a 503 (an open circuit breaker). */
  private Future<HttpResponse<Buffer>> call(Supplier<Future<HttpResponse<Buffer>>> send) {
    return call(send, 1);
  }

  private Future<HttpResponse<Buffer>> call(Supplier<Future<HttpResponse<Buffer>>> send, int attempt) {
    return send.get().transform(ar -> {
      boolean again = ar.failed() || ar.result().statusCode() == 503;
      if (!again || attempt >= CALL_ATTEMPTS) {
        return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
      }
      errors.add("retried " + (ar.failed() ? failureKind(ar.cause()) : "503"), null);
      return vertx.timer(100L * attempt).compose(v -> call(send, attempt + 1));
    });
  }

  private void heartbeat(Agent agent) {
    calls.post("/agents/" + agent.id() + "/heartbeat", agent.token(), null, CALL_TIMEOUT_MS).onComplete(ar -> {
      if (ar.failed()) {
        errors.add("agent heartbeat " + failureKind(ar.cause()), ar.cause().getMessage());
      } else if (ar.result().statusCode() != 200) {
        errors.add("agent heartbeat " + ar.result().statusCode(), ArbiterApi.text(ar.result()));
      }
    });
  }

  private Future<Boolean> pause() {
    return vertx.timer(200).map(v -> running);
  }

  static String failureKind(Throwable e) {
    return e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")
        ? "timeout" : e.getClass().getSimpleName();
  }
}
