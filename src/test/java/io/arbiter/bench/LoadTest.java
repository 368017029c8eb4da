package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The load test: the fat jar on its embedded PostgreSQL, driven by wrk with {@code bench/load.lua} over many
 * connections, half of them submitters (submit, get, list) and half agents (claim with wait 0, ack, result), each with
 * a token minted for the run. Prints wrk's figures per kind of request. See bench/README.md.
 */
@Command(name = "bench/load.sh", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Arbiter under wrk: throughput and p50/p95/p99 per endpoint over many connections.")
public final class LoadTest implements Callable<Integer> {

  static final String TASK_TYPE = "load";

  @Option(names = "--connections", defaultValue = "200",
      description = "concurrent connections, one wrk thread each (default: 200)")
  int connections;

  @Option(names = "--agent-share", defaultValue = "0.5",
      description = "share of the connections that are agents; the rest submit and read (default: 0.5)")
  double agentShare;

  @Option(names = "--seconds", defaultValue = "60", description = "duration of the measured run (default: 60)")
  int seconds;

  @Option(names = "--warmup", defaultValue = "20",
      description = "seconds of the same load before the measured run, not reported (default: 20; 0: none)")
  int warmup;

  @Option(names = "--think-ms", defaultValue = "0",
      description = "each connection's pause between an answer and its next request, as a user or an agent at work "
          + "takes (default: 0: a closed loop, each connection asking again at once)")
  int thinkMs;

  @Option(names = "--agent-capacity", defaultValue = "8", description = "each agent's maxConcurrentTasks (default: 8)")
  int capacity;

  @Option(names = "--script", defaultValue = "bench/load.lua", description = "the wrk script (default: bench/load.lua)")
  Path script;

  @Mixin
  ServerOptions serverOptions;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadTest()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    int agents = (int) Math.round(connections * agentShare);
    if (connections < 2 || agents < 1 || agents >= connections || seconds < 1 || warmup < 0) {
      System.err.println("--connections must be at least 2, with at least one agent and one submitter; "
          + "--seconds at least 1");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    ArbiterProcess server = null;
    boolean clean = false;
    try {
      server = serverOptions.start(Duration.ofSeconds(300));

      ArbiterConfig.Auth auth = server.auth();
      JWTAuth jwt = Jwt.provider(vertx, auth);
      byte[] id = new byte[3];
      ThreadLocalRandom.current().nextBytes(id);
      String tenant = "load-" + HexFormat.of().formatHex(id);
      Duration life = Duration.ofSeconds(warmup + seconds + 600L);
      List<SimulatedAgents.Agent> registered = new ArrayList<>();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        if ((i + 1) * agents / connections > i * agents / connections) {
          String agentId = "load-agent-" + registered.size();
          String token = Jwt.mint(jwt, auth, tenant, Role.AGENT, agentId, life);
          registered.add(new SimulatedAgents.Agent(agentId, token));
          lines.add("agent " + agentId + " " + token);
        } else {
          lines.add("submitter " + Jwt.mint(jwt, auth, tenant, Role.SUBMITTER, "load-submitter-" + i, life));
        }
      }
      ArbiterApi api = new ArbiterApi(vertx, URI.create(server.baseUrl()), 16);
      try {
        TaskBenchmark.await(SimulatedAgents.register(api, registered,
            Jwt.mint(jwt, auth, tenant, Role.ADMIN, "load-admin", life), capacity, TASK_TYPE), 120);
      } finally {
        api.close();
      }
      Path config = server.dataDir.resolve("load.conf");
      Files.write(config, lines);
      System.out.printf("machine: %d cores, Java %s; %d connections: %d agents (capacity %d) claiming with wait 0, "
              + "%d submitters; tenant %s; %s%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"), connections, agents, capacity, connections - agents, tenant,
          thinkMs == 0 ? "closed loop" : thinkMs + " ms between an answer and the next request");

      if (warmup > 0) {
        System.out.printf("warm-up: %d s (not reported) ...%n", warmup);
        if (wrk(server, config, warmup, false) != 0) {
          return 2;
        }
      }
      System.out.printf("%nmeasured: %d s (load average before: %s)%n", seconds, loadAverage());
      long postmaster = postmasterPid(server.dataDir);
      double serverCpu = cpuSeconds(server.pid());
      double databaseCpu = databaseCpuSeconds(postmaster);
      long started = System.nanoTime();
      int rc = wrk(server, config, seconds, true);
      double wall = (System.nanoTime() - started) / 1e9;
      serverCpu = cpuSeconds(server.pid()) - serverCpu;
      databaseCpu = databaseCpuSeconds(postmaster) - databaseCpu;
      System.out.printf("load average after: %s%n", loadAverage());
      System.out.printf("CPU during the measured run (%.0f s): Arbiter %.1f s (%.2f cores), PostgreSQL %.1f s (%.2f "
          + "cores), of the machine's %d%n", wall, serverCpu, serverCpu / wall, databaseCpu, databaseCpu / wall,
          Runtime.getRuntime().availableProcessors());
      String exited = server.exited(Duration.ZERO);
      if (exited != null) {
        System.out.println(exited);
        return 2;
      }
      clean = rc == 0;
      return rc == 0 ? 0 : 2;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      serverOptions.stop(server, clean);
    }
  }

  private static final double CLOCK_TICKS = 100.0;

  /** User and system CPU seconds of a process ({@code /proc/<pid>/stat}; 0 when it is gone). */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
    } catch (java.io.IOException | RuntimeException gone) {
      return 0;
    }
  }

  /** The embedded PostgreSQL's postmaster (first line of {@code postmaster.pid} in its data directory), or -1. */
  private static long postmasterPid(Path dataDir) {
    try (var files = Files.walk(dataDir, 4)) {
      Path pidFile = files.filter(f -> f.getFileName().toString().equals("postmaster.pid")).findFirst().orElse(null);
      return pidFile == null ? -1 : Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU seconds of the postmaster and its live children (the backends, the WAL writer, ...). */
  private static double databaseCpuSeconds(long postmaster) {
    if (postmaster < 0) {
      return 0;
    }
    double total = cpuSeconds(postmaster);
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String stat = Files.readString(proc.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(fields[1]) == postmaster) {
            total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
          }
        } catch (java.io.IOException | RuntimeException gone) {
          // ended between the listing and the read
        }
      }
    } catch (java.io.IOException e) {
      return total;
    }
    return total;
  }

  /** The machine's 1, 5 and 15 minute load averages: on a shared machine, what the figures were measured beside. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** Runs wrk once; its output goes to ours when {@code show}. */
  private int wrk(ArbiterProcess server, Path config, int duration, boolean show) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("wrk", "-t", Integer.toString(connections), "-c",
        Integer.toString(connections), "-d", duration + "s", "--timeout", "30s", "-s",
        script.toAbsolutePath().toString(), server.baseUrl())
        .redirectErrorStream(true);
    builder.environment().put("LOAD_CONFIG", config.toString());
    builder.environment().put("LOAD_THINK_MS", Integer.toString(thinkMs));
    if (show) {
      builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
    } else {
      builder.redirectOutput(server.dataDir.resolve("wrk-warmup.out").toFile());
    }
    Process wrk;
    try {
      wrk = builder.start();
    } catch (java.io.IOException e) {
      System.out.println("wrk could not start (" + e.getMessage() + "): install it, e.g. apt-get install wrk");
      return 2;
    }
    if (!wrk.waitFor(duration + 120L, TimeUnit.SECONDS)) {
      wrk.destroyForcibly();
      System.out.println("wrk did not end in time");
      return 2;
    }
    if (wrk.exitValue() != 0) {
      System.out.println("wrk exited with " + wrk.exitValue() + (show ? "" : ": "
          + Files.readString(server.dataDir.resolve("wrk-warmup.out"))));
    }
    return wrk.exitValue();
  }
}
