package io.arbiter.bench;

import static io.arbiter.bench.TaskBenchmark.await;

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
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.Awaitility;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The audit-trail benchmark: how many audit records per second Arbiter appends to its hash-chained {@code audit_log},
 * measured at the log itself. It starts the fat jar (or uses a running Arbiter), drives audited requests from 1 and
 * then C concurrent HTTP clients, counts the records sealed while they ran from the seals' own {@code sealed_at},
 * measures the seal capacity on preloaded records, and verifies the whole chain at the end. See bench/README.md.
 */
@Command(name = "bench/audit.sh", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Audit records appended per second to the hash-chained audit log, and the chain verified.")
public final class AuditBenchmark implements Callable<Integer> {

  @Option(names = "--clients", split = ",", defaultValue = "1,16",
      description = "concurrent HTTP clients of each run, comma-separated (default: 1,16)")
  List<Integer> clientCounts;

  @Option(names = "--seconds", defaultValue = "20", description = "measured seconds of each run (default: 20)")
  int seconds;

  @Option(names = "--warmup", defaultValue = "5", description = "seconds of load before each run's window (default: 5)")
  int warmupSeconds;

  @Option(names = "--preload", defaultValue = "100000",
      description = "audit records inserted by SQL (one transaction) for the seal-capacity run (default: 100000; 0 skips it)")
  int preload;

  @Mixin
  ServerOptions server;

  @Mixin
  ServerOptions.Running running;

  private static final long REQUEST_TIMEOUT_MS = 30_000;

  /** $1 tenant, $2 rows: one statement, one commit. */
  static final String PRELOAD = """
      WITH inserted AS (
        INSERT INTO audit_log (tenant_id, actor_sub, actor_role, action, target, outcome, correlation_id, details)
        SELECT $1, 'bench', 'system', 'bench.preloaded', 'bench:' || n, 'success', 'bench-' || n,
               jsonb_build_object('n', n, 'note', 'preloaded by bench/audit.sh')
        FROM generate_series(1, $2) AS n
        RETURNING 1
      )
      SELECT count(*) FROM inserted
      """;

  /** $1 window start, $2 window end (database clock): what was sealed in the window. */
  static final String WINDOW = """
      SELECT count(*) AS chained, count(DISTINCT s.id) AS batches,
             (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.sealed_at - l.at)) * 1000)::float8
               AS lag_p50,
             (percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM s.sealed_at - l.at)) * 1000)::float8
               AS lag_p99,
             extract(epoch FROM $2::timestamptz - $1::timestamptz)::float8 AS seconds
      FROM audit_seals s JOIN audit_log l ON l.txid >= s.from_txid AND l.txid < s.to_txid
      WHERE s.sealed_at >= $1 AND s.sealed_at < $2
      """;

  /**
   * $1 tenant, $2 last id before the preload: the seals of the preloaded rows (one transaction, so one seal), and the
   * time from the last preloaded row's insert to its seal.
   */
  static final String PRELOAD_DRAINED = """
      WITH seals AS (
        SELECT DISTINCT s.id, s.records, s.sealed_at FROM audit_seals s
        JOIN audit_log l ON l.txid >= s.from_txid AND l.txid < s.to_txid
        WHERE l.tenant_id = $1 AND l.id > $2
      )
      SELECT sum(records)::bigint AS chained, count(*) AS batches,
             extract(epoch FROM max(sealed_at)
               - (SELECT max(at) FROM audit_log WHERE tenant_id = $1 AND id > $2))::float8 AS seconds
      FROM seals
      """;
  private static final Duration DRAIN_WAIT = Duration.ofMinutes(10);

  /** Records written but not yet sealed. */
  static final String UNSEALED = "SELECT count(*) FROM audit_log "
      + "WHERE txid >= COALESCE((SELECT max(to_txid) FROM audit_seals), 0)";

  private final String runId = TaskBenchmark.randomId();
  private Vertx vertx;
  private URI base;
  private Pool db;
  private JWTAuth jwt;
  private ArbiterConfig.Auth auth;

  public static void main(String[] args) {
    System.exit(new CommandLine(new AuditBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!running.problems().isEmpty()) {
      throw new CommandLine.ParameterException(new CommandLine(this), String.join("; ", running.problems()));
    }
    vertx = Vertx.vertx();
    ServerOptions.Target target = null;
    boolean clean = false;
    try {
      target = server.open(running, Duration.ofSeconds(120));
      base = target.base();
      auth = target.auth();
      jwt = Jwt.provider(vertx, auth);
      db = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
          .connectingTo(PgConnectOptions.fromUri(target.dbUrl().replaceFirst("^postgres://", "postgresql://")))
          .using(vertx).build();
      System.out.printf("machine: %d cores, Java %s; run id %s%n%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"), runId);
      System.out.println("""
          Method. Every request is PATCH /api/v1/agents/{id} {"name": ...}: one transaction that updates the agent and
          writes exactly one audit record into audit_log; the audit verticle then seals it into the hash chain
          (batches under an advisory lock: read, SHA-256 in Java, one audit_seals row per batch). Each client has an agent of its own
          (no row contention) and sends its next request when the previous one answered. After a warm-up, the window
          opens and closes on the database clock; "chained" counts the records of the seals written in the window,
          divided by its length: records sealed per second measured at the database, whatever HTTP did. The seal
          capacity run inserts N rows straight into audit_log with SQL (one transaction) while no client runs and
          times the server's seal of them, from the last row's insert to its seal.
          """);

      for (int clients : clientCounts) {
        runHttp(clients);
      }
      if (preload > 0) {
        runPreloaded();
      }
      boolean ok = verifyChain();
      System.out.println();
      System.out.println(ok ? "RESULT: OK: the chain verifies" : "RESULT: FAILED: the chain does not verify");
      clean = ok;
      return ok ? 0 : 1;
    } finally {
      if (db != null) {
        db.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      server.stop(target, clean);
    }
  }

  /** C clients, each PATCHing its own agent in a loop, for the warm-up and then the measured window. */
  private void runHttp(int clients) throws Exception {
    String tenant = "auditbench-" + runId + "-c" + clients;
    String admin = token(tenant, Role.ADMIN, "bench-admin");
    ArbiterApi api = new ArbiterApi(vertx, base, clients);
    try {
      for (int c = 0; c < clients; c++) {
        HttpResponse<Buffer> registered = await(api.post("/agents", admin, new JsonObject().put("id", "a-" + c)
            .put("modelFamily", "claude").put("capabilities", new JsonObject()
                .put("taskTypes", new JsonArray().add("audit-bench"))), REQUEST_TIMEOUT_MS), 60);
        if (registered.statusCode() != 201) {
          throw new IllegalStateException("registering agent a-" + c + " answered " + registered.statusCode() + " "
              + ArbiterApi.text(registered));
        }
      }
      LongAdder answered = new LongAdder();
      Tally errors = new Tally();
      Percentiles.Recorder micros = new Percentiles.Recorder();
      AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
      List<Future<Void>> loops = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        String path = "/agents/a-" + c;
        AtomicLong n = new AtomicLong();
        loops.add(Loop.repeat(() -> {
          if (System.nanoTime() >= stopAt.get()) {
            return Future.succeededFuture(false);
          }
          long sent = System.nanoTime();
          return api.patch(path, admin, new JsonObject().put("name", "n-" + n.incrementAndGet()), REQUEST_TIMEOUT_MS)
              .transform(ar -> {
                micros.add((System.nanoTime() - sent) / 1000);
                if (ar.failed()) {
                  errors.add("patch " + ar.cause().getClass().getSimpleName(), ar.cause().getMessage());
                } else if (ar.result().statusCode() != 200) {
                  errors.add("patch " + ar.result().statusCode(), ArbiterApi.text(ar.result()));
                } else {
                  answered.increment();
                }
                return Future.succeededFuture(true);
              });
        }));
      }
      Thread.sleep(warmupSeconds * 1000L);
      OffsetDateTime windowStart = now();
      long answeredAtStart = answered.sum();
      long started = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      OffsetDateTime windowEnd = now();
      long answeredInWindow = answered.sum() - answeredAtStart;
      long elapsed = System.nanoTime() - started;
      long pendingAtEnd = scalar(UNSEALED);
      stopAt.set(System.nanoTime());
      await(Future.all(loops), 120);
      awaitDrained();

      Row window = one(WINDOW, windowStart, windowEnd);
      double windowSeconds = window.getDouble("seconds");
      long chained = window.getLong("chained");
      long batches = window.getLong("batches");
      System.out.printf("%d client%s, %d s window:%n", clients, clients == 1 ? "" : "s", seconds);
      System.out.printf(Locale.ROOT, "  sealed into the chain   %7.0f records/s   (%d records in %.2f s, %d seals, "
              + "%.1f records per seal)%n", chained / windowSeconds, chained, windowSeconds, batches,
          batches == 0 ? 0.0 : (double) chained / batches);
      System.out.printf(Locale.ROOT, "  audited requests        %7.0f requests/s  (PATCH ms %s)%n",
          answeredInWindow / (elapsed / 1e9), Percentiles.of(micros.toArray()).millis(50, 99));
      System.out.printf(Locale.ROOT, "  event -> sealed ms      p50 %.1f  p99 %.1f   (unsealed at window end: %d)%n",
          window.getDouble("lag_p50"), window.getDouble("lag_p99"), pendingAtEnd);
      if (!errors.isEmpty()) {
        System.out.println("  errors: " + errors);
      }
      System.out.println();
    } finally {
      api.close();
    }
  }

  /** N records in one SQL statement while no client runs; the server seals them. */
  private void runPreloaded() throws Exception {
    awaitDrained();
    String tenant = "auditbench-" + runId + "-preload";
    long lastIdBefore = scalar("SELECT coalesce(max(id), 0) FROM audit_log");
    one(PRELOAD, tenant, preload);
    awaitDrained();
    Row drained = one(PRELOAD_DRAINED, tenant, lastIdBefore);
    long chained = drained.getLong("chained");
    long batches = drained.getLong("batches");
    double span = drained.getDouble("seconds");
    System.out.printf("seal capacity, %d records inserted by SQL in one transaction:%n", preload);
    System.out.printf(Locale.ROOT, "  sealed into the chain   %7.0f records/s   (%d records in %d seal%s; last insert "
        + "to seal %.2f s)%n", span > 0 ? chained / span : Double.NaN, chained, batches, batches == 1 ? "" : "s", span);
    System.out.println();
  }

  /** GET /api/v1/audit/verify over the whole chain, timed. */
  private boolean verifyChain() throws Exception {
    ArbiterApi api = new ArbiterApi(vertx, base, 1);
    try {
      long started = System.nanoTime();
      HttpResponse<Buffer> reply = await(api.get("/audit/verify", token("auditbench-" + runId, Role.PLATFORM,
          "bench-auditor"), 600_000), 660);
      double elapsed = (System.nanoTime() - started) / 1e9;
      JsonObject result = ArbiterApi.json(reply);
      System.out.printf(Locale.ROOT, "verify: %s in %.2f s (%.0f records/s)%n", ArbiterApi.text(reply), elapsed,
          result.getLong("checked", 0L) / elapsed);
      return reply.statusCode() == 200 && result.getBoolean("ok", false);
    } finally {
      api.close();
    }
  }

  private void awaitDrained() throws Exception {
    try {
      Awaitility.await("the audit records sealed").atMost(DRAIN_WAIT).pollInSameThread().pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50)).until(() -> scalar(UNSEALED) == 0);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("the audit records were not sealed within " + DRAIN_WAIT.toMinutes() + " min");
    }
  }

  private OffsetDateTime now() throws Exception {
    return one("SELECT clock_timestamp() AS now").getOffsetDateTime("now");
  }

  private long scalar(String sql) throws Exception {
    return one(sql).getLong(0);
  }

  private Row one(String sql, Object... params) throws Exception {
    RowSet<Row> rows = await(db.preparedQuery(sql).execute(Tuple.wrap(List.of(params))), 600);
    return rows.iterator().next();
  }

  private String token(String tenant, Role role, String subject) {
    return Jwt.mint(jwt, auth, tenant, role, subject, Duration.ofHours(2));
  }
}
