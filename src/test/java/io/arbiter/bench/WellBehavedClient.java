package io.arbiter.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The well-behaved client on a given Vert.x instance: from 127.0.0.1, {@code POST /api/v1/tasks} at a fixed rate,
 * paced by a periodic timer, each submission timed from its send to its 202. A submission answered anything else fails
 * the phase. {@link #serve} is the same client as a process of its own, driven over its standard input and output.
 */
final class WellBehavedClient implements WellBehaved {

  private final Vertx vertx;
  private final int port;
  private final String token;
  private final int rate;
  private final String where;
  private final GcPauses gc = new GcPauses();

  WellBehavedClient(Vertx vertx, int port, String token, int rate, String where) {
    this.vertx = vertx;
    this.port = port;
    this.token = token;
    this.rate = rate;
    this.where = where;
  }

  @Override
  public String where() {
    return where;
  }

  @Override
  public Phase run(String name, int seconds) throws Exception {
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setLocalAddress("127.0.0.1"),
        new PoolOptions().setHttp1MaxSize(16));
    long periodMs = Math.max(1, 1000 / rate);
    long total = (long) seconds * rate;
    // the timer's handler runs on one event loop only, so these need no locking
    List<Future<long[]>> sent = new ArrayList<>();
    Promise<Void> allSent = Promise.promise();
    long gcFrom = GcPauses.now();
    long started = System.nanoTime();
    Lateness lateness = new Lateness(periodMs, started);
    vertx.setPeriodic(0, periodMs, id -> {
      long sentAt = System.nanoTime();
      lateness.tick(sentAt);
      if (sent.size() >= total) {
        vertx.cancelTimer(id);
        allSent.tryComplete();
        return;
      }
      sent.add(http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
              .setURI("/api/v1/tasks").putHeader("Authorization", "Bearer " + token)
              .putHeader("Content-Type", "application/json"))
          .compose(r -> r.send(new JsonObject().put("type", "bench-good").encode()))
          .compose(response -> response.body().map(b -> {
            if (response.statusCode() != 202) {
              throw new IllegalStateException("well-behaved submission answered " + response.statusCode() + ": " + b);
            }
            return new long[] {sentAt - started, System.nanoTime() - sentAt};
          })));
    });
    TaskBenchmark.await(allSent.future(), seconds + 60L);
    List<long[]> timed = TaskBenchmark.await(Future.all(sent).map(all -> sent.stream().map(Future::result).toList()),
        60);
    http.close();
    long[] latencies = new long[timed.size()];
    long[] slowest = {0, 0};
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = timed.get(i)[1];
      if (timed.get(i)[1] > slowest[1]) {
        slowest = timed.get(i);
      }
    }
    return new Phase(name, seconds, latencies, slowest[0] / 1_000_000, lateness.worst / 1e6,
        lateness.worstAt / 1_000_000, gc.since(gcFrom));
  }

  /** How much longer than its period the pacing timer waited between two ticks at worst, and when (ns into it). */
  private static final class Lateness {
    private final long periodNanos;
    private final long started;
    private long last;
    private long worst;
    private long worstAt;

    Lateness(long periodMs, long started) {
      this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMs);
      this.started = started;
    }

    void tick(long now) {
      if (last != 0 && now - last - periodNanos > worst) {
        worst = now - last - periodNanos;
        worstAt = now - started;
      }
      last = now;
    }
  }

  @Override
  public void close() {
    gc.close();
  }

  /**
   * The client as a process of its own: reads lines {@code <phase> <seconds>} from standard input, runs each phase and
   * answers it with one line of JSON on standard output ({@link Phase#toJson()}, or {@code {"phase": ..., "error":
   * ...}}); ends at the end of its input.
   */
  static int serve(int port, String token, int rate) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    try (WellBehavedClient client = new WellBehavedClient(vertx, port, token, rate, "")) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] command = line.trim().split("\\s+");
        try {
          out.println(client.run(command[0], Integer.parseInt(command[1])).toJson().encode());
        } catch (Exception e) {
          out.println(new JsonObject().put("phase", command[0]).put("error", String.valueOf(e.getMessage())).encode());
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return 0;
  }
}
