package io.arbiter.http;

import io.arbiter.bus.Addresses;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.http.auth.AuthFailures;
import io.arbiter.http.auth.Revocations;
import io.arbiter.http.auth.Verifier;
import io.arbiter.http.stream.StreamTickets;
import io.arbiter.http.stream.UsedTickets;
import io.arbiter.http.stream.StreamsPerCaller;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP ingress as several {@link HttpVerticle} instances ({@code http.instances}; by default one per core), each on
 * its own event loop and all on one port, where Vert.x spreads the connections among them (with {@code http.port} 0
 * they share one free port, picked at deployment). The instances are stateless but for what they share through this
 * object: admission control (one in-flight count for the node), the count of bridge connections, the count of
 * open connections per client address, and token verification ({@link Verifier}, with the node's copy of the deny
 * list, {@link Revocations}, reloaded every {@code auth.revocationRefreshMs} and updated at once by
 * {@link Addresses#EVENTS_TOKEN_REVOKED}).
 */
public final class Ingress {

  private static final Logger LOG = LoggerFactory.getLogger(Ingress.class);

  /** How often the rate limits and the authentication blocks forget callers and addresses gone quiet. */
  private static final long FORGET_IDLE_MS = 60_000;
  /**
   * How far back each reload of the deny list looks before the previous one: a revocation's time is its transaction's
   * start, which may precede a reload that its commit follows.
   */
  private static final long REVOCATION_OVERLAP_MS = 30_000;

  private final ArbiterConfig config;
  private final PrometheusMeterRegistry metrics;
  private final Admission admission;
  private final AtomicInteger bridgeConnections = new AtomicInteger();
  private final ConnectionsPerAddress connections;
  private final StreamsPerCaller streamsPerCaller;
  private StreamTickets streamTickets;
  private final RateLimits rateLimits;
  private final AuthFailures authFailures;
  private final Revocations revocations = new Revocations(System::currentTimeMillis);
  private Verifier verifier;
  /** Where the next reload of the deny list starts (database time), or null before the first. */
  private String revokedSince;
  private final List<HttpVerticle> instances = new ArrayList<>();
  private Vertx vertx;
  /** The rates in force, so that a reload that leaves them alone keeps the buckets' state. */
  private ArbiterConfig.Rates current;

  public Ingress(ArbiterConfig config, PrometheusMeterRegistry metrics) {
    this.config = config;
    this.metrics = metrics;
    this.admission = new Admission(config.http().maxInFlight(), metrics);
    this.connections = new ConnectionsPerAddress(config.http().maxConnectionsPerAddress(), metrics);
    this.streamsPerCaller = new StreamsPerCaller(config.http().maxStreamsPerCaller());
    this.rateLimits = new RateLimits(config.http().rates(), metrics);
    this.current = config.http().rates();
    this.authFailures = new AuthFailures(config.http().rates().authFailuresPerMinute(),
        config.http().rates().authBlockMs(), System::currentTimeMillis);
    if (metrics != null) {
      Gauge.builder("arbiter.bridge.connections", bridgeConnections, AtomicInteger::get)
          .description("Open event-bus bridge connections").register(metrics);
    }
  }

  /** How many instances {@code http.instances} asks for: 0 means one per available core. */
  public static int instances(ArbiterConfig.Http http) {
    return http.instances() > 0 ? http.instances() : Runtime.getRuntime().availableProcessors();
  }

  /** Deploys every instance; completes when all of them listen, on one port. */
  public Future<Void> deploy(Vertx vertx) {
    this.vertx = vertx;
    this.streamTickets = new StreamTickets(config.auth().jwtSecret(), UsedTickets.shared(vertx));
    int port;
    try {
      port = config.http().port() != 0 ? config.http().port() : freePort(config.http().host());
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    DeploymentOptions options = new DeploymentOptions().setInstances(instances(config.http()));
    verifier = new Verifier(vertx, config.auth(), Verifier.acceptsSecret(config), revocations);
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_TOKEN_REVOKED, m -> revocations.add(
        m.body().getString("tenantId"), m.body().getString("jti"), m.body().getLong("expiresAt")));
    vertx.setPeriodic(config.auth().revocationRefreshMs(), id -> reloadRevocations());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CONFIG_CHANGED, m -> {
      ArbiterConfig.Rates rates = LiveSettings.fromJson(m.body().getJsonObject("settings")).rates();
      if (!rates.equals(current)) {
        current = rates;
        rateLimits.apply(rates);
        authFailures.apply(rates.authFailuresPerMinute(), rates.authBlockMs());
      }
    });
    vertx.setPeriodic(FORGET_IDLE_MS, id -> {
      rateLimits.forgetIdle();
      authFailures.forgetIdle();
      revocations.forgetExpired();
    });
    return verifier.start(config.configScanPeriodMs())
        .compose(v -> reloadRevocations().recover(e -> {
          LOG.error("the revoked token ids could not be loaded at start ({}); retrying every {} ms", e.getMessage(),
              config.auth().revocationRefreshMs());
          return Future.succeededFuture();
        }))
        .compose(v -> vertx.deployVerticle(() -> instance(port), options)).compose(id -> {
      long ports = instances.stream().mapToInt(HttpVerticle::port).distinct().count();
      return ports == 1 ? Future.succeededFuture()
          : Future.failedFuture(new IllegalStateException("the ingress instances listen on " + ports + " ports"));
    });
  }

  /** Asks the policy domain for the revocations since the last reload and adds them to the node's copy. */
  private Future<Void> reloadRevocations() {
    JsonObject since = revokedSince == null ? new JsonObject() : new JsonObject().put("since", revokedSince);
    return vertx.eventBus().<JsonObject>request(Addresses.POLICY_TOKEN_REVOCATIONS, since,
            new DeliveryOptions().setSendTimeout(config.http().requestTimeoutMs()))
        .map(reply -> {
          JsonObject body = reply.body();
          body.getJsonArray("items").forEach(item -> {
            JsonObject entry = (JsonObject) item;
            revocations.add(entry.getString("tenantId"), entry.getString("jti"), entry.getLong("expiresAt"));
          });
          revokedSince = OffsetDateTime.parse(body.getString("asOf")).minus(Duration.ofMillis(REVOCATION_OVERLAP_MS))
              .toString();
          return null;
        });
  }

  /** Port 0 would give each instance a port of its own: the instances share one free port picked here. */
  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  private synchronized HttpVerticle instance(int port) {
    HttpVerticle instance = new HttpVerticle(config, metrics, port, admission, bridgeConnections, connections,
        streamsPerCaller, streamTickets, rateLimits, authFailures, verifier);
    instances.add(instance);
    return instance;
  }

  /** The port actually bound (useful when {@code http.port} is 0). */
  public int port() {
    return instances.get(0).port();
  }

  public int size() {
    return instances.size();
  }

  /** The first step of a graceful shutdown: every new request is answered 503 from now on. */
  public void refuseNewRequests() {
    admission.drain();
  }

  /** The agents connected to this node's bridge, over every instance, {@code [{tenantId, agentId}…]}. */
  public Future<JsonArray> bridgedAgents() {
    return Future.all(instances.stream().map(HttpVerticle::bridgedAgents).toList()).map(all -> {
      JsonArray agents = new JsonArray();
      for (int i = 0; i < all.size(); i++) {
        agents.addAll(all.resultAt(i));
      }
      return agents;
    });
  }

  /** Completes with the number of requests still in flight once there are none, or after {@code graceMs}. */
  public Future<Integer> awaitIdle(long graceMs) {
    long deadline = System.nanoTime() + graceMs * 1_000_000;
    Promise<Integer> drained = Promise.promise();
    vertx.setPeriodic(20, id -> {
      if (admission.inFlight() == 0 || System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        drained.tryComplete(admission.inFlight());
      }
    });
    return drained.future();
  }
}
