package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A well-behaved client's submissions while abusive clients hit the same server: slow request bodies, bad tokens,
 * floods of long-polling claims and 8 KB user agents, each abuser from its own loopback address (127.0.0.2 and up)
 * so that the per-address limits apply to it and not to the well-behaved client (127.0.0.1). The well-behaved client
 * runs in a JVM of its own ({@link WellBehavedProcess}: this class with {@code --role well-behaved}), so that what it
 * measures is not held up by the abusers' event loops or collector, or beside them with
 * {@code --well-behaved-in-process}. Before the measured abuse, the same abuse runs for {@code --warmup} seconds from
 * other addresses (127.1.x.x) and tenants, unmeasured: a server that has run for a while has compiled its refusal
 * paths, and the first seconds of a freshly started one measure its JIT compiler as much as its defences. Prints the
 * well-behaved client's submit latency alone, under the warm-up, after it and under abuse, with its own evidence
 * (event-loop lateness, collector pauses), and what the abusers got.
 */
@Command(name = "bench/abuse.sh", mixinStandardHelpOptions = true, sortOptions = false,
    description = "A well-behaved client's submit latency while abusive clients hit the fat jar.")
public final class AbuseBenchmark implements Callable<Integer> {

  @Option(names = "--abusers", defaultValue = "200", description = "abusive clients, a quarter of each kind (default: 200)")
  int abusers;

  @Option(names = "--seconds", defaultValue = "60", description = "seconds of abuse (default: 60)")
  int seconds;

  @Option(names = "--warmup", defaultValue = "20",
      description = "seconds of the same abuse before the measured one, from other addresses and tenants and not "
          + "measured, so that the server has compiled its refusal paths as a server that has run for a while has "
          + "(default: 20; 0 measures the abuse of a server that has only served the well-behaved client)")
  int warmup;

  @Option(names = "--baseline", defaultValue = "10", description = "seconds of the well-behaved client alone first (default: 10)")
  int baseline;

  @Option(names = "--rate", defaultValue = "50", description = "the well-behaved client's submissions a second (default: 50)")
  int rate;

  @Option(names = "--well-behaved-in-process",
      description = "run the well-behaved client in the benchmark's JVM, on the abusers' event loops, instead of in a "
          + "JVM of its own (for comparison)")
  boolean wellBehavedInProcess;

  @Option(names = "--well-behaved-java-opt",
      description = "a JVM option for the well-behaved client's own JVM (repeatable), "
          + "e.g. -Xlog:gc:file=/tmp/client-gc.log")
  List<String> wellBehavedJavaOptions = new ArrayList<>();

  @Mixin
  ServerOptions serverOptions;

  /** {@code well-behaved}: this process is the well-behaved client of a benchmark that started it. */
  @Option(names = "--role", defaultValue = "benchmark", hidden = true)
  String role;

  /** With {@code --role well-behaved}: the server's port. */
  @Option(names = "--port", hidden = true)
  int port;

  private enum Kind { SLOW_BODY, BAD_TOKEN, CLAIM_FLOOD, LONG_USER_AGENT }

  private Vertx vertx;
  private JWTAuth jwt;
  private ArbiterConfig.Auth auth;

  public static void main(String[] args) {
    System.exit(new CommandLine(new AbuseBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if ("well-behaved".equals(role)) {
      return WellBehavedClient.serve(port, System.getenv(WellBehavedProcess.TOKEN_VARIABLE), rate);
    }
    if (!"benchmark".equals(role)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--role is benchmark or well-behaved");
    }
    ArbiterProcess server = null;
    boolean clean = false;
    try {
      server = serverOptions.start(Duration.ofSeconds(120));
      vertx = Vertx.vertx();
      port = server.httpPort;
      auth = server.auth();
      jwt = Jwt.provider(vertx, auth);
      String token = token("bench-good", Role.SUBMITTER, "good");
      try (WellBehaved good = wellBehavedInProcess
          ? new WellBehavedClient(vertx, port, token, rate, "in the benchmark's JVM, on the abusers' event loops")
          : WellBehavedProcess.start(port, token, rate, wellBehavedJavaOptions)) {
        System.out.printf("%d cores; %d abusers (%s), well-behaved client at %d submissions/s %s%n%n",
            Runtime.getRuntime().availableProcessors(), abusers, List.of(Kind.values()), rate, good.where());
        print("alone", good.run("alone", baseline));
        if (warmup > 0) {
          Wave warm = new Wave(1, "warmup-");
          warm.start();
          System.out.printf("warm-up: %d s of the same abuse from 127.1.x.x and tenants warmup-*, not measured%n",
              warmup);
          print("in warm-up", good.run("warmup", warmup));
          warm.stop();
          System.out.println("  warm-up abusers' answers: " + new TreeMap<>(warm.answers));
          print("settled", good.run("settled", 5));
        }
        Wave wave = new Wave(0, "abuse-");
        System.out.printf("abuse begins at %s (wall clock, to match the server's log)%n", java.time.Instant.now());
        wave.start();
        WellBehaved.Phase abused = good.run("abused", seconds);
        wave.stop();
        print("under abuse", abused);
        System.out.println("abusers' answers: " + new TreeMap<>(wave.answers));
        new TreeMap<>(wave.firstDetails).forEach((answer, detail) -> System.out.printf("  first %s: %s%n", answer,
            detail));
        Percentiles under = Percentiles.of(abused.latencies());
        System.out.printf("RESULT: well-behaved submit p99 under abuse %.1f ms (bound 50 ms; client %s; %s): %s%n",
            under.at(99) / 1e6, wellBehavedInProcess ? "in the benchmark's JVM" : "in a JVM of its own",
            warmup > 0 ? warmup + " s warm-up" : "no warm-up", under.at(99) < 50_000_000 ? "within" : "above");
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      clean = true;
    } finally {
      serverOptions.stop(server, clean);
    }
    return 0;
  }

  private static void print(String label, WellBehaved.Phase phase) {
    Percentiles p = Percentiles.of(phase.latencies());
    System.out.printf("well-behaved submit, %-11s %5d requests in %d s: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        label, phase.latencies().length, phase.seconds(), p.at(50) / 1e6, p.at(99) / 1e6, p.at(100) / 1e6);
    System.out.println(phase.evidence());
  }

  private String token(String tenant, Role role, String subject) {
    return Jwt.mint(jwt, auth, tenant, role, subject, Duration.ofSeconds(baseline + seconds).plusHours(1));
  }

  /**
   * One set of abusers, each from its own address {@code 127.<octet>.x.y} and, where it needs one, a tenant of its
   * own named {@code <tenantPrefix><i>}; stopped, it sends no more requests and closes its connections.
   */
  private final class Wave {
    private final int octet;
    private final String tenantPrefix;
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    /** The problem detail of the first answer of each kind and status, to tell refusals of one status apart. */
    private final Map<String, String> firstDetails = new ConcurrentHashMap<>();
    private final AtomicBoolean abusing = new AtomicBoolean();
    private final List<HttpClient> httpClients = new ArrayList<>();
    private final List<NetClient> netClients = new ArrayList<>();

    Wave(int octet, String tenantPrefix) {
      this.octet = octet;
      this.tenantPrefix = tenantPrefix;
    }

    void start() {
      abusing.set(true);
      for (int i = 0; i < abusers; i++) {
        start(Kind.values()[i % Kind.values().length], i);
      }
    }

    /** Stops sending and closes every connection of the wave. */
    void stop() throws Exception {
      abusing.set(false);
      List<io.vertx.core.Future<Void>> closed = new ArrayList<>();
      httpClients.forEach(client -> closed.add(client.close()));
      netClients.forEach(client -> closed.add(client.close()));
      io.vertx.core.Future.join(closed).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private void counted(String what) {
      answers.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private void start(Kind kind, int i) {
      String address = "127." + octet + "." + (i / 250) + "." + (2 + i % 250);
      String tenant = tenantPrefix + i;
      switch (kind) {
        case SLOW_BODY -> {
          NetClient net = vertx.createNetClient(new NetClientOptions().setLocalAddress(address));
          netClients.add(net);
          slowBody(net, token(tenant, Role.SUBMITTER, "slow"));
        }
        case BAD_TOKEN -> loop(client(address), new RequestOptions().setURI("/api/v1/agents")
            .putHeader("Authorization", "Bearer not-a-token-" + i), "bad token");
        case CLAIM_FLOOD -> {
          HttpClient http = client(address);
          String admin = token(tenant, Role.ADMIN, "admin");
          http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                  .setURI("/api/v1/agents").putHeader("Authorization", "Bearer " + admin)
                  .putHeader("Content-Type", "application/json"))
              .compose(r -> r.send(new JsonObject().put("id", "flood").put("name", "flood")
                  .put("modelFamily", "claude").put("capabilities", new JsonObject()
                      .put("taskTypes", List.of("none")).put("languages", List.of())
                      .put("specializations", List.of())).put("maxConcurrentTasks", 1).encode()))
              .onComplete(registered -> {
                RequestOptions claim = new RequestOptions().setMethod(HttpMethod.POST)
                    .setURI("/api/v1/agents/flood/claim?wait=60")
                    .putHeader("Authorization", "Bearer " + token(tenant, Role.AGENT, "flood"));
                for (int c = 0; c < 8; c++) {
                  loop(http, claim, "claim flood");
                }
              });
        }
        case LONG_USER_AGENT -> loop(client(address), new RequestOptions().setURI("/api/v1/agents")
            .putHeader("User-Agent", "a".repeat(8_000)), "long user agent");
      }
    }

    private HttpClient client(String address) {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setLocalAddress(address),
          new PoolOptions().setHttp1MaxSize(8));
      httpClients.add(client);
      return client;
    }

    /** Sends {@code request} again as soon as it is answered, while the abuse lasts. */
    private void loop(HttpClient http, RequestOptions request, String what) {
      if (!abusing.get()) {
        return;
      }
      request.setHost("127.0.0.1").setPort(port);
      http.request(request).compose(r -> r.send()).compose(response -> response.body().map(body -> {
            firstDetails.putIfAbsent(what + " " + response.statusCode(), detail(body));
            return response.statusCode();
          }))
          .onComplete(done -> {
            if (!abusing.get()) {
              return;
            }
            counted(what + " " + (done.succeeded() ? done.result() : "failed"));
            vertx.setTimer(done.succeeded() ? 1 : 100, id -> loop(http, request, what));
          });
    }

    /** Announces a 1 MB body and sends one byte a second; connects again once the server closes it. */
    private void slowBody(NetClient net, String token) {
      if (!abusing.get()) {
        return;
      }
      net.connect(port, "127.0.0.1").onComplete(connected -> {
        if (connected.failed()) {
          counted("slow body connect failed");
          vertx.setTimer(100, id -> slowBody(net, token));
          return;
        }
        NetSocket socket = connected.result();
        socket.write("POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
            + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{");
        long drip = vertx.setPeriodic(1000, id -> socket.write(Buffer.buffer(" ")));
        socket.handler(data -> {
          String text = data.toString();
          if (text.startsWith("HTTP/1.1 ")) {
            counted("slow body " + text.substring(9, 12));
          }
        });
        socket.closeHandler(v -> {
          vertx.cancelTimer(drip);
          vertx.setTimer(100, id -> slowBody(net, token));
        });
      });
    }
  }

  private static String detail(Buffer body) {
    try {
      return String.valueOf(body.toJsonObject().getValue("detail"));
    } catch (RuntimeException e) {
      return body.length() + " bytes, not a problem body";
    }
  }
}
