package io.arbiter.http;

import io.arbiter.bus.Addresses;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.LiveSettings;
import io.arbiter.http.auth.AuthFailures;
import io.arbiter.http.stream.StreamTickets;
import io.arbiter.http.stream.StreamsPerCaller;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP ingress as several {@link HttpVerticle} instances ({@code http.instances}; by default one per core), each on
 * its own event loop and all on one port, where Vert.x spreads the connections among them (with {@code http.port} 0
 * they share one free port, picked at deployment). The instances are stateless but for what they share through this
 * object: admission control (one in-flight count for the node), the count of bridge connections and the count of
 * open connections per client address.
 */
public final class Ingress {

  /** How often the rate limits and the authentication blocks forget callers and addresses gone quiet. */
  private static final long FORGET_IDLE_MS = 60_000;

  private final ArbiterConfig config;
  private final PrometheusMeterRegistry metrics;
  private final Admission admission;
  private final AtomicInteger bridgeConnections = new AtomicInteger();
  private final ConnectionsPerAddress connections;
  private final StreamsPerCaller streamsPerCaller;
  private final StreamTickets streamTickets;
  private final RateLimits rateLimits;
  private final AuthFailures authFailures;
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
    this.streamTickets = new StreamTickets(config.auth().jwtSecret());
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
    int port;
    try {
      port = config.http().port() != 0 ? config.http().port() : freePort(config.http().host());
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    DeploymentOptions options = new DeploymentOptions().setInstances(instances(config.http()));
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
    });
    return vertx.deployVerticle(() -> instance(port), options).compose(id -> {
      long ports = instances.stream().mapToInt(HttpVerticle::port).distinct().count();
      return ports == 1 ? Future.succeededFuture()
          : Future.failedFuture(new IllegalStateException("the ingress instances listen on " + ports + " ports"));
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
        streamsPerCaller, streamTickets, rateLimits, authFailures);
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
