package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.vertx.core.Future;
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
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The soak: the fat jar on its embedded PostgreSQL under a steady, modest, mixed load for a given time, sampled at a
 * fixed interval (server heap after a full GC read over JMX, RSS, threads, file descriptors, database connections,
 * journal size, p99 per operation), with a verdict on growth over the second half. See bench/README.md.
 */
@Command(name = "bench/soak.sh", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"A steady mixed load on Arbiter for a given time, sampled for growth (leaks).",
        "The started server's JVM runs with -Xms256m -Xmx256m -XX:+AlwaysPreTouch unless --server-java-opt is given, "
            + "so that RSS does not grow as the heap is first touched."})
public final class Soak implements Callable<Integer> {

  static final String PUSH_TYPE = "soak-push";

  @Option(names = "--minutes", defaultValue = "60", description = "duration of the load (default: 60)")
  double minutes;

  @Option(names = "--sample-seconds", defaultValue = "60", description = "seconds between samples (default: 60)")
  int sampleSeconds;

  @Option(names = "--rate", defaultValue = "20", description = "tasks submitted per second, all kinds (default: 20)")
  int rate;

  @Option(names = "--rest-agents", defaultValue = "4", description = "agents claiming over REST (default: 4)")
  int restAgents;

  @Option(names = "--bridge-agents", defaultValue = "2",
      description = "agents taking pushed tasks over the event-bus bridge (default: 2)")
  int bridgeAgents;

  @Option(names = "--fail-share", defaultValue = "0.1",
      description = "share of REST deliveries reported failed, and retried (default: 0.1)")
  double failShare;

  @Option(names = "--subscribers", defaultValue = "2",
      description = "live-stream subscribers of each kind, WebSocket and SSE (default: 2)")
  int subscribers;

  @Option(names = "--change-samples", defaultValue = "3",
      description = "every this many samples: a waiver created or revoked, a reloadable key rewritten in the conf "
          + "file, and every stream reopened (default: 3)")
  int changeSamples;

  @Option(names = "--heap-bound", defaultValue = "4",
      description = "MB/hour of growth of the heap after GC tolerated as flat (default: 4)")
  double heapBound;

  @Option(names = "--rss-bound", defaultValue = "32", description = "MB/hour of RSS growth tolerated (default: 32)")
  double rssBound;

  @Mixin
  ServerOptions serverOptions;

  /** The server's JVM without {@code --server-java-opt}: a heap of fixed size, touched at start. */
  private static final List<String> SERVER_JVM = List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch");
  private static final long CALL_TIMEOUT_MS = 30_000;
  private static final int BATCH = 10;
  private static final int DELAYED_PER_SECOND = 2;
  private static final Pattern HISTOGRAM_ROW = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  private Vertx vertx;
  private ArbiterProcess server;
  private ServerJvm jvm;
  private ArbiterApi api;
  private Pool db;
  private String submitterToken;
  private String adminToken;
  private final Map<String, Percentiles.Recorder> ops = new LinkedHashMap<>();
  private final Tally errors = new Tally();
  private final LongAdder submitted = new LongAdder();
  private final LongAdder canceled = new LongAdder();
  private final ConcurrentLinkedDeque<String> recent = new ConcurrentLinkedDeque<>();
  private final ConcurrentLinkedDeque<String> toCancel = new ConcurrentLinkedDeque<>();
  private final AtomicLong tick = new AtomicLong();
  private String waiverId;
  private int changes;

  record Sample(double minute, double heapMb, double rssMb, int threads, int fds, int sockets, int dbConnections,
                long journalBytes, long tasksDone, Map<String, String> p99) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new Soak()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (minutes <= 0 || sampleSeconds < 1 || rate < 1 || restAgents < 1 || changeSamples < 1) {
      System.err.println("--minutes, --sample-seconds, --rate, --rest-agents and --change-samples must be positive");
      return 2;
    }
    for (String op : List.of("submit", "batch", "cancel", "get", "list", "queue", "claim", "ack", "result",
        "bridge-ack", "bridge-result", "ticket", "waiver")) {
      ops.put(op, new Percentiles.Recorder());
    }
    vertx = Vertx.vertx();
    boolean clean = false;
    SimulatedAgents agents = null;
    BridgeAgents pushAgents = null;
    StreamSubscribers streams = null;
    try {
      server = serverOptions.start(Duration.ofSeconds(120), SERVER_JVM);
      URI base = URI.create(server.baseUrl());
      jvm = ServerJvm.attach(server.pid());
      System.out.printf("machine: %d cores, Java %s; load: %d tasks/s, %d REST agents (%.0f %% of results failed), "
              + "%d bridge agents, %d WebSocket + %d SSE subscribers; %.0f min, a sample every %d s%n%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), rate, restAgents,
          failShare * 100, bridgeAgents, subscribers, subscribers, minutes, sampleSeconds);

      ArbiterConfig.Auth auth = server.auth();
      JWTAuth jwt = Jwt.provider(vertx, auth);
      String tenant = "soak-" + HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
          (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt()});
      Duration life = Duration.ofMinutes((long) Math.ceil(minutes) + 30);
      submitterToken = Jwt.mint(jwt, auth, tenant, Role.SUBMITTER, "soak-submitter", life);
      adminToken = Jwt.mint(jwt, auth, tenant, Role.ADMIN, "soak-admin", life);
      api = new ArbiterApi(vertx, base, 64);
      db = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
          .connectingTo(PgConnectOptions.fromUri(server.dbUrl())).using(vertx).build();

      List<SimulatedAgents.Agent> rest = new ArrayList<>();
      for (int i = 0; i < restAgents; i++) {
        String id = "soak-rest-" + i;
        rest.add(new SimulatedAgents.Agent(id, Jwt.mint(jwt, auth, tenant, Role.AGENT, id, life)));
      }
      agents = new SimulatedAgents(vertx, base, rest, 1, 5, 4, restAgents * 4, false, false);
      agents.failSome(failShare);
      TaskBenchmark.await(agents.register(adminToken, 32), 60);
      List<SimulatedAgents.Agent> push = new ArrayList<>();
      for (int i = 0; i < bridgeAgents; i++) {
        String id = "soak-bridge-" + i;
        push.add(new SimulatedAgents.Agent(id, Jwt.mint(jwt, auth, tenant, Role.AGENT, id, life)));
      }
      pushAgents = new BridgeAgents(vertx, base, push, PUSH_TYPE);
      TaskBenchmark.await(pushAgents.register(api, adminToken, 32), 60);
      streams = new StreamSubscribers(vertx, api, base, submitterToken, subscribers, subscribers);

      agents.start();
      TaskBenchmark.await(pushAgents.start(), 30);
      TaskBenchmark.await(streams.reopen(), 30);
      long loadTimer = vertx.setPeriodic(100, id -> loadTick());

      List<Sample> samples = new ArrayList<>();
      int halfway = Math.max(1, (int) (minutes * 60 / sampleSeconds) / 2);
      Map<String, long[]> histogramAtHalf = null;
      printHeader();
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      int index = 0;
      while (true) {
        long next = start + (index + 1L) * sampleSeconds * 1_000_000_000L;
        if (next > end + 1_000_000_000L) {
          break;
        }
        TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
        index++;
        Sample sample = sample((System.nanoTime() - start) / 60e9, agents, pushAgents, streams);
        samples.add(sample);
        printRow(sample);
        String exited = server.exited(Duration.ZERO);
        if (exited != null) {
          System.out.println(exited + "; the soak stops");
          return 2;
        }
        if (index == halfway) {
          histogramAtHalf = classHistogram(server.pid());
        }
        if (index % changeSamples == 0) {
          change(streams);
        }
      }
      Map<String, long[]> histogramAtEnd = classHistogram(server.pid());
      vertx.cancelTimer(loadTimer);
      agents.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      TaskBenchmark.await(pushAgents.stop(), 30);
      TaskBenchmark.await(streams.close(), 30);

      System.out.println();
      System.out.printf("tasks submitted %d (canceled %d), succeeded %d over REST and %d over the bridge, "
              + "%d results reported failed; %d streams opened, %d stream messages%n", submitted.sum(),
          canceled.sum(), agents.succeeded(), pushAgents.succeeded(), agents.failedReports(), streams.opened(),
          streams.messages());
      printTally("load errors", errors);
      printTally("agent errors", agents.errors);
      printTally("bridge errors", pushAgents.errors);
      printTally("stream errors", streams.errors);
      Row audited = TaskBenchmark.await(db.query("""
          SELECT count(*) FILTER (WHERE action = 'config.changed') AS reloads,
                 count(*) FILTER (WHERE action LIKE 'policy.waiver.%') AS waivers
          FROM audit_log""").execute(), 60).iterator().next();
      System.out.printf("audited: %d config changes (conf file rewritten %d times), %d waiver changes%n",
          audited.getLong("reloads"), changes, audited.getLong("waivers"));
      if (histogramAtHalf != null) {
        printGrowth(histogramAtHalf, histogramAtEnd);
      }
      boolean leak = verdict(samples);
      clean = !leak;
      return leak ? 1 : 0;
    } finally {
      if (jvm != null) {
        jvm.close();
      }
      if (agents != null) {
        agents.close();
      }
      if (api != null) {
        api.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      serverOptions.stop(server, clean);
    }
  }

  // ---------------------------------------------------------------------------------------------------------- load

  /**
   * Every 100 ms, a tenth of a second's load: single submissions (four in five for the REST agents, the rest for the
   * bridge agents), one batch a second (a fifth of the rate, at most 10 tasks), two tasks a second delayed by ten
   * minutes and canceled about a second later, and reads (one task, a page of the list, the queue).
   */
  private void loadTick() {
    long n = tick.incrementAndGet();
    int batchSize = Math.min(BATCH, Math.max(1, rate / 5));
    int singlesPerSecond = Math.max(0, rate - batchSize - DELAYED_PER_SECOND);
    int singles = singlesPerSecond / 10 + (n % 10 < singlesPerSecond % 10 ? 1 : 0);
    int batchShare = n % 10 == 0 ? batchSize : 0;
    for (int i = 0; i < singles; i++) {
      boolean pushed = bridgeAgents > 0 && ThreadLocalRandom.current().nextInt(5) == 0;
      submitOne(task(pushed ? PUSH_TYPE : TaskBenchmark.TASK_TYPE));
    }
    if (batchShare > 0) {
      JsonArray items = new JsonArray();
      for (int i = 0; i < batchShare; i++) {
        items.add(task(TaskBenchmark.TASK_TYPE));
      }
      timed("batch", api.post("/task-batches", submitterToken, new JsonObject().put("tasks", items),
          CALL_TIMEOUT_MS), 202).onSuccess(r -> submitted.add(batchShare));
    }
    if (n % 5 == 0) {
      timed("submit", api.post("/tasks", submitterToken, task(TaskBenchmark.TASK_TYPE).put("delayMs", 600_000),
          CALL_TIMEOUT_MS), 202).onSuccess(r -> {
            submitted.increment();
            toCancel.add(ArbiterApi.json(r).getString("id"));
          });
      String cancel = toCancel.size() > 2 ? toCancel.poll() : null;
      if (cancel != null) {
        timed("cancel", api.post("/tasks/" + cancel + "/cancel", submitterToken, null, CALL_TIMEOUT_MS), 200)
            .onSuccess(r -> canceled.increment());
      }
    }
    if (n % 3 == 0) {
      String id = recent.peekLast();
      if (id != null) {
        timed("get", api.get("/tasks/" + id, submitterToken, CALL_TIMEOUT_MS), 200);
      }
    }
    if (n % 5 == 2) {
      timed("list", api.get("/tasks?limit=20", submitterToken, CALL_TIMEOUT_MS), 200);
    }
    if (n % 10 == 7) {
      timed("queue", api.get("/queue", submitterToken, CALL_TIMEOUT_MS), 200);
    }
  }

  private void submitOne(JsonObject task) {
    timed("submit", api.post("/tasks", submitterToken, task, CALL_TIMEOUT_MS), 202).onSuccess(r -> {
      submitted.increment();
      recent.add(ArbiterApi.json(r).getString("id"));
      if (recent.size() > 100) {
        recent.poll();
      }
    });
  }

  private static JsonObject task(String type) {
    return new JsonObject().put("type", type).put("priority", ThreadLocalRandom.current().nextInt(10))
        .put("payload", new JsonObject().put("n", ThreadLocalRandom.current().nextInt()))
        .put("budget", new JsonObject().put("maxFiles", 20).put("maxLoc", 2000))
        .put("gates", new JsonObject().put("minQuality", 0.5)).put("maxAttempts", 3);
  }

  private Future<HttpResponse<Buffer>> timed(String op, Future<HttpResponse<Buffer>> call, int expected) {
    long sent = System.nanoTime();
    return call.transform(ar -> {
      ops.get(op).add((System.nanoTime() - sent) / 1000);
      if (ar.failed()) {
        errors.add(op + " " + SimulatedAgents.failureKind(ar.cause()), ar.cause().getMessage());
        return Future.failedFuture(ar.cause());
      }
      if (ar.result().statusCode() != expected) {
        errors.add(op + " " + ar.result().statusCode(), ArbiterApi.text(ar.result()));
        return Future.failedFuture(op + " answered " + ar.result().statusCode());
      }
      return Future.succeededFuture(ar.result());
    });
  }

  /**
   * A waiver of the quality gate for the REST agents' task type, created and revoked in turn; a reloadable key
   * ({@code api.defaultPageSize}) rewritten in the server's conf file; every live stream reopened.
   */
  private void change(StreamSubscribers streams) {
    changes++;
    if (waiverId == null) {
      JsonObject waiver = new JsonObject().put("rule", "gate.min-quality")
          .put("scope", new JsonObject().put("kind", "task_type").put("value", TaskBenchmark.TASK_TYPE))
          .put("reason", "soak").put("expiresAt", Instant.now().plus(Duration.ofDays(1)).toString());
      timed("waiver", api.post("/waivers", adminToken, waiver, CALL_TIMEOUT_MS), 201)
          .onSuccess(r -> waiverId = ArbiterApi.json(r).getString("id"));
    } else {
      String id = waiverId;
      waiverId = null;
      timed("waiver", api.delete("/waivers/" + id, adminToken, CALL_TIMEOUT_MS), 200);
    }
    try {
      Path conf = server.dataDir.resolve("conf/arbiter.json");
      Files.createDirectories(conf.getParent());
      Files.writeString(conf, new JsonObject().put("api", new JsonObject().put("defaultPageSize", 40 + changes % 2))
          .encodePrettily());
    } catch (IOException e) {
      errors.add("conf rewrite", e.getMessage());
    }
    streams.reopen();
  }

  // ------------------------------------------------------------------------------------------------------ sampling

  private Sample sample(double minute, SimulatedAgents agents, BridgeAgents pushAgents, StreamSubscribers streams)
      throws Exception {
    long pid = server.pid();
    double heapMb = jvm.heapAfterFullGc() / (1024.0 * 1024.0);
    Map<String, String> status = procStatus(pid);
    int fds = 0;
    int sockets = 0;
    try (Stream<Path> entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : entries.toList()) {
        fds++;
        try {
          if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
            sockets++;
          }
        } catch (IOException gone) {
          // closed between the listing and the read
        }
      }
    }
    Row row = TaskBenchmark.await(db.query("""
        SELECT count(*) FILTER (WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()) AS connections
        FROM pg_stat_activity""").execute(), 30).iterator().next();
    Map<String, String> p99 = new LinkedHashMap<>();
    Map<String, long[]> drained = new LinkedHashMap<>();
    ops.forEach((op, recorder) -> drained.put(op, recorder.drain()));
    agents.drainCallMicros().forEach((op, micros) -> drained.merge(op, micros, Soak::concat));
    pushAgents.drainCallMicros().forEach((op, micros) -> drained.merge(op, micros, Soak::concat));
    drained.merge("ticket", streams.drainTicketMicros(), Soak::concat);
    drained.forEach((op, micros) -> p99.put(op, micros.length == 0 ? "-" : Percentiles.ms(Percentiles.of(micros)
        .at(99))));
    return new Sample(minute, heapMb, kb(status.get("VmRSS")) / 1024.0, Integer.parseInt(status.get("Threads")),
        fds, sockets, row.getLong("connections").intValue(), directorySize(server.dataDir.resolve("journal")),
        agents.succeeded() + pushAgents.succeeded(), p99);
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** {@code jcmd <pid> GC.class_histogram} (live objects, after a full GC): class name to {instances, bytes}. */
  static Map<String, long[]> classHistogram(long pid) throws Exception {
    Map<String, long[]> out = new LinkedHashMap<>();
    Matcher m = HISTOGRAM_ROW.matcher(jcmd(pid, "GC.class_histogram"));
    while (m.find()) {
      out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
    }
    return out;
  }

  /** The classes whose live bytes grew most from the halfway sample to the end: where to look for a leak. */
  private static void printGrowth(Map<String, long[]> half, Map<String, long[]> end) {
    System.out.println("live objects grown most from the halfway sample to the end (jcmd GC.class_histogram):");
    end.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), new long[] {e.getValue()[0] - half.getOrDefault(e.getKey(), new long[2])[0],
            e.getValue()[1] - half.getOrDefault(e.getKey(), new long[2])[1]}))
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(8)
        .forEach(e -> System.out.printf(Locale.ROOT, "  %+10d bytes %+8d instances  %s%n", e.getValue()[1],
            e.getValue()[0], e.getKey()));
  }

  private static Map<String, String> procStatus(long pid) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  private static long kb(String value) {
    return Long.parseLong(value.replace("kB", "").trim());
  }

  private static long directorySize(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException gone) {
          return 0;
        }
      }).sum();
    }
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = new long[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static final List<String> SHOWN = List.of("submit", "batch", "claim", "ack", "result", "bridge-ack",
      "bridge-result", "cancel", "get", "list", "ticket");

  private static void printHeader() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%6s %8s %8s %8s %7s %5s %7s %7s %8s",
        "min", "done", "heapMB", "rssMB", "threads", "fds", "sockets", "dbconn", "journal"));
    out.append("  p99 ms:");
    SHOWN.forEach(op -> out.append(String.format(Locale.ROOT, " %7s", shortName(op))));
    System.out.println(out);
  }

  private static void printRow(Sample s) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%6.1f %8d %8.1f %8.1f %7d %5d %7d %7d %8s",
        s.minute(), s.tasksDone(), s.heapMb(), s.rssMb(), s.threads(), s.fds(), s.sockets(), s.dbConnections(),
        s.journalBytes() / 1024 + "K"));
    out.append("         ");
    SHOWN.forEach(op -> out.append(String.format(Locale.ROOT, " %7s", s.p99().getOrDefault(op, "-"))));
    System.out.println(out);
    System.out.flush();
  }

  private static String shortName(String op) {
    return switch (op) {
      case "bridge-ack" -> "b-ack";
      case "bridge-result" -> "b-result";
      default -> op;
    };
  }

  private static void printTally(String label, Tally tally) {
    if (!tally.isEmpty()) {
      System.out.println(label + ": " + tally);
    }
  }

  // ------------------------------------------------------------------------------------------------------- verdict

  /** Least-squares slope per hour and its standard error. */
  record Fit(double slopePerHour, double standardError) {
    double lowerBound() {
      return slopePerHour - 2 * standardError;
    }
  }

  static Fit fit(List<Double> minutes, List<Double> values) {
    int n = minutes.size();
    double mx = minutes.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double my = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < n; i++) {
      sxx += (minutes.get(i) - mx) * (minutes.get(i) - mx);
      sxy += (minutes.get(i) - mx) * (values.get(i) - my);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx;
    double rss = 0;
    for (int i = 0; i < n; i++) {
      double residual = values.get(i) - (my + slope * (minutes.get(i) - mx));
      rss += residual * residual;
    }
    double se = n > 2 && sxx > 0 ? Math.sqrt(rss / (n - 2) / sxx) : Double.POSITIVE_INFINITY;
    return new Fit(slope * 60, se * 60);
  }

  /**
   * Over the second half of the samples: growth is a leak when the fitted slope's lower bound (slope − 2 standard
   * errors) is above the bound, so that noise on a short run does not read as a leak. True on a leak.
   */
  private boolean verdict(List<Sample> samples) {
    List<Sample> half = samples.subList(samples.size() / 2, samples.size());
    System.out.println();
    if (half.size() < 4) {
      System.out.printf("VERDICT: INCONCLUSIVE: %d samples in the second half, at least 4 are needed%n", half.size());
      return false;
    }
    List<Double> t = half.stream().map(Sample::minute).toList();
    Map<String, double[]> checks = new LinkedHashMap<>();
    checks.put("heap after GC (MB)", new double[] {heapBound});
    checks.put("RSS (MB)", new double[] {rssBound});
    checks.put("threads", new double[] {10});
    checks.put("file descriptors", new double[] {20});
    checks.put("database connections", new double[] {4});
    List<List<Double>> series = List.of(half.stream().map(Sample::heapMb).toList(),
        half.stream().map(Sample::rssMb).toList(), half.stream().map(s -> (double) s.threads()).toList(),
        half.stream().map(s -> (double) s.fds()).toList(), half.stream().map(s -> (double) s.dbConnections()).toList());
    boolean leak = false;
    int i = 0;
    System.out.printf("growth over the second half (%d samples, minute %.1f to %.1f), least-squares slope per hour "
        + "± 2 standard errors; a leak when slope − 2 SE exceeds the bound:%n", half.size(), t.get(0),
        t.get(t.size() - 1));
    for (Map.Entry<String, double[]> check : checks.entrySet()) {
      List<Double> values = series.get(i++);
      Fit f = fit(t, values);
      boolean grows = f.lowerBound() > check.getValue()[0];
      leak |= grows;
      System.out.printf(Locale.ROOT, "  %-22s %8.2f ± %6.2f per hour (first %.1f, last %.1f; bound %.0f)  %s%n",
          check.getKey(), f.slopePerHour(), 2 * f.standardError(), values.get(0), values.get(values.size() - 1),
          check.getValue()[0], grows ? "GROWS" : "flat");
    }
    System.out.println(leak ? "VERDICT: LEAK: growth above the bound (see above)" : "VERDICT: FLAT: no growth above "
        + "the bounds");
    return leak;
  }
}
