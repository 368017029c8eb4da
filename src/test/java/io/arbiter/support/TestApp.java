package io.arbiter.support;

import io.arbiter.Arbiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Arbiter started in-process, exactly as {@code java -jar} starts it, on a fresh database of
 * {@link TestDatabase} (or the one given), a free port and a temporary data directory. It gives tests an HTTP client,
 * tokens, and a pool on the same database for checking what was written.
 */
public final class TestApp implements AutoCloseable {

  /** The HS256 secret tests sign with. */
  public static final String SECRET = "test-secret-0123456789-0123456789-abcdefgh";

  /** Counts the audit records written but not yet sealed into the hash chain. */
  public static final String UNSEALED = "SELECT count(*) FROM audit_log "
      + "WHERE txid >= COALESCE((SELECT max(to_txid) FROM audit_seals), 0)";

  private final Arbiter arbiter;
  private final Path ownedDataDir;
  private final String dbUrl;
  private final Vertx clientVertx;
  private final Http http;
  private final Tokens tokens;
  private Pool sql;

  private TestApp(Arbiter arbiter, String dbUrl, Path ownedDataDir) {
    this.arbiter = arbiter;
    this.dbUrl = dbUrl;
    this.ownedDataDir = ownedDataDir;
    this.clientVertx = Vertx.vertx();
    this.http = new Http(clientVertx, arbiter.port());
    this.tokens = new Tokens(clientVertx, arbiter.config().auth());
  }

  public static TestApp start() {
    return start(Map.of());
  }

  public static TestApp start(Map<String, Object> overrides) {
    return start(Path.of("target/no-such-conf.json"), overrides);
  }

  /** Starts with {@code confFile} as the watched conf file and {@code overrides} above everything else. */
  public static TestApp start(Path confFile, Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>(defaults());
    // the data directory made for this app is deleted with it; one the test passes in is the test's own
    Path made = Path.of((String) settings.get("dataDir"));
    Path owned = overrides.containsKey("dataDir") ? null : made;
    settings.putAll(overrides);
    settings.computeIfAbsent("db.url", k -> TestDatabase.freshDatabaseUrl());
    if (owned == null) {
      Trees.delete(made);
    }
    try {
      Arbiter arbiter = Arbiter.start(new Arbiter.Options(confFile.toString(), settings));
      return new TestApp(arbiter, (String) settings.get("db.url"), owned);
    } catch (RuntimeException e) {
      Trees.delete(owned);
      throw e;
    }
  }

  /** Test-friendly settings: fast sweeps and drains, a short breaker reset, a fixed secret, a free port. */
  public static Map<String, Object> defaults() {
    try {
      return Map.of(
          "http.host", "127.0.0.1",
          "http.port", 0,
          "dataDir", Files.createTempDirectory("arbiter-test-data").toString(),
          "auth.jwtSecret", SECRET,
          "breaker.maxFailures", 2,
          "breaker.timeoutMs", 2000,
          "breaker.resetTimeoutMs", 1000,
          "registry.sweepIntervalMs", 200,
          "audit.drainIntervalMs", 100,
          // tests send bad tokens on purpose, all from 127.0.0.1: the block has its own test (RateLimitsTest)
          "auth.failuresPerMinute", 1000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Http http() {
    return http;
  }

  public Tokens tokens() {
    return tokens;
  }

  public Arbiter arbiter() {
    return arbiter;
  }

  /** The app's database: start a second Arbiter with {@code Map.of("db.url", dbUrl())} to run two nodes on it. */
  public String dbUrl() {
    return dbUrl;
  }

  /** Runs a query on the app's database (a separate pool: what the app committed, as any reader sees it). */
  public RowSet<Row> sql(String query, Object... params) {
    return await(pool().preparedQuery(query).execute(Tuple.wrap(List.of(params))));
  }

  /**
   * Waits until every outcome recorded for the tenant has been folded into its agents' load, figures and learning
   * arms (results record them at once; the fold applies them in batches, within milliseconds).
   */
  public void awaitOutcomesFolded(String tenantId) {
    eventually(Duration.ofSeconds(10), "the recorded outcomes of " + tenantId + " are folded into their agents",
        () -> sql("SELECT 1 FROM agent_outcomes WHERE tenant_id = $1 LIMIT 1", tenantId).size() == 0);
  }

  /**
   * The plan PostgreSQL keeps for {@code statement} when it plans it once for every call
   * ({@code EXPLAIN (GENERIC_PLAN)}; its parameters stay {@code $1}, {@code $2}, ...), one line per row.
   */
  public List<String> genericPlan(String statement) {
    return List.of(genericPlans(List.of(statement)).get(0).split("\n"));
  }

  /**
   * {@link #genericPlan} of each statement, all on one connection inside a transaction that is rolled back afterwards,
   * after {@code setup} ran in it: {@code SET LOCAL} settings, or rows deleted and {@code ANALYZE} run so that the
   * plans see other statistics (an {@code ANALYZE} in a transaction leaves the table's row count estimate behind: run
   * it again afterwards). Each plan joined into one text, in the statements' order.
   */
  public List<String> genericPlans(List<String> statements, String... setup) {
    return await(pool().withConnection(connection -> connection.begin().compose(tx -> {
      Future<Void> done = Future.succeededFuture();
      for (String statement : setup) {
        done = done.compose(previous -> connection.query(statement).execute().mapEmpty());
      }
      List<String> plans = new java.util.ArrayList<>();
      for (String statement : statements) {
        done = done.compose(previous -> connection.query("EXPLAIN (GENERIC_PLAN) " + statement).execute()
            .map(rows -> {
              List<String> lines = new java.util.ArrayList<>();
              rows.forEach(row -> lines.add(row.getString(0)));
              plans.add(String.join("\n", lines));
              return null;
            }));
      }
      return done.eventually(tx::rollback).map(plans);
    })));
  }

  /** Runs {@code statements} in one transaction, as plain queries (DDL such as {@code ALTER TABLE} included). */
  public void sqlTransaction(String... statements) {
    await(pool().withTransaction(connection -> {
      Future<RowSet<Row>> done = Future.succeededFuture();
      for (String statement : statements) {
        done = done.compose(previous -> connection.query(statement).execute());
      }
      return done;
    }));
  }

  /**
   * Opens a transaction, runs {@code statements} in it (row locks such as {@code SELECT ... FOR UPDATE}) and holds it
   * open until {@link Held#commit} or the first {@link Held#close}, which rolls it back.
   */
  public Held holdTransaction(String... statements) {
    SqlConnection connection = await(pool().getConnection());
    Held held = new Held(connection, await(connection.begin()));
    for (String statement : statements) {
      held.run(statement);
    }
    return held;
  }

  /** A transaction {@link #holdTransaction} holds open. */
  public static final class Held implements AutoCloseable {
    private final SqlConnection connection;
    private final Transaction tx;
    private boolean open = true;

    private Held(SqlConnection connection, Transaction tx) {
      this.connection = connection;
      this.tx = tx;
    }

    /** Runs one more statement in the transaction, with positional parameters. */
    public RowSet<Row> run(String statement, Object... params) {
      return await(params.length == 0 ? connection.query(statement).execute()
          : connection.preparedQuery(statement).execute(Tuple.from(params)));
    }

    /** Commits the transaction and gives its connection back. */
    public void commit() {
      open = false;
      await(tx.commit().eventually(connection::close));
    }

    /** Rolls the transaction back unless it was committed. */
    @Override
    public void close() {
      if (open) {
        open = false;
        await(tx.rollback().eventually(connection::close));
      }
    }
  }

  private Pool pool() {
    if (sql == null) {
      sql = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(dbUrl)).using(clientVertx).build();
    }
    return sql;
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("waited for a future: " + e, e);
    }
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes (then fails with {@code what}). */
  public static void eventually(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
    try {
      Awaitility.await(what).atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(25))
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out after " + timeout + " waiting until " + what);
    }
  }

  @Override
  public void close() {
    if (sql != null) {
      await(sql.close());
    }
    await(clientVertx.close());
    arbiter.close();
    Trees.delete(ownedDataDir);
  }
}
