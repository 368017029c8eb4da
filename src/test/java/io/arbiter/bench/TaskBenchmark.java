package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.arbiter.support.LocalCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.Awaitility;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The task benchmark: starts Arbiter (the fat jar on its embedded database) or uses a running one, registers K
 * simulated agents, submits N tasks from C concurrent HTTP clients, lets the agents claim, ack and complete them over
 * HTTP, and prints throughput, latency percentiles (from the database's own timestamps), and the tasks lost or
 * assigned twice. It also measures the ceiling (plain single-row INSERT transactions through a pool, same client
 * concurrency) and prints Arbiter's end-to-end rate as a ratio of it. See bench/README.md.
 */
@Command(name = "bench/tasks.sh", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Arbiter's task throughput, latency and delivery guarantees, measured over HTTP.")
public final class TaskBenchmark implements Callable<Integer> {

  static final String TASK_TYPE = "bench";

  enum Mode { SINGLE, FEWEST, BULK, LATENCY, ALL }

  @Option(names = "--mode", split = ",", defaultValue = "all",
      description = "single, fewest, bulk, latency or all, or several separated by commas (default: all); "
      + "fewest is single mode with the fewest calls: agents claim with ack=true and report with next=1, so a task "
      + "costs two requests (submit, result) instead of four")
  List<Mode> modes;

  @Option(names = "--latency-fewest",
      description = "latency mode with the agents of fewest mode (claims that ack, results that return the next task): "
          + "two requests a task at the offered rate instead of four")
  boolean latencyFewest;

  @Option(names = "--tasks", description = "tasks per run (default: 20000 single, 100000 bulk)")
  Integer tasks;

  @Option(names = "--clients", defaultValue = "16", description = "concurrent HTTP submitters (default: 16)")
  int clients;

  @Option(names = "--agents", defaultValue = "8", description = "simulated agents (default: 8)")
  int agentCount;

  @Option(names = "--agent-capacity", defaultValue = "64", description = "each agent's maxConcurrentTasks (default: 64)")
  int capacity;

  @Option(names = "--batch", defaultValue = "1000", description = "tasks per bulk submit request (default: 1000)")
  int batch;

  @Option(names = "--claim-max", description = "most tasks per claim (default: 64 bulk, 1 single and latency)")
  Integer claimMax;

  @Option(names = "--without-gates",
      description = "submit tasks without a budget and quality gates (by default each task carries both, so every "
          + "result is judged by the result gates and its verdict audited)")
  static boolean withoutGates;

  @Option(names = "--per-task-calls",
      description = "bulk mode: ack and report each task with its own request instead of ack and result batches")
  boolean perTaskCalls;

  @Option(names = "--claim-ack",
      description = "bulk mode: claim with ack=true and report each claim's tasks in one result batch, with no ack "
          + "batch (two calls a claim instead of three)")
  boolean claimAck;

  @Option(names = "--claim-loops", defaultValue = "4", description = "concurrent claim loops per agent (default: 4)")
  int claimLoops;

  @Option(names = "--claim-wait", defaultValue = "5", description = "long-poll seconds per claim (default: 5)")
  int claimWait;

  @Option(names = "--agent-connections",
      description = "HTTP connections shared by all agents' acks and results (default: agents x claim-loops)")
  Integer agentConnections;

  @Mixin
  ServerOptions server;

  @Mixin
  ServerOptions.Running running;

  @Option(names = "--nodes", defaultValue = "1",
      description = "Arbiter processes started on one database, clustered when more than one; submitters and agents "
          + "take them in turn (default: 1)")
  private int nodeCount;

  @Option(names = "--seconds", defaultValue = "5", description = "duration of the ceiling run (default: 5)")
  int ceilingSeconds;

  @Option(names = "--ceiling-pool", defaultValue = "8", description = "connections of the ceiling's pool (default: 8)")
  int ceilingPool;

  @Option(names = "--latency-tasks", defaultValue = "200",
      description = "tasks submitted one at a time for the unloaded latency (default: 200)")
  int latencyTasks;

  @Option(names = "--rate", defaultValue = "200", description = "offered load of the open-loop run, tasks/s (default: 200)")
  int rate;

  @Option(names = "--rate-seconds", defaultValue = "15", description = "duration of the open-loop run (default: 15)")
  int rateSeconds;

  @Option(names = "--warmup", defaultValue = "10000",
      description = "tasks per warm-up round, run through the calls of each mode to be measured before measuring, "
          + "not reported (default: 10000; 0: no warm-up)")
  int warmup;

  @Option(names = "--warmup-settled", defaultValue = "0.05",
      description = "a mode's warm-up ends after a round in which the server's JIT compiler used less CPU than this, "
          + "in cores (default: 0.05)")
  double warmupSettled;

  @Option(names = "--warmup-rounds", defaultValue = "6",
      description = "most warm-up rounds per mode (default: 6)")
  int warmupRounds;

  @Option(names = "--timeout", defaultValue = "1800",
      description = "longest wait for a run's tasks to succeed, seconds (default: 1800)")
  int timeoutSeconds;

  @Option(names = "--stall", defaultValue = "60",
      description = "give up waiting when no task succeeded for this many seconds (default: 60)")
  int stallSeconds;

  @Option(names = "--tenant", defaultValue = "bench",
      description = "tenant prefix; each run uses <prefix>-<run>-<id> (default: bench)")
  String tenantPrefix;

  private static final long SUBMIT_TIMEOUT_MS = 60_000;

  private final String runId = randomId();
  private Vertx vertx;
  private URI base;
  /** Every node's base URL; requests take them in turn. */
  private List<URI> nodes;
  private String db;
  private Pool queries;
  private int tenants;
  private JWTAuth jwt;
  private ArbiterConfig.Auth auth;
  private double ceilingRate = Double.NaN;
  /** The started server's CPU time, for each run's share of it and its JIT compiler's; null when not measured. */
  private ServerCpu serverCpu;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new TaskBenchmark()).setCaseInsensitiveEnumValuesAllowed(true);
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    validate();
    vertx = Vertx.vertx();
    ServerOptions.Target target = null;
    List<ArbiterProcess> peers = new ArrayList<>();
    boolean clean = false;
    try {
      LocalCluster cluster = nodeCount > 1 ? new LocalCluster("bench", nodeCount) : null;
      target = server.open(running, Duration.ofSeconds(120), cluster == null ? Map.of() : cluster.environment(0));
      base = target.base();
      db = target.dbUrl();
      auth = target.auth();
      for (int i = 1; i < nodeCount; i++) {
        Map<String, String> settings = new HashMap<>(cluster.environment(i));
        settings.put("ARBITER_DB_URL", db);
        peers.add(server.start(Duration.ofSeconds(120), auth.jwtSecret(), settings));
      }
      nodes = new ArrayList<>(List.of(base));
      peers.forEach(peer -> nodes.add(URI.create(peer.baseUrl())));
      jwt = Jwt.provider(vertx, auth);
      queries = pool(2);
      if (target.process() != null) {
        inspectWal();
      }
      System.out.printf("machine: %d cores, Java %s; run id %s%n%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"), runId);

      int failures = 0;
      int errors = 0;
      try {
        measureCeiling();
      } catch (Exception e) {
        System.out.println("ceiling: FAILED: " + describe(e));
        errors++;
      }
      serverCpu = target.process() == null ? null : ServerCpu.of(target.process().pid());
      List<Mode> runs = modes.contains(Mode.ALL) ? List.of(Mode.SINGLE, Mode.FEWEST, Mode.BULK, Mode.LATENCY)
          : modes;
      if (warmup > 0) {
        try {
          warmUp(runs);
        } catch (Exception e) {
          System.out.println("warm-up: FAILED: " + describe(e));
          errors++;
        }
      }
      for (Mode m : runs) {
        System.out.println();
        try {
          boolean ok = m == Mode.LATENCY ? runLatency(claimMax(m), latencyTasks, rateSeconds, false)
              : runThroughput(m.name().toLowerCase(Locale.ROOT), m, tasks != null ? tasks : defaultTasks(m), false);
          failures += ok ? 0 : 1;
        } catch (Exception e) {
          System.out.printf("  FAILED (mode %s): %s%n", m.name().toLowerCase(Locale.ROOT), describe(e));
          e.printStackTrace(System.out);
          errors++;
          String exited = target.process() == null ? null : target.process().exited(Duration.ofSeconds(10));
          if (exited != null) {
            System.out.println("  " + exited + " during the run; the remaining modes are skipped");
            break;
          }
        }
      }
      System.out.println();
      if (failures > 0) {
        System.out.println("RESULT: FAILED: tasks were lost or assigned twice");
        return 1;
      }
      if (errors > 0) {
        System.out.println("RESULT: INCOMPLETE: a measurement could not run (see above)");
        return 2;
      }
      System.out.println("RESULT: OK: no task lost, none assigned twice");
      clean = true;
      return 0;
    } finally {
      if (queries != null) {
        queries.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (ArbiterProcess peer : peers) {
        server.stop(peer, clean);
      }
      server.stop(target, clean);
    }
  }

  private void validate() {
    List<String> problems = new ArrayList<>(running.problems());
    if (tasks != null && tasks < 1) {
      problems.add("--tasks must be at least 1");
    }
    if (nodeCount < 1 || nodeCount > 8 || (running.given() && nodeCount > 1)) {
      problems.add("--nodes must be 1 to 8, and 1 with --url");
    }
    if (clients < 1 || agentCount < 1 || claimLoops < 1 || ceilingPool < 1 || ceilingSeconds < 1) {
      problems.add("--clients, --agents, --claim-loops, --ceiling-pool and --seconds must be at least 1");
    }
    if (capacity < 1 || capacity > 1000) {
      problems.add("--agent-capacity must be within 1..1000");
    }
    if (batch < 1 || batch > 1000) {
      problems.add("--batch must be within 1..1000");
    }
    if (claimMax != null && (claimMax < 1 || claimMax > 1000)) {
      problems.add("--claim-max must be within 1..1000");
    }
    if (claimWait < 0 || claimWait > 60) {
      problems.add("--claim-wait must be within 0..60");
    }
    if (warmup < 0 || warmupRounds < 1 || warmupSettled <= 0) {
      problems.add("--warmup must be at least 0, --warmup-rounds at least 1 and --warmup-settled above 0");
    }
    if (rate < 1 || rateSeconds < 1 || latencyTasks < 1) {
      problems.add("--rate, --rate-seconds and --latency-tasks must be at least 1");
    }
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(new CommandLine(this), String.join("; ", problems));
    }
  }

  /**
   * Installs {@code pg_walinspect} in the database of the server this run started (a database of its own), so that
   * each run can count the WAL records its writes made ({@link DbWrites#walRecords}). A database given with
   * {@code --db-url} is left as it is: its runs count them only where the extension is already installed.
   */
  private void inspectWal() {
    try {
      await(queries.query("CREATE EXTENSION IF NOT EXISTS pg_walinspect").execute(), 60);
    } catch (Exception e) {
      System.out.println("pg_walinspect: not installed (" + describe(e) + "); WAL records are not counted");
    }
  }

  // ---------------------------------------------------------------------------------------------------- the ceiling

  /** C loops of single-row INSERT transactions through one pool, for --seconds (after one second of warm-up). */
  private void measureCeiling() throws Exception {
    Pool pool = pool(ceilingPool);
    String table = "bench_ceiling_" + runId;
    try {
      await(pool.query("CREATE TABLE " + table + " (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "
          + "payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())").execute(), 30);
      try {
        insertFor(pool, table, Duration.ofSeconds(1));
        long[] measured = insertFor(pool, table, Duration.ofSeconds(ceilingSeconds));
        ceilingRate = measured[0] / (measured[1] / 1e9);
        System.out.printf("ceiling: plain single-row INSERT transactions, pool %d, %d concurrent clients, %d s: "
            + "%.0f inserts/s%n", ceilingPool, clients, ceilingSeconds, ceilingRate);
      } finally {
        await(pool.query("DROP TABLE IF EXISTS " + table).execute(), 30);
      }
    } finally {
      pool.close();
    }
  }

  /** Returns {inserts, elapsed nanoseconds}. */
  private long[] insertFor(Pool pool, String table, Duration duration) throws Exception {
    String insert = "INSERT INTO " + table + " (payload) VALUES ($1)";
    LongAdder inserted = new LongAdder();
    AtomicInteger n = new AtomicInteger();
    long started = System.nanoTime();
    long end = started + duration.toNanos();
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      loops.add(Loop.repeat(() -> System.nanoTime() >= end
          ? Future.succeededFuture(false)
          : pool.withTransaction(conn -> conn.preparedQuery(insert)
              .execute(Tuple.of(new JsonObject().put("n", n.incrementAndGet()))))
              .map(rows -> {
                inserted.increment();
                return true;
              })));
    }
    await(Future.all(loops), duration.toSeconds() + 60);
    return new long[] {inserted.sum(), System.nanoTime() - started};
  }

  // ------------------------------------------------------------------------------------------ single and bulk runs

  private static int defaultTasks(Mode mode) {
    return mode == Mode.BULK ? 100_000 : 20_000;
  }

  /** --claim-max, or the mode's default: 64 in bulk mode, 1 otherwise. */
  private int claimMax(Mode mode) {
    return claimMax != null ? claimMax : mode == Mode.BULK ? 64 : 1;
  }

  /**
   * Rounds of {@code --warmup} tasks through the calls of each throughput mode that is to run (when only latency mode
   * is, the calls of its agents), since each mode has calls of its own for the JIT compiler to compile, until a round
   * leaves the server's JIT compiler below {@code --warmup-settled} cores (at most {@code --warmup-rounds} rounds; one where the
   * server's CPU is not measured); when latency mode is to run, also 20 tasks one at a time and 5 s of its open loop,
   * so that the first latency run does not pay for compiling its own paths (its agents, its 256 connections).
   */
  private void warmUp(List<Mode> runs) throws Exception {
    List<Mode> throughput = runs.stream().filter(m -> m != Mode.LATENCY).distinct().toList();
    boolean ok = true;
    // latency mode alone: the calls its agents make (fewest mode's with --latency-fewest)
    for (Mode m : throughput.isEmpty() ? List.of(latencyFewest ? Mode.FEWEST : Mode.SINGLE) : throughput) {
      String name = m.name().toLowerCase(Locale.ROOT);
      long started = System.nanoTime();
      int round = 0;
      String last;
      double compiler;
      do {
        ServerCpu.Sample before = cpu();
        ok &= runThroughput("warmup-" + name, m, warmup, true);
        ServerCpu.Sample after = cpu();
        last = ServerCpu.between(before, after);
        compiler = ServerCpu.compilerCores(before, after);
        round++;
      } while (compiler >= warmupSettled && round < warmupRounds);
      System.out.printf("warm-up %s: %d round%s of %d tasks in %.1f s (not reported); in the last, server CPU %s%s%s%n",
          name, round, round > 1 ? "s" : "", warmup, (System.nanoTime() - started) / 1e9, last,
          settlement(compiler, round), ok ? "" : "; NOT CLEAN, see the runs below");
    }
    if (runs.contains(Mode.LATENCY)) {
      long started = System.nanoTime();
      ok = runLatency(claimMax(Mode.LATENCY), 20, 5, true);
      System.out.printf("warm-up latency: 20 tasks one at a time and 5 s of the open loop in %.1f s (not reported)%s%n",
          (System.nanoTime() - started) / 1e9, ok ? "" : "; NOT CLEAN, see the runs below");
    }
  }

  /** Whether a mode's last warm-up round left the compiler below --warmup-settled (nothing when not measured). */
  private String settlement(double compilerCores, int rounds) {
    if (Double.isNaN(compilerCores)) {
      return "";
    }
    return compilerCores < warmupSettled ? " (settled)"
        : String.format(Locale.ROOT, " (NOT SETTLED below %.2f after %d rounds)", warmupSettled, rounds);
  }

  /** The server's CPU time now; null when not measured (a server this benchmark did not start, or not Linux). */
  private ServerCpu.Sample cpu() {
    return serverCpu == null ? null : serverCpu.sample();
  }

  /**
   * One run: register agents, start them, submit {@code count} tasks from C clients (one per request, or batches of
   * --batch), wait until every accepted task has succeeded, then read the timestamps and check the deliveries.
   *
   * @return false when tasks were lost or assigned twice
   */
  private boolean runThroughput(String label, Mode mode, int count, boolean quiet) throws Exception {
    boolean bulk = mode == Mode.BULK;
    boolean fewest = mode == Mode.FEWEST;
    int maxPerClaim = claimMax(mode);
    if (!quiet) {
      System.out.printf("mode %s: tasks %d, clients %d, agents %d x capacity %d, claim max %d (%d loops per agent)%s%n",
          label, count, clients, agentCount, capacity, maxPerClaim, claimLoops,
          bulk ? ", batches of " + batch + (maxPerClaim > 1 && !perTaskCalls
              ? claimAck ? ", claims that ack and result batches" : ", ack and result batches"
              : ", an ack and a result request per task")
              : fewest ? ", claims that ack and results that return the next task" : "");
    }
    String tenant = tenant(label);
    SimulatedAgents agents = startAgents(tenant, maxPerClaim, fewest);
    ArbiterApi submitters = new ArbiterApi(vertx, nodes, clients);
    try {
      String token = token(tenant, Role.SUBMITTER, "bench-submitter");
      Set<String> accepted = ConcurrentHashMap.newKeySet();
      Tally submitErrors = new Tally();
      Percentiles.Recorder requestMicros = new Percentiles.Recorder();
      int perRequest = bulk ? batch : 1;
      int requests = (count + perRequest - 1) / perRequest;
      AtomicInteger next = new AtomicInteger();

      DbWrites writesBefore = quiet ? null : DbWrites.settled(queries);
      WaitSampler waits = quiet ? null : new WaitSampler(vertx, queries, 100);
      ServerCpu.Sample cpuBefore = cpu();
      long started = System.nanoTime();
      List<Future<Void>> loops = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        loops.add(Loop.repeat(() -> {
          int r = next.getAndIncrement();
          if (r >= requests) {
            return Future.succeededFuture(false);
          }
          int from = r * perRequest;
          int to = Math.min(count, from + perRequest);
          return submit(submitters, token, bulk, from, to, accepted, submitErrors, requestMicros, 0).map(true);
        }));
      }
      await(Future.all(loops), timeoutSeconds);
      long submitted = System.nanoTime();
      if (accepted.isEmpty()) {
        throw new IllegalStateException("no task was accepted: " + submitErrors);
      }

      boolean complete = awaitSucceeded(tenant, accepted.size(), agents, started);
      long finished = agents.lastSucceededNanos() > 0 ? agents.lastSucceededNanos() : System.nanoTime();
      ServerCpu.Sample cpuAfter = cpu();
      String waited = waits == null ? null : waits.stop();
      await(agents.stop(), claimWait + 30);
      Analysis analysis = analyse(tenant, accepted);
      Check check = check(analysis, accepted, agents);

      double submitRate = accepted.size() / ((submitted - started) / 1e9);
      double endToEnd = accepted.size() / ((finished - started) / 1e9);
      if (!quiet) {
        System.out.printf("  submit throughput     %6.0f tasks/s   (%d accepted in %.2f s; request ms %s)%n",
            submitRate, accepted.size(), (submitted - started) / 1e9,
            Percentiles.of(requestMicros.toArray()).millis(50, 99));
        System.out.printf("  end-to-end throughput %6.0f tasks/s   (first submit to last success %.2f s; %s)%n",
            endToEnd, (finished - started) / 1e9, ceilingRatio(endToEnd));
        System.out.printf("  submit->assigned ms   %s%n", analysis.assigned(accepted::contains).millis(50, 95, 99));
        System.out.printf("  submit->succeeded ms  %s%n", analysis.succeeded(accepted::contains).millis(50, 95, 99));
        System.out.printf("  agent calls ms        %s%n", agents.callTimes());
        System.out.printf("  database              %s%n", waited);
        System.out.printf("  server CPU            %s%n", ServerCpu.between(cpuBefore, cpuAfter));
        awaitAuditDrained();
        DbWrites writesAfter = DbWrites.settled(queries);
        System.out.printf("  writes per task       %s%n", writesAfter.perTask(writesBefore, accepted.size()));
        try {
          String records = DbWrites.walRecords(queries, writesBefore, writesAfter, accepted.size());
          if (records != null) {
            System.out.printf("  WAL records per task  %s%n", records);
          }
        } catch (Exception e) {
          System.out.printf("  WAL records per task  not counted: %s%n", describe(e));
        }
        check.print(complete);
        printErrors(submitErrors, agents.errors);
      }
      return check.clean();
    } finally {
      agents.stop();
      agents.close();
      submitters.close();
    }
  }

  /**
   * Waits (up to a minute) until the audit verticle has sealed every record into the chain (or, on a build from
   * before seals, moved every outbox row into the log: {@code --jar} compares builds).
   */
  private void awaitAuditDrained() throws Exception {
    boolean outbox = query("SELECT to_regclass('audit_outbox') IS NOT NULL AS outbox").iterator().next()
        .getBoolean("outbox");
    String pending = outbox ? "SELECT count(*) AS n FROM audit_outbox"
        : "SELECT count(*) AS n FROM audit_log WHERE txid >= COALESCE((SELECT max(to_txid) FROM audit_seals), 0)";
    try {
      Awaitility.await("the audit records sealed").atMost(Duration.ofSeconds(60)).pollInSameThread()
          .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
          .until(() -> query(pending).iterator().next().getLong("n") == 0);
    } catch (ConditionTimeoutException e) {
      // the write counts are read anyway; a backlog left after a minute shows in them
    }
  }

  /** Submits tasks [from, to): one POST /tasks, or one POST /task-batches when bulk. */
  private Future<Void> submit(ArbiterApi api, String token, boolean bulk, int from, int to, Set<String> accepted,
                              Tally errors, Percentiles.Recorder micros, long scheduledNanos) {
    long sent = scheduledNanos > 0 ? scheduledNanos : System.nanoTime();
    Future<HttpResponse<Buffer>> response;
    if (bulk) {
      JsonArray items = new JsonArray();
      for (int i = from; i < to; i++) {
        items.add(task(i));
      }
      response = api.post("/task-batches", token, new JsonObject().put("tasks", items), SUBMIT_TIMEOUT_MS);
    } else {
      response = api.post("/tasks", token, task(from), SUBMIT_TIMEOUT_MS);
    }
    return response.transform(ar -> {
      micros.add((System.nanoTime() - sent) / 1000);
      if (ar.failed()) {
        errors.add("submit " + SimulatedAgents.failureKind(ar.cause()), ar.cause().getMessage());
        return Future.succeededFuture();
      }
      HttpResponse<Buffer> r = ar.result();
      if (r.statusCode() / 100 != 2) {
        errors.add("submit " + r.statusCode(), ArbiterApi.text(r));
        return Future.succeededFuture();
      }
      JsonObject body = ArbiterApi.json(r);
      List<String> ids = new ArrayList<>();
      if (bulk) {
        JsonArray refs = body.getJsonArray("tasks", new JsonArray());
        for (int i = 0; i < refs.size(); i++) {
          ids.add(refs.getJsonObject(i).getString("id"));
        }
        if (ids.size() != to - from) {
          errors.add("batch of " + (to - from) + " answered " + ids.size() + " ids", null);
        }
      } else {
        ids.add(body.getString("id"));
      }
      for (String id : ids) {
        if (id == null) {
          errors.add("submit " + r.statusCode() + " without an id", ArbiterApi.text(r));
        } else {
          accepted.add(id.toLowerCase(Locale.ROOT));
        }
      }
      return Future.succeededFuture();
    });
  }

  private static JsonObject task(int n) {
    JsonObject task = new JsonObject().put("type", TASK_TYPE).put("priority", 5)
        .put("payload", new JsonObject().put("n", n));
    if (!withoutGates) {
      task.put("budget", new JsonObject().put("maxFiles", 20).put("maxLoc", 2000))
          .put("gates", new JsonObject().put("minQuality", 0.5));
    }
    return task;
  }

  // ------------------------------------------------------------------------------------------------- latency runs

  /**
   * Unloaded: {@code oneAtATime} tasks submitted one at a time, each after the previous one succeeded, agents idle and
   * long-polling. Then open loop: submissions scheduled at --rate per second for {@code openSeconds}, whatever the
   * answers. {@code quiet}: the warm-up's run, which prints nothing.
   */
  private boolean runLatency(int maxPerClaim, int oneAtATime, int openSeconds, boolean quiet) throws Exception {
    if (!quiet) {
      System.out.printf("mode latency: agents %d x capacity %d, claim max %d (%d loops per agent, long poll %d s)%s%n",
          agentCount, capacity, maxPerClaim, claimLoops, claimWait,
          latencyFewest ? ", claims that ack and results that return the next task" : ", four calls a task");
    }
    if (!quiet) {
      // the earlier runs' trailing work (sealing their audit records, folding their outcomes) ends before this one
      DbWrites.settled(queries);
    }
    String tenant = tenant(quiet ? "warmup-latency" : "latency");
    SimulatedAgents agents = startAgents(tenant, maxPerClaim, latencyFewest);
    ArbiterApi submitters = new ArbiterApi(vertx, nodes, Math.max(clients, 256));
    try {
      String token = token(tenant, Role.SUBMITTER, "bench-submitter");
      await(vertx.timer(1000), 5); // every claim loop is in its long poll now

      // 1. Unloaded, one at a time.
      Map<String, Promise<Void>> done = new ConcurrentHashMap<>();
      agents.onSucceeded(id -> done.computeIfAbsent(id, k -> Promise.promise()).tryComplete());
      Set<String> unloaded = Collections.synchronizedSet(new LinkedHashSet<>());
      Tally errors = new Tally();
      Percentiles.Recorder ignored = new Percentiles.Recorder();
      long started = System.nanoTime();
      for (int i = 0; i < oneAtATime; i++) {
        Set<String> one = ConcurrentHashMap.newKeySet();
        await(submit(submitters, token, false, i, i + 1, one, errors, ignored, 0), 70);
        for (String id : one) {
          unloaded.add(id);
          try {
            await(done.computeIfAbsent(id, k -> Promise.promise()).future(), 30);
          } catch (TimeoutException e) {
            errors.add("unloaded task not succeeded within 30 s", id);
          }
          done.remove(id);
        }
        await(vertx.timer(10), 5); // let the agent that took it go back to its long poll
      }
      agents.onSucceeded(id -> { });
      long unloadedNanos = System.nanoTime() - started;

      // 2. Open loop at --rate tasks/s.
      Set<String> offered = ConcurrentHashMap.newKeySet();
      Percentiles.Recorder lateness = new Percentiles.Recorder();
      long total = (long) rate * openSeconds;
      double interval = 1e9 / rate;
      AtomicLong issued = new AtomicLong();
      AtomicLong lastIssued = new AtomicLong();
      List<Future<Void>> inflight = Collections.synchronizedList(new ArrayList<>());
      Promise<Void> allIssued = Promise.promise();
      long openStart = System.nanoTime();
      vertx.setPeriodic(1, 1, timer -> {
        long now = System.nanoTime();
        while (issued.get() < total && openStart + (long) (issued.get() * interval) <= now) {
          int i = (int) issued.getAndIncrement();
          long scheduled = openStart + (long) (i * interval);
          inflight.add(submit(submitters, token, false, oneAtATime + i, oneAtATime + i + 1, offered, errors,
              lateness, scheduled));
          lastIssued.set(System.nanoTime());
        }
        if (issued.get() >= total) {
          vertx.cancelTimer(timer);
          allIssued.tryComplete();
        }
      });
      await(allIssued.future(), openSeconds + 60L);
      await(Future.join(new ArrayList<>(inflight)).transform(ar -> Future.succeededFuture()), 120);
      double achieved = total < 2 ? Double.NaN : (total - 1) / ((lastIssued.get() - openStart) / 1e9);

      Set<String> accepted = new LinkedHashSet<>(unloaded);
      accepted.addAll(offered);
      if (accepted.isEmpty()) {
        throw new IllegalStateException("no task was accepted: " + errors);
      }
      boolean complete = awaitSucceeded(tenant, accepted.size(), agents, openStart);
      await(agents.stop(), claimWait + 30);
      Analysis analysis = analyse(tenant, accepted);
      Check check = check(analysis, accepted, agents);

      if (quiet) {
        return check.clean();
      }
      Percentiles idle = analysis.assigned(unloaded::contains);
      Percentiles loaded = analysis.assigned(offered::contains);
      System.out.printf("  unloaded submit->assigned ms  %s   (%d tasks one at a time in %.1f s, agents idle)%n",
          idle.millis(50, 99), unloaded.size(), unloadedNanos / 1e9);
      System.out.printf("  at %d tasks/s offered: submit->assigned p99 %s ms   (p50 %s; %d tasks over %.1f s = "
              + "%.1f/s; submit answered %s ms after its scheduled time)%n",
          rate, loaded.count() == 0 ? "n/a" : Percentiles.ms(loaded.at(99)),
          loaded.count() == 0 ? "n/a" : Percentiles.ms(loaded.at(50)), offered.size(),
          (lastIssued.get() - openStart) / 1e9, achieved, Percentiles.of(lateness.toArray()).millis(50, 99));
      check.print(complete);
      printErrors(errors, agents.errors);
      return check.clean();
    } finally {
      agents.stop();
      agents.close();
      submitters.close();
    }
  }

  // ------------------------------------------------------------------------------------------------------ agents

  /** {@code chained}: claims that acknowledge and results that return the next task (two calls a task). */
  private SimulatedAgents startAgents(String tenant, int maxPerClaim, boolean chained) throws Exception {
    List<SimulatedAgents.Agent> list = new ArrayList<>();
    for (int i = 1; i <= agentCount; i++) {
      String id = "bench-agent-" + i;
      list.add(new SimulatedAgents.Agent(id, token(tenant, Role.AGENT, id)));
    }
    int connections = agentConnections != null ? agentConnections : agentCount * claimLoops;
    boolean batched = maxPerClaim > 1 && !perTaskCalls && !chained;
    SimulatedAgents agents = new SimulatedAgents(vertx, nodes, list, maxPerClaim, claimWait, claimLoops, connections,
        batched, chained);
    if (batched && claimAck) {
      agents.ackOnClaim();
    }
    try {
      await(agents.register(token(tenant, Role.ADMIN, "bench-admin"), capacity), 60);
    } catch (Exception e) {
      agents.close();
      throw e;
    }
    agents.start();
    return agents;
  }

  /**
   * Waits until every accepted task (and every other task of the tenant) has succeeded, checked in the database.
   * The agents' own count of successes is watched every 20 ms; the database is asked only once they report enough, or
   * every 5 s otherwise (counting a tenant's tasks takes tens of milliseconds of PostgreSQL's time once it holds
   * thousands, which a poll every 200 ms would take from the run it measures). Gives up after --timeout seconds, or
   * after --stall seconds without a new success.
   */
  private boolean awaitSucceeded(String tenant, int expected, SimulatedAgents agents, long started) {
    SuccessWatch watch = new SuccessWatch(tenant, expected, agents, started);
    Awaitility.await().forever().pollDelay(Duration.ZERO).pollInSameThread()
        .pollInterval((count, previous) -> Duration.ofMillis(watch.caughtUp ? 200 : 20))
        .until(() -> watch.check() != null);
    return watch.outcome;
  }

  /** One wait of {@link #awaitSucceeded}: each {@link #check} looks once, and ends the wait with its outcome. */
  private final class SuccessWatch {
    private final String tenant;
    private final int expected;
    private final SimulatedAgents agents;
    private final long started;
    private final long deadline;
    private long lastProgress = System.nanoTime();
    private long lastSeen = -1;
    private long lastReport = System.nanoTime();
    private long lastChecked = System.nanoTime();
    /** Whether the agents report every expected success (the database then decides, checked less often). */
    private volatile boolean caughtUp;
    /** True when every task succeeded, false when the wait gave up, null while it goes on. */
    private Boolean outcome;

    SuccessWatch(String tenant, int expected, SimulatedAgents agents, long started) {
      this.tenant = tenant;
      this.expected = expected;
      this.agents = agents;
      this.started = started;
      this.deadline = started + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    Boolean check() throws Exception {
      long now = System.nanoTime();
      long seen = agents.succeeded();
      if (seen >= expected || now - lastChecked > TimeUnit.SECONDS.toNanos(5)) {
        lastChecked = now;
        Row row = query("SELECT count(*) FILTER (WHERE state = 'succeeded'), count(*) FROM tasks WHERE tenant_id = $1",
            tenant).iterator().next();
        long succeeded = row.getLong(0);
        long total = row.getLong(1);
        if (succeeded >= expected && succeeded == total) {
          return outcome = true;
        }
        seen = Math.max(seen, succeeded);
        if (now > deadline || now - lastProgress > TimeUnit.SECONDS.toNanos(stallSeconds)) {
          System.out.printf("  gave up waiting after %.0f s: %d of %d accepted tasks succeeded (%d in the tenant; "
                  + "agents saw %d deliveries, %d successes)%n", (now - started) / 1e9, succeeded, expected, total,
              agents.deliveries(), agents.succeeded());
          return outcome = false;
        }
      }
      if (now - lastReport > TimeUnit.SECONDS.toNanos(10)) {
        System.err.printf("  ... %d of %d succeeded after %.0f s%n", seen, expected, (now - started) / 1e9);
        lastReport = now;
      }
      if (seen != lastSeen) {
        lastSeen = seen;
        lastProgress = now;
      }
      caughtUp = seen >= expected;
      return null;
    }
  }

  // -------------------------------------------------------------------------------------------- database analysis

  /** One task's figures, in microseconds (-1 when the timestamp is missing). */
  record TaskRow(String state, long assignedMicros, long succeededMicros) {}

  /** Every task of a run's tenant, and how many tasks the history shows assigned twice under one attempt. */
  record Analysis(Map<String, TaskRow> tasks, long historyDoubled) {
    Percentiles assigned(Predicate<String> which) {
      return Percentiles.of(tasks.entrySet().stream().filter(e -> which.test(e.getKey()))
          .mapToLong(e -> e.getValue().assignedMicros()).filter(v -> v >= 0).toArray());
    }

    Percentiles succeeded(Predicate<String> which) {
      return Percentiles.of(tasks.entrySet().stream().filter(e -> which.test(e.getKey()))
          .mapToLong(e -> e.getValue().succeededMicros()).filter(v -> v >= 0).toArray());
    }
  }

  private Analysis analyse(String tenant, Collection<String> accepted) throws Exception {
    Map<String, TaskRow> tasks = new HashMap<>(accepted.size() * 2);
    // submit->assigned: the first routing decision's time (the dispatch transaction's start), else the task's own
    for (Row row : query("""
        SELECT t.id::text, t.state,
               (extract(epoch FROM coalesce(d.decided_at, t.assigned_at) - t.created_at) * 1000000)::bigint,
               (extract(epoch FROM t.finished_at - t.created_at) * 1000000)::bigint
          FROM tasks t
          LEFT JOIN routing_decisions d ON d.task_id = t.id AND d.attempt = 1
         WHERE t.tenant_id = $1""", tenant)) {
      Long assigned = row.getLong(2);
      Long succeeded = "succeeded".equals(row.getString(1)) ? row.getLong(3) : null;
      tasks.put(row.getString(0), new TaskRow(row.getString(1), assigned == null ? -1 : assigned,
          succeeded == null ? -1 : succeeded));
    }
    // assigned twice: two assignments of one task in one attempt, read from its transitions' audit records
    long doubled = query("""
        SELECT count(DISTINCT target) FROM (
          SELECT target
            FROM audit_log
           WHERE tenant_id = $1 AND action = 'task.assigned'
           GROUP BY target, details ->> 'attempt' HAVING count(*) > 1) d""", tenant)
        .iterator().next().getLong(0);
    return new Analysis(tasks, doubled);
  }

  /** Lost: accepted and not succeeded (or not in the table). Doubled: by the agents' deliveries and by history. */
  record Check(int accepted, Map<String, Integer> lostByState, long unconfirmed, long deliveredDoubled,
               long historyDoubled, long deliveries, long distinctDelivered) {
    long lost() {
      return lostByState.values().stream().mapToLong(Integer::longValue).sum();
    }

    long doubled() {
      return Math.max(deliveredDoubled, historyDoubled);
    }

    boolean clean() {
      return lost() == 0 && doubled() == 0;
    }

    void print(boolean complete) {
      System.out.printf("  lost %d   assigned twice %d%s%n", lost(), doubled(),
          clean() ? "" : "   <-- MUST BE 0");
      if (lost() > 0) {
        System.out.println("    lost by state: " + lostByState + (complete ? "" : " (gave up waiting)"));
      }
      if (doubled() > 0) {
        System.out.printf("    tasks with a (task, attempt) delivered twice: %d; assigned twice under one attempt in "
            + "task_history: %d%n",
            deliveredDoubled, historyDoubled);
      }
      if (deliveries != accepted || unconfirmed > 0) {
        System.out.printf("    %d deliveries of %d distinct tasks for %d accepted; %d tasks in the tenant that no "
            + "client saw accepted%n", deliveries, distinctDelivered, accepted, unconfirmed);
      }
    }
  }

  private static Check check(Analysis analysis, Set<String> accepted, SimulatedAgents agents) {
    Map<String, Integer> lost = new java.util.TreeMap<>();
    for (String id : accepted) {
      TaskRow row = analysis.tasks().get(id);
      String state = row == null ? "missing" : row.state();
      if (!"succeeded".equals(state)) {
        lost.merge(state, 1, Integer::sum);
      }
    }
    long unconfirmed = analysis.tasks().keySet().stream().filter(id -> !accepted.contains(id)).count();
    return new Check(accepted.size(), lost, unconfirmed, agents.doubled(), analysis.historyDoubled(),
        agents.deliveries(), agents.distinctTasksDelivered());
  }

  // ----------------------------------------------------------------------------------------------------- helpers

  private String ceilingRatio(double rate) {
    return Double.isNaN(ceilingRate)
        ? "ceiling n/a"
        : String.format(Locale.ROOT, "ceiling %.0f inserts/s; ratio %.2f", ceilingRate, rate / ceilingRate);
  }

  private static void printErrors(Tally submit, Tally agents) {
    if (!submit.isEmpty()) {
      System.out.println("  submit errors: " + submit);
    }
    if (!agents.isEmpty()) {
      System.out.println("  agent errors: " + agents);
    }
  }

  /** A tenant of its own for each measurement, so that a mode named twice in --mode starts afresh. */
  private String tenant(String label) {
    return tenantPrefix + "-" + label + "-" + runId + (++tenants > 1 ? "-" + tenants : "");
  }

  private String token(String tenant, Role role, String subject) {
    return Jwt.mint(jwt, auth, tenant, role, subject, Duration.ofHours(2));
  }

  private Pool pool(int size) {
    PgConnectOptions connect = PgConnectOptions.fromUri(db.replaceFirst("^postgres://", "postgresql://"))
        .setCachePreparedStatements(true);
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(connect).using(vertx).build();
  }

  private RowSet<Row> query(String sql, Object... params) throws Exception {
    return await(queries.preparedQuery(sql).execute(Tuple.wrap(List.of(params))), 120);
  }

  static <T> T await(Future<T> future, long seconds) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Six hex digits that tell one run's tenants and tables from another's. */
  static String randomId() {
    byte[] bytes = new byte[3];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getName() : message;
  }
}
