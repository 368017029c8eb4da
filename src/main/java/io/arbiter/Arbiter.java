package io.arbiter;

import io.arbiter.audit.AuditVerticle;
import io.arbiter.audit.SealCounter;
import io.arbiter.callback.CallbackVerticle;
import io.arbiter.cluster.ClusterSettings;
import io.arbiter.cluster.Clustering;
import io.arbiter.bus.Addresses;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.ConfigException;
import io.arbiter.config.ConfigLoader;
import io.arbiter.config.ConfigValues;
import io.arbiter.config.ConfigWatcher;
import io.arbiter.config.LogLevels;
import io.arbiter.db.Database;
import io.arbiter.db.EmbeddedDatabase;
import io.arbiter.db.Secrets;
import io.arbiter.http.Ingress;
import io.arbiter.http.auth.DevSecret;
import io.arbiter.policy.PolicyVerticle;
import io.arbiter.registry.RegistryVerticle;
import io.arbiter.routing.RoutingSettings;
import io.arbiter.routing.RoutingVerticle;
import io.arbiter.schedule.ScheduleVerticle;
import io.arbiter.task.RetentionVerticle;
import io.arbiter.task.TaskVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.config.ConfigRetriever;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Arbiter: config → preflight (ports free, the data directory locked) → database (embedded in dev mode,
 * then Flyway) → verticles deployed in dependency order (audit, policy, registry, tasks, callbacks, routing,
 * schedules, HTTP
 * ingress).
 * {@link #start} blocks until it serves or fails with a {@link StartupException} whose message names the cause in one
 * line; a failed start removes the data directory if it created it.
 */
public final class Arbiter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Arbiter.class);

  /** Where to read settings from; {@code overrides} are flat {@code path → value} pairs above everything else. */
  public record Options(String confFile, Map<String, Object> overrides) {
    public static Options defaults() {
      return new Options(ConfigLoader.confFile(null), Map.of());
    }
  }

  /** A failure to start, with a message fit to print as the process's last line. */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message, Throwable cause) {
      super(Secrets.mask(message), cause, false, false);
    }
  }

  private final Vertx vertx;
  private final ArbiterConfig config;
  private final RoutingSettings routing;
  private final DataDirLock dataDir;
  private final EmbeddedDatabase embedded;
  private final Ingress http;
  private boolean closed;

  private Arbiter(Vertx vertx, ArbiterConfig config, RoutingSettings routing, DataDirLock dataDir,
                  EmbeddedDatabase embedded, Ingress http) {
    this.vertx = vertx;
    this.config = config;
    this.routing = routing;
    this.dataDir = dataDir;
    this.embedded = embedded;
    this.http = http;
  }

  public static Arbiter start(Options options) {
    ConfigValues values;
    ArbiterConfig config;
    DomainSettings domains;
    ClusterSettings cluster;
    try {
      values = loadConfig(options);
      config = ArbiterConfig.from(values);
      domains = DomainSettings.from(values);
      cluster = ClusterSettings.from(values);
    } catch (RuntimeException e) {
      throw e instanceof StartupException s ? s : new StartupException(describe(e), e);
    }
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.config().meterFilter(HttpMethodLabel.FILTER);
    Vertx vertx = await(Clustering.build(Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics)),
        vertxOptions(), cluster).recover(e -> Future.failedFuture(new StartupException("cluster: this node could not "
        + "join on " + cluster.host() + ":" + cluster.port() + ": " + describe(e), e))));
    DataDirLock dataDir = null;
    EmbeddedDatabase embedded = null;
    try {
      LogLevels.apply(config.live().logLevel());
      Preflight.requireHttpPortFree(config.http());
      if (!config.db().external()) {
        Preflight.requireEmbeddedPortFree(config.db());
      }
      dataDir = DataDirLock.acquire(config.dataDir());
      if (!config.db().external()) {
        embedded = EmbeddedDatabase.start(config.dataDir(), config.db().embeddedPort());
        config = config.withDb(embedded.settings(config.db()));
      }
      config = withSecret(config);
      migrate(config);
      requireSealableAudit(config);
      ArbiterConfig ready = config;
      Ingress http = new Ingress(ready, metrics);
      await(vertx.deployVerticle(new AuditVerticle(ready, metrics))
          .compose(id -> vertx.deployVerticle(new PolicyVerticle(ready, metrics)))
          .compose(id -> vertx.deployVerticle(new RegistryVerticle(ready, domains.routing().levels(), metrics)))
          .compose(id -> vertx.deployVerticle(new TaskVerticle(ready, domains.callbacks(),
              domains.routing().learning().discount(), metrics)))
          .compose(id -> vertx.deployVerticle(new CallbackVerticle(ready, domains.callbacks(), metrics)))
          .compose(id -> vertx.deployVerticle(new RetentionVerticle(ready, domains.retention(), metrics)))
          .compose(id -> deployLanes(vertx, ready, domains.routing(), metrics))
          .compose(id -> vertx.deployVerticle(new ScheduleVerticle(ready, domains.callbacks(), metrics)))
          .compose(id -> http.deploy(vertx)));
      ConfigRetriever watching = ConfigLoader.retriever(vertx, options.confFile(), config.configScanPeriodMs(),
          overrides(options));
      new ConfigWatcher(vertx, values).watch(watching);
      LOG.info("Arbiter serving on port {} with {} ingress instance(s) (mode {}, data directory {}, database {}{})",
          http.port(), http.size(),
          config.mode().name().toLowerCase(), config.dataDir(),
          embedded != null ? "embedded " + Database.describe(config.db()) : Database.describe(config.db()),
          cluster.enabled() ? ", cluster " + cluster.name() + " as " + cluster.host() + ":" + cluster.port() : "");
      return new Arbiter(vertx, config, domains.routing(), dataDir, embedded, http);
    } catch (RuntimeException e) {
      try {
        await(vertx.close());
        if (embedded != null) {
          embedded.close();
        }
      } catch (RuntimeException stopping) {
        e.addSuppressed(stopping);
      }
      if (dataDir != null) {
        dataDir.discard();
      }
      throw e instanceof StartupException s ? s : new StartupException(describe(e), e);
    }
  }

  /** Reads, merges and validates the settings once, on a Vert.x of its own (the node's own needs them to start). */
  public static ConfigValues loadConfig(Options options) {
    Vertx reading = Vertx.vertx();
    try {
      return loadConfig(reading, options);
    } finally {
      await(reading.close());
    }
  }

  /** Reads, merges and validates the settings once. */
  public static ConfigValues loadConfig(Vertx vertx, Options options) {
    ConfigRetriever once = ConfigLoader.retriever(vertx, options.confFile(), 0, overrides(options));
    try {
      return await(ConfigLoader.load(once));
    } finally {
      once.close();
    }
  }

  /** The dispatch lanes ({@code routing.lanes}), one verticle each, lane by lane. */
  private static Future<Void> deployLanes(Vertx vertx, ArbiterConfig config, RoutingSettings routing,
                                          PrometheusMeterRegistry metrics) {
    int lanes = routing.laneCount();
    Future<Void> deployed = Future.succeededFuture();
    for (int lane = 0; lane < lanes; lane++) {
      int mine = lane;
      deployed = deployed.compose(v -> vertx.deployVerticle(new RoutingVerticle(config, routing, metrics, mine, lanes))
          .mapEmpty());
    }
    return deployed;
  }

  /** In dev mode without a configured secret, the generated one kept under the data directory. */
  private static ArbiterConfig withSecret(ArbiterConfig config) {
    if (config.mode() == ArbiterConfig.Mode.DEV && config.auth().jwtSecret().isEmpty()) {
      return config.withJwtSecret(DevSecret.loadOrCreate(config.dataDir()));
    }
    return config;
  }

  /** Runs Flyway; an unreachable database fails with its masked address and the reason. */
  public static void migrate(ArbiterConfig config) {
    try {
      Database.migrate(config.db().forMigrations());
      if (config.db().separateOwner()) {
        Database.grantServiceRole(config.db().forMigrations(), config.db());
      }
    } catch (java.sql.SQLException e) {
      throw new StartupException("database " + Database.describe(config.db().forMigrations())
          + ": the service role could not be granted its privileges: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new StartupException("database " + Database.describe(config.db()) + " is unreachable or failed to migrate: "
          + root.getMessage(), e);
    }
  }

  /** The audit chain can go on in this database (see {@link SealCounter}). */
  private static void requireSealableAudit(ArbiterConfig config) {
    try {
      SealCounter.requireAhead(config.db());
    } catch (IllegalStateException e) {
      throw new StartupException(e.getMessage(), null);
    } catch (java.sql.SQLException e) {
      throw new StartupException("database " + Database.describe(config.db()) + " could not be checked: "
          + e.getMessage(), e);
    }
  }

  private static JsonObject overrides(Options options) {
    JsonObject json = new JsonObject();
    options.overrides().forEach((path, value) -> json.put("arbiter." + path, value));
    return json;
  }

  private static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME)));
  }

  private static String describe(Throwable e) {
    if (e instanceof ConfigException) {
      return e.getMessage();
    }
    Throwable root = e;
    while ((root.getMessage() == null || root instanceof ExecutionException) && root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  public int port() {
    return http.port();
  }

  /** How many dispatch lanes run ({@code routing.lanes}). */
  public int routingLanes() {
    return routing.laneCount();
  }

  /** How many HTTP ingress instances serve ({@code http.instances}). */
  public int ingressInstances() {
    return http.size();
  }

  public ArbiterConfig config() {
    return config;
  }

  /** The routing settings this node started with. */
  public RoutingSettings routing() {
    return routing;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * A graceful shutdown (SIGTERM), bounded by {@code shutdown.graceMs}: new requests are answered 503, long-polling
   * claims are answered empty, requests in flight finish, the outage journal's writes complete (and it replays if the
   * database answers; what remains replays at the next start), then the pools and the event loops close. With
   * {@code shutdown.leases: release} the leases of the agents connected over this node's bridge end at once.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long graceMs = config.shutdown().graceMs();
    long started = System.nanoTime();
    LOG.info("shutting down: refusing new requests, waiting up to {} ms for those in flight", graceMs);
    try {
      http.refuseNewRequests();
      JsonObject shutdown = new JsonObject().put("release", config.shutdown().releaseLeases()
          ? await(http.bridgedAgents()) : new JsonArray());
      JsonObject tasks = await(vertx.eventBus().<JsonObject>request(Addresses.TASKS_SHUTDOWN, shutdown,
          new DeliveryOptions().setSendTimeout(Math.max(1, graceMs))).map(m -> m.body()));
      long left = Math.max(0, graceMs - (System.nanoTime() - started) / 1_000_000);
      int unfinished = await(http.awaitIdle(left));
      LOG.info("shutdown: {} request(s) unfinished after {} ms; {} lease(s) released; {} item(s) stay in the outage "
          + "journal for the next start", unfinished, (System.nanoTime() - started) / 1_000_000,
          tasks.getInteger("released"), tasks.getLong("buffered"));
    } catch (RuntimeException e) {
      LOG.warn("shutdown: draining failed ({}); closing anyway", e.getMessage());
    }
    try {
      await(vertx.close());
      if (embedded != null) {
        embedded.close();
      }
    } finally {
      dataDir.close();
    }
  }
}
