package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.http.auth.Role;
import io.arbiter.support.LocalCluster;
import io.arbiter.support.StoppableDatabase;
import io.arbiter.support.TestApp;
import io.arbiter.support.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.Awaitility;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The chaos suite: one scenario at a time, the fat jar runs against a PostgreSQL that the suite owns, under
 * a steady load of submissions (one per request) and simulated agents that claim, ack and report over HTTP. A fault
 * is injected partway through; afterwards the suite waits until every accepted task has finished and checks the
 * database: an accepted task that is missing is <em>lost</em>; a task delivered twice for one attempt, or recorded
 * successful twice, is <em>doubled</em>. It prints, per scenario: accepted, buffered (answered 202 from the outage
 * journal), replayed (journal items that landed), completed, lost, doubled and the recovery time (from the end of the
 * fault until readiness is UP with an empty journal, or for the agent faults, until the abandoned task succeeded).
 *
 * <p>{@code bench/chaos.sh} runs it; {@code ChaosIT} runs short versions of every scenario in the test suite.
 */
@Command(name = "bench/chaos.sh", mixinStandardHelpOptions = true,
    description = "Arbiter's chaos scenarios: faults under load; prints accepted, buffered, replayed, completed, lost, "
        + "doubled and the recovery time")
public final class Chaos implements Callable<Integer> {

  static final String SPECIAL_TYPE = "chaos-special";

  /** The faults. */
  enum Scenario {
    POSTGRES_STOP("PostgreSQL stopped, then started again"),
    TERMINATE_BACKENDS("every Arbiter connection killed with pg_terminate_backend"),
    SIGKILL("Arbiter killed with SIGKILL while items sit in its journal, then restarted"),
    POOL_EXHAUSTION("slow queries hold every connection (a lock on tasks)"),
    AGENT_CRASH("an agent crashes mid-task"),
    AGENT_STUCK("an agent heartbeats its task but never finishes it"),
    NODE_KILLED("two clustered nodes; one, holding a REST agent and a JavaScript bridge agent, killed with SIGKILL",
        2),
    POSTGRES_STOP_CLUSTERED("two clustered nodes; PostgreSQL stopped, then started again", 2);

    final String description;
    /** Arbiter processes on the one database: with 2, they are clustered, and load and agents go to both. */
    final int nodes;

    Scenario(String description) {
      this(description, 1);
    }

    Scenario(String description, int nodes) {
      this.description = description;
      this.nodes = nodes;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** How hard and how long: {@code rate} submissions per second for {@code load}; the fault at {@code faultAt}. */
  record Settings(Path jar, int rate, Duration load, Duration faultAt, Duration faultFor, int agents) {}

  /** What one scenario came to. */
  record Report(Scenario scenario, long accepted, long buffered, long refused, long replayed, long completed,
                long dead, long unfinished, long lost, long doubled, double recoverySeconds, boolean agentsMoved) {

    /** Nothing lost, doubled or left unfinished, and (node-killed) the bridge agent moved to the surviving node. */
    boolean clean() {
      return lost == 0 && doubled == 0 && unfinished == 0 && agentsMoved;
    }

    static String header() {
      return String.format("%-24s %9s %9s %8s %9s %10s %5s %11s %5s %8s %11s", "scenario", "accepted", "buffered",
          "refused", "replayed", "completed", "dead", "unfinished", "lost", "doubled", "recovery_s");
    }

    String row() {
      return String.format(Locale.ROOT, "%-24s %9d %9d %8d %9d %10d %5d %11d %5d %8d %11.1f", scenario.label(),
          accepted, buffered, refused, replayed, completed, dead, unfinished, lost, doubled, recoverySeconds);
    }
  }

  @Option(names = "--scenario", split = ",", defaultValue = "all",
      description = "all, or any of: postgres-stop, terminate-backends, sigkill, pool-exhaustion, agent-crash, "
          + "agent-stuck, node-killed, postgres-stop-clustered")
  private List<String> scenarios;

  @Option(names = "--rate", defaultValue = "100", description = "submissions per second (default ${DEFAULT-VALUE})")
  private int rate;

  @Option(names = "--seconds", defaultValue = "30", description = "seconds of load (default ${DEFAULT-VALUE})")
  private int seconds;

  @Option(names = "--fault-at", defaultValue = "5", description = "second of the load the fault starts at")
  private int faultAt;

  @Option(names = "--fault-for", defaultValue = "10", description = "seconds the fault lasts (default ${DEFAULT-VALUE})")
  private int faultFor;

  @Option(names = "--agents", defaultValue = "4", description = "simulated agents (default ${DEFAULT-VALUE})")
  private int agents;

  @Option(names = "--jar", defaultValue = "target/arbiter.jar", description = "the fat jar to run")
  private Path jar;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Chaos()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Scenario> chosen = scenarios.contains("all") ? List.of(Scenario.values())
        : scenarios.stream().map(s -> Scenario.valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'))).toList();
    Settings settings = new Settings(jar, rate, Duration.ofSeconds(seconds), Duration.ofSeconds(faultAt),
        Duration.ofSeconds(faultFor), agents);
    System.out.printf("chaos: %d submissions/s for %d s, fault at %d s for %d s, %d agents; %d CPUs%n", rate, seconds,
        faultAt, faultFor, agents, Runtime.getRuntime().availableProcessors());
    List<Report> reports = new ArrayList<>();
    for (Scenario scenario : chosen) {
      System.out.println("... " + scenario.label() + ": " + scenario.description);
      reports.add(run(scenario, settings));
    }
    System.out.println();
    System.out.println(Report.header());
    reports.forEach(r -> System.out.println(r.row()));
    return reports.stream().allMatch(Report::clean) ? 0 : 1;
  }

  /**
   * Runs one scenario on a fresh database and a fresh Arbiter. The server's data directory (its log, its journal) is
   * deleted after a clean scenario and kept, its path printed, otherwise.
   */
  static Report run(Scenario scenario, Settings settings) throws Exception {
    Report report = null;
    Run kept = null;
    try (StoppableDatabase database = StoppableDatabase.start(); Run run = new Run(scenario, settings, database)) {
      kept = run;
      report = run.execute();
      return report;
    } finally {
      if (kept != null) {
        if (report != null && report.clean()) {
          kept.deleteDataDir();
        } else {
          System.out.println("[chaos] " + scenario.name() + ": server data and log kept in " + kept.dataDir
              + (kept.peerDataDir != null ? " and " + kept.peerDataDir : ""));
        }
      }
    }
  }

  /** One scenario's processes, load and bookkeeping. */
  private static final class Run implements AutoCloseable {

    private final Scenario scenario;
    private final Settings settings;
    private final StoppableDatabase database;
    private final Vertx vertx = Vertx.vertx();
    /** Health and metrics reads, on the server's port (kept across a restart). */
    private final HttpClient probe = vertx.createHttpClient();
    private final Path dataDir;
    private final int port;
    private final String secret = ArbiterProcess.randomSecret(48);
    private final Tokens tokens;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final LongAdder buffered = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final Tally refusals = new Tally();
    private final AtomicLong faultEnded = new AtomicLong();
    private final AtomicLong specialDone = new AtomicLong();
    private volatile boolean submitting = true;
    private ArbiterProcess server;
    private ArbiterApi api;
    private SimulatedAgents simulated;
    /** The second node of a clustered scenario, its load and its agent. */
    private final Path peerDataDir;
    private final int peerPort;
    /** The two nodes' cluster, in a clustered scenario; null otherwise. */
    private final LocalCluster cluster;
    private ArbiterProcess peer;
    private ArbiterApi peerApi;
    private SimulatedAgents peerAgents;
    private volatile boolean peerUp;
    /** The JavaScript agent example over the bridge, connected to the second node first (node-killed only). */
    private Process bridgeAgent;
    private Path bridgeAgentLog;
    private Pool sql;
    private String specialTask;

    Run(Scenario scenario, Settings settings, StoppableDatabase database) throws Exception {
      this.scenario = scenario;
      this.settings = settings;
      this.database = database;
      this.dataDir = Files.createTempDirectory("arbiter-chaos");
      this.port = ArbiterProcess.freePort();
      this.tokens = new Tokens(vertx, new ArbiterConfig.Auth(secret, "", "", 5));
      if (scenario.nodes > 1) {
        this.peerDataDir = Files.createTempDirectory("arbiter-chaos-peer");
        this.peerPort = ArbiterProcess.freePort();
        this.cluster = new LocalCluster("chaos", 2);
      } else {
        this.peerDataDir = null;
        this.peerPort = -1;
        this.cluster = null;
      }
    }

    private void startServer() throws Exception {
      server = ArbiterProcess.start(settings.jar(), List.of("-Xmx512m"), Duration.ofSeconds(90), dataDir, port, secret,
          nodeSettings(0));
    }

    private void startPeer() throws Exception {
      peer = ArbiterProcess.start(settings.jar(), List.of("-Xmx512m"), Duration.ofSeconds(90), peerDataDir, peerPort,
          secret, nodeSettings(1));
      peerUp = true;
    }

    private Map<String, String> nodeSettings(int node) {
      Map<String, String> env = new java.util.HashMap<>(Map.ofEntries(
              Map.entry("ARBITER_DB_URL", database.url()),
              Map.entry("ARBITER_DB_CONNECT_TIMEOUT_MS", "1000"),
              Map.entry("ARBITER_BREAKER_TIMEOUT_MS", "2000"),
              Map.entry("ARBITER_BREAKER_RESET_TIMEOUT_MS", "1000"),
              Map.entry("ARBITER_JOURNAL_REPLAY_INTERVAL_MS", "250"),
              Map.entry("ARBITER_TASKS_ACK_TIMEOUT_MS", "3000"),
              Map.entry("ARBITER_TASKS_LEASE_MS", "3000"),
              Map.entry("ARBITER_TASKS_MAX_ATTEMPTS_LIMIT", "50"),
              Map.entry("ARBITER_TASKS_BACKOFF_BASE_MS", "100"),
              Map.entry("ARBITER_TASKS_BACKOFF_CAP_MS", "1000"),
              Map.entry("ARBITER_TASKS_RESCUE_INTERVAL_MS", "250"),
              Map.entry("ARBITER_TASKS_CLAIM_POLL_MS", "500"),
              Map.entry("ARBITER_REGISTRY_HEARTBEAT_WINDOW_MS", "5000"),
              Map.entry("ARBITER_REGISTRY_SWEEP_INTERVAL_MS", "500")));
      if (cluster != null) {
        env.putAll(cluster.environment(node));
      }
      return env;
    }

    Report execute() throws Exception {
      startServer();
      URI base = URI.create(server.baseUrl());
      api = new ArbiterApi(vertx, base, 16);
      sql = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(
          database.url())).using(vertx).build();
      List<SimulatedAgents.Agent> agents = new ArrayList<>();
      for (int i = 1; i <= settings.agents(); i++) {
        agents.add(new SimulatedAgents.Agent("chaos-" + i, tokens.of("chaos", Role.AGENT, "chaos-" + i)));
      }
      simulated = new SimulatedAgents(vertx, base, agents, 4, 1, 2, 8, false, false);
      await(simulated.register(tokens.of("chaos", Role.ADMIN, "chaos-admin"), 16));
      simulated.start();
      if (scenario.nodes > 1) {
        startPeer();
        URI peerBase = URI.create(peer.baseUrl());
        peerApi = new ArbiterApi(vertx, peerBase, 16);
        peerAgents = new SimulatedAgents(vertx, peerBase, List.of(new SimulatedAgents.Agent("chaos-peer",
            tokens.of("chaos", Role.AGENT, "chaos-peer"))), 4, 1, 2, 4, false, false);
        await(peerAgents.register(tokens.of("chaos", Role.ADMIN, "chaos-admin"), 16));
        peerAgents.start();
        if (scenario == Scenario.NODE_KILLED) {
          startBridgeAgent(peer.baseUrl() + "," + server.baseUrl());
        }
      }

      long periodNanos = 1_000_000_000L / settings.rate();
      Thread submitter = new Thread(() -> submitSteadily(periodNanos), "chaos-submitter");
      long loadEnds = System.nanoTime() + settings.load().toNanos();
      submitter.start();
      Thread.sleep(settings.faultAt().toMillis());
      double recovery = fault();
      long left = TimeUnit.NANOSECONDS.toMillis(loadEnds - System.nanoTime());
      if (left > 0) {
        Thread.sleep(left);
      }
      submitting = false;
      submitter.join();

      if (!refusals.isEmpty()) {
        System.out.println("    refused submissions: " + refusals);
      }
      long finished = awaitFinished(Duration.ofSeconds(120));
      if (bridgeAgent != null) {
        System.out.println("    " + bridgeSummary());
      }
      simulated.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (peerAgents != null) {
        peerAgents.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      return report(recovery, finished);
    }

    /**
     * The JavaScript agent example (examples/js-agent, its npm dependencies installed) over the event-bus bridge,
     * taking the nodes of {@code urls} in turn as each goes away.
     */
    private void startBridgeAgent(String urls) throws Exception {
      Path example = Path.of("examples/js-agent");
      if (!Files.exists(example.resolve("node_modules/@arbiter/client/dist/index.js"))) {
        throw new IllegalStateException("run npm ci in clients/typescript, then in " + example
            + " (.ci/run does): the bridge agent needs them");
      }
      bridgeAgentLog = dataDir.resolve("bridge-agent.out");
      ProcessBuilder builder = new ProcessBuilder("node", "agent.js").directory(example.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(bridgeAgentLog.toFile()));
      builder.environment().putAll(Map.of("ARBITER_URL", urls, "ARBITER_TOKEN",
          tokens.of("chaos", Role.AGENT, "chaos-js"), "AGENT_ID", "chaos-js", "TASK_TYPES", TaskBenchmark.TASK_TYPE,
          "CAPACITY", "4", "WORK_MS", "200", "HEARTBEAT_MS", "500", "RECONNECT_MS", "200"));
      bridgeAgent = builder.start();
      TestApp.eventually(Duration.ofSeconds(30), "the bridge agent connects or exits",
          () -> !bridgeAgent.isAlive() || bridgeLines().stream().anyMatch(l -> l.startsWith("CONNECTED")));
      if (!bridgeAgent.isAlive()) {
        throw new IllegalStateException("the bridge agent exited: " + bridgeLines());
      }
    }

    private List<String> bridgeLines() {
      try {
        return bridgeAgentLog == null || !Files.exists(bridgeAgentLog) ? List.of()
            : Files.readAllLines(bridgeAgentLog);
      } catch (java.io.IOException e) {
        return List.of();
      }
    }

    /** How the bridge agent fared: tasks done on each connection, and whether it moved to the surviving node. */
    String bridgeSummary() {
      List<String> lines = bridgeLines();
      int connections = 0;
      List<Integer> done = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("CONNECTED")) {
          connections++;
          done.add(0);
        } else if (line.startsWith("DONE") && !done.isEmpty()) {
          done.set(done.size() - 1, done.get(done.size() - 1) + 1);
        }
      }
      return "bridge agent: " + connections + " connection(s), tasks done on each " + done;
    }

    boolean bridgeAgentMoved() {
      String survivor = "CONNECTED chaos-js " + server.baseUrl();
      return bridgeLines().stream().anyMatch(l -> l.startsWith(survivor));
    }

    private void submitSteadily(long periodNanos) {
      String token = tokens.of("chaos", Role.SUBMITTER, "chaos-client");
      long next = System.nanoTime();
      int n = 0;
      while (submitting) {
        JsonObject task = new JsonObject().put("type", TaskBenchmark.TASK_TYPE).put("maxAttempts", 20)
            .put("payload", new JsonObject().put("n", n++));
        ArbiterApi node = peerUp && n % 2 == 0 ? peerApi : api;
        node.post("/tasks", token, task, 20_000).onComplete(ar -> {
          if (ar.succeeded() && (ar.result().statusCode() == 202 || ar.result().statusCode() == 200)) {
            JsonObject body = ArbiterApi.json(ar.result());
            accepted.add(body.getString("id").toLowerCase(Locale.ROOT));
            if (body.getBoolean("buffered", false)) {
              buffered.increment();
            }
          } else {
            refused.increment();
            String which = node == peerApi ? "second node " : "";
            if (ar.succeeded()) {
              refusals.add("submit to " + which + "answered " + ar.result().statusCode(), ArbiterApi.text(ar.result()));
            } else {
              refusals.add("submit to " + which + "failed: " + ar.cause().getClass().getSimpleName(),
                  ar.cause().getMessage());
            }
          }
        });
        next += periodNanos;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(sleep);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    /** Injects the fault; answers the recovery time in seconds. */
    private double fault() throws Exception {
      long faultMs = settings.faultFor().toMillis();
      switch (scenario) {
        case POSTGRES_STOP, POSTGRES_STOP_CLUSTERED -> {
          database.stop();
          Thread.sleep(faultMs);
          database.resume();
        }
        case NODE_KILLED -> {
          peerUp = false;
          peer.kill();
          Thread.sleep(faultMs);
        }
        case TERMINATE_BACKENDS -> {
          long end = System.currentTimeMillis() + faultMs;
          do {
            terminateBackends();
            Thread.sleep(Math.min(1000, faultMs));
          } while (System.currentTimeMillis() < end);
        }
        case SIGKILL -> {
          database.stop();
          Thread.sleep(faultMs / 2);
          long journaled = buffered.sum();
          server.kill();
          database.resume();
          Thread.sleep(faultMs / 2);
          startServer();
          System.out.printf("    killed with %d submission(s) answered from the journal; restarted in %.1f s%n",
              journaled, server.startup().toMillis() / 1000.0);
        }
        case POOL_EXHAUSTION -> holdLockOnTasks(faultMs);
        case AGENT_CRASH, AGENT_STUCK -> {
          return faultyAgent(faultMs);
        }
      }
      faultEnded.set(System.nanoTime());
      return awaitRecovered();
    }

    private void terminateBackends() {
      await(sql.query("""
          SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND application_name NOT LIKE 'chaos%'""").execute());
    }

    /** Takes an exclusive lock on tasks for {@code ms}: every statement on tasks waits, holding its connection. */
    private void holdLockOnTasks(long ms) {
      await(sql.withTransaction(connection -> connection.query("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE").execute()
          .compose(v -> connection.query("SELECT pg_sleep(" + ms / 1000.0 + ")").execute())));
    }

    /**
     * An agent takes one task of its own type and then crashes (no more calls) or hangs (it keeps extending the lease
     * and never reports); a healthy agent joins. Answers seconds until the task succeeded elsewhere.
     */
    private double faultyAgent(long faultMs) throws Exception {
      String admin = tokens.of("chaos", Role.ADMIN, "chaos-admin");
      String faulty = "chaos-faulty";
      String faultyToken = tokens.of("chaos", Role.AGENT, faulty);
      JsonObject registration = new JsonObject().put("id", faulty).put("name", "faulty").put("modelFamily", "script")
          .put("maxConcurrentTasks", 1)
          .put("capabilities", new JsonObject().put("taskTypes", new JsonArray().add(SPECIAL_TYPE)));
      check(await(api.post("/agents", admin, registration, 10_000)), 201, "register the faulty agent");
      JsonObject special = new JsonObject().put("type", SPECIAL_TYPE).put("maxAttempts", 20)
          .put("payload", new JsonObject().put("special", true));
      if (scenario == Scenario.AGENT_STUCK) {
        special.put("timeoutMs", 2000);
      }
      HttpResponse<Buffer> submitted = await(api.post("/tasks", tokens.of("chaos", Role.SUBMITTER, "chaos-client"),
          special, 10_000));
      check(submitted, 202, "submit the special task");
      specialTask = ArbiterApi.json(submitted).getString("id");
      accepted.add(specialTask.toLowerCase(Locale.ROOT));
      HttpResponse<Buffer> claim = await(api.post("/agents/" + faulty + "/claim?wait=10", faultyToken, null, 20_000));
      check(claim, 200, "the faulty agent's claim");
      JsonObject delivery = ArbiterApi.json(claim).getJsonArray("tasks").getJsonObject(0);
      String path = "/agents/" + faulty + "/tasks/" + delivery.getString("taskId");
      JsonObject ref = new JsonObject().put("attempt", delivery.getInteger("attempt"));
      check(await(api.post(path + "/ack", faultyToken, ref, 10_000)), 200, "the faulty agent's ack");
      long faultStarted = System.nanoTime();
      long hanging = scenario == Scenario.AGENT_STUCK
          ? vertx.setPeriodic(500, id -> api.post(path + "/heartbeat", faultyToken, ref, 10_000)) : -1;

      String healthy = "chaos-healthy";
      String healthyToken = tokens.of("chaos", Role.AGENT, healthy);
      check(await(api.post("/agents", admin, registration.copy().put("id", healthy).put("name", "healthy"), 10_000)),
          201, "register the healthy agent");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && specialDone.get() == 0) {
        HttpResponse<Buffer> work = await(api.post("/agents/" + healthy + "/claim?wait=1&max=1", healthyToken, null,
            20_000));
        if (work.statusCode() != 200) {
          continue;
        }
        JsonObject d = ArbiterApi.json(work).getJsonArray("tasks").getJsonObject(0);
        String p = "/agents/" + healthy + "/tasks/" + d.getString("taskId");
        JsonObject r = new JsonObject().put("attempt", d.getInteger("attempt"));
        await(api.post(p + "/ack", healthyToken, r, 10_000));
        HttpResponse<Buffer> result = await(api.post(p + "/result", healthyToken,
            r.copy().put("outcome", "succeeded").put("quality", 0.9), 10_000));
        if ("succeeded".equals(ArbiterApi.json(result).getString("state"))) {
          specialDone.set(System.nanoTime());
        }
      }
      if (hanging >= 0) {
        vertx.cancelTimer(hanging);
      }
      faultEnded.set(System.nanoTime());
      return specialDone.get() == 0 ? Double.NaN : (specialDone.get() - faultStarted) / 1e9;
    }

    /**
     * Seconds from the end of the fault until readiness is UP and the journal empty, checked every 100 ms; NaN when it
     * does not recover within 120 s.
     */
    private double awaitRecovered() {
      long slow = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      AtomicLong reportedSlow = new AtomicLong();
      try {
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
            .pollInSameThread().until(() -> {
              JsonObject body = readiness();
              boolean recovered = "UP".equals(body.getString("status")) && body.getLong("buffered", 0L) == 0;
              if (!recovered && System.nanoTime() > slow && reportedSlow.getAndIncrement() == 0) {
                System.out.println("    not recovered 10 s after the fault; readiness: " + body.encode());
              }
              return recovered;
            });
        return (System.nanoTime() - faultEnded.get()) / 1e9;
      } catch (ConditionTimeoutException e) {
        return Double.NaN;
      }
    }

    private JsonObject readiness() {
      try {
        return await(probe
            .request(HttpMethod.GET, port, "localhost", "/health/ready")
            .compose(request -> request.send())
            .compose(response -> response.body())
            .map(buffer -> buffer.toJsonObject()));
      } catch (RuntimeException e) {
        return new JsonObject();
      }
    }

    /** Waits until every accepted task is succeeded, dead or canceled; answers how many are not. */
    private long awaitFinished(Duration timeout) {
      AtomicLong open = new AtomicLong(Long.MAX_VALUE);
      try {
        Awaitility.await("every accepted task ended").atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(500)).until(() -> {
              open.set(unfinished());
              return open.get() == 0;
            });
      } catch (ConditionTimeoutException e) {
        // answered below: how many are still open
      }
      return open.get();
    }

    private long unfinished() {
      Row row = await(sql.preparedQuery("""
          SELECT count(*) FILTER (WHERE t.id IS NULL OR t.state NOT IN ('succeeded', 'dead', 'canceled')) AS open
          FROM unnest($1::uuid[]) AS a(id) LEFT JOIN tasks t ON t.id = a.id""")
          .execute(Tuple.tuple().addArrayOfUUID(ids()))).iterator().next();
      return row.getLong("open");
    }

    private java.util.UUID[] ids() {
      return accepted.stream().map(java.util.UUID::fromString).toArray(java.util.UUID[]::new);
    }

    private Report report(double recovery, long unfinished) {
      Row row = await(sql.preparedQuery("""
          SELECT count(*) FILTER (WHERE t.id IS NULL) AS lost,
                 count(*) FILTER (WHERE t.state = 'succeeded') AS completed,
                 count(*) FILTER (WHERE t.state = 'dead') AS dead
          FROM unnest($1::uuid[]) AS a(id) LEFT JOIN tasks t ON t.id = a.id""")
          .execute(Tuple.tuple().addArrayOfUUID(ids()))).iterator().next();
      long doubledResults = await(sql.query("""
          SELECT count(*) AS n FROM (SELECT task_id FROM task_results WHERE outcome = 'succeeded'
                                     GROUP BY task_id HAVING count(*) > 1) d""").execute()).iterator().next()
          .getLong("n");
      long replayed = metric(port, "arbiter_journal_replayed_total") + (peerUp ? metric(peerPort,
          "arbiter_journal_replayed_total") : 0);
      long peerDoubled = peerAgents == null ? 0 : peerAgents.doubled();
      return new Report(scenario, accepted.size(), buffered.sum(), refused.sum(), replayed, row.getLong("completed"),
          row.getLong("dead"), unfinished, row.getLong("lost"), doubledResults + simulated.doubled() + peerDoubled,
          recovery, bridgeAgent == null || bridgeAgentMoved());
    }

    /** A counter from a node's /metrics (0 when absent); a restarted server counts from its start. */
    private long metric(int node, String name) {
      try {
        String text = await(probe
            .request(HttpMethod.GET, node, "localhost", "/metrics")
            .compose(request -> request.send()).compose(response -> response.body())).toString();
        return text.lines().filter(l -> l.startsWith(name)).mapToLong(l -> (long) Double.parseDouble(
            l.substring(l.lastIndexOf(' ') + 1))).sum();
      } catch (RuntimeException e) {
        return 0;
      }
    }

    private static void check(HttpResponse<Buffer> response, int status, String what) {
      if (response.statusCode() != status) {
        throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + ArbiterApi.text(response));
      }
    }

    /** Deletes the server's data directory; call after {@link #close}. */
    void deleteDataDir() throws java.io.IOException {
      if (server != null) {
        server.deleteDataDir();
      } else {
        Files.deleteIfExists(dataDir);
      }
      if (peer != null) {
        peer.deleteDataDir();
      } else if (peerDataDir != null) {
        Files.deleteIfExists(peerDataDir);
      }
    }

    @Override
    public void close() {
      submitting = false;
      if (simulated != null) {
        simulated.close();
      }
      if (peerAgents != null) {
        peerAgents.close();
      }
      if (bridgeAgent != null) {
        bridgeAgent.destroyForcibly();
      }
      if (peer != null) {
        peer.close();
      }
      if (server != null) {
        server.close();
      }
      vertx.close();
    }

    private static <T> T await(Future<T> future) {
      try {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
  }
}
