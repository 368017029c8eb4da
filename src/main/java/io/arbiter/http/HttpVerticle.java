package io.arbiter.http;

import io.arbiter.bus.Failure;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.ConfigKey;
import io.arbiter.http.api.AgentsApi;
import io.arbiter.http.api.AuditApi;
import io.arbiter.http.api.BusRoute;
import io.arbiter.http.api.PolicyApi;
import io.arbiter.http.api.TokenRevocationsApi;
import io.arbiter.http.api.RoutingApi;
import io.arbiter.http.api.SchedulesApi;
import io.arbiter.http.api.TasksApi;
import io.arbiter.http.auth.Access;
import io.arbiter.http.auth.AuthFailures;
import io.arbiter.http.auth.Verifier;
import io.arbiter.http.bridge.AgentBridge;
import io.arbiter.http.health.HealthRoutes;
import io.arbiter.http.mcp.McpEndpoint;
import io.arbiter.http.mcp.TransportHeaders;
import io.arbiter.http.stream.StreamHub;
import io.arbiter.http.stream.StreamRoutes;
import io.arbiter.http.stream.StreamTickets;
import io.arbiter.http.stream.StreamsPerCaller;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import java.net.BindException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP ingress: REST under {@code /api/v1} built from the OpenAPI contract (validated by vertx-openapi, JWT checked,
 * roles from the contract's {@code x-arbiter-roles}), health under {@code /health}, Prometheus at {@code /metrics},
 * the live streams, the operator console at {@code /console/} (the former {@code /dashboard/} redirects there), the
 * agents' event-bus bridge at {@code /eventbus} ({@link AgentBridge}), and the MCP server at {@code /mcp}
 * ({@link McpEndpoint}).
 * It talks to the domain verticles only over the event bus.
 */
public final class HttpVerticle extends VerticleBase {

  public static final String CONTRACT = "openapi/arbiter.yaml";

  /**
   * The console loads its own scripts, styles and data only (no inline code, no other origin), and no page may frame
   * it: an injected script or a framing page cannot act with the operator's token.
   */
  static final String CONSOLE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** Under HTTPS (served, or terminated by a proxy in front): browsers keep to HTTPS for a year. */
  static final String HSTS = "max-age=31536000; includeSubDomains";

  private final ArbiterConfig config;
  private final PrometheusMeterRegistry metrics;
  private final int port;
  private final Admission admission;
  private final AtomicInteger bridgeConnections;
  private final ConnectionsPerAddress connections;
  private final StreamsPerCaller streamsPerCaller;
  private final StreamTickets streamTickets;
  private final RateLimits rateLimits;
  private final AuthFailures authFailures;
  private final StreamHub streams = new StreamHub();
  private final Verifier jwt;
  private HttpServer server;
  private AgentBridge bridge;

  /**
   * One instance of {@link Ingress}: it listens on {@code port} and shares admission, the bridge count and the count
   * of connections per address.
   */
  HttpVerticle(ArbiterConfig config, PrometheusMeterRegistry metrics, int port, Admission admission,
               AtomicInteger bridgeConnections, ConnectionsPerAddress connections, StreamsPerCaller streamsPerCaller,
               StreamTickets streamTickets, RateLimits rateLimits, AuthFailures authFailures, Verifier verifier) {
    this.config = config;
    this.metrics = metrics;
    this.port = port;
    this.admission = admission;
    this.bridgeConnections = bridgeConnections;
    this.connections = connections;
    this.streamsPerCaller = streamsPerCaller;
    this.streamTickets = streamTickets;
    this.rateLimits = rateLimits;
    this.authFailures = authFailures;
    this.jwt = verifier;
  }

  /** The port actually bound (useful when {@code http.port} is 0). */
  int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    return Future.all(OpenAPIContract.from(vertx, CONTRACT), vertx.fileSystem().readFile(CONTRACT),
            streams.start(vertx))
        .compose(loaded -> {
          OpenAPIContract contract = new CachedContract(loaded.resultAt(0));
          return AgentBridge.start(vertx, jwt, contract, config.http().requestTimeoutMs(),
                  config.http().bridgeAuthTimeoutMs(), bridgeConnections)
              .compose(bridge -> listen(router(contract, loaded.resultAt(1), bridge)));
        });
  }

  private Router router(OpenAPIContract contract, Buffer contractText, AgentBridge bridge) {
    Problems problems = new Problems(vertx.eventBus(), Math.max(1, (config.breaker().resetTimeoutMs() + 999) / 1000),
        authFailures, config.http().refusalDelayMs());
    Router root = Router.router(vertx);
    root.route().handler(new CorrelationId());
    ArbiterConfig.Transport transport = config.http().transport();
    if (transport.https()) {
      root.route().handler(rc -> {
        rc.response().putHeader("Strict-Transport-Security", HSTS);
        rc.next();
      });
    }
    if (!transport.corsOrigins().isEmpty()) {
      // before authentication: a browser's preflight carries no token, and is answered here
      root.route("/api/v1/*").handler(CorsHandler.create().addOrigins(transport.corsOrigins())
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key", CorrelationId.HEADER))
          .exposedHeaders(Set.of(CorrelationId.HEADER, "Location", "Retry-After", "RateLimit-Limit",
              "RateLimit-Remaining", "RateLimit-Reset"))
          .maxAgeSeconds(600));
    }
    root.get("/api/v1/openapi.yaml").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/yaml").end(contractText));
    root.route("/api/v1/*").handler(authenticateFirst(JWTAuthHandler.create(jwt), authFailures));
    root.route("/api/v1/*").handler(rateLimits);
    root.route(McpEndpoint.PATH).handler(TransportHeaders.allowing(transport.corsOrigins()));
    root.route(McpEndpoint.PATH).handler(authenticateFirst(JWTAuthHandler.create(jwt), authFailures));
    root.route(McpEndpoint.PATH).handler(rateLimits);
    root.route().handler(admission);
    StreamRoutes.mount(root, jwt, streams, streamsPerCaller, streamTickets);
    this.bridge = bridge;
    bridge.mount(root);
    root.route().handler(new BodyDeadline(vertx, config.http().bodyTimeoutMs()));
    root.route().handler(BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes()));
    HealthRoutes.mount(vertx, root);
    McpEndpoint.mount(vertx, root, contract, config.http().requestTimeoutMs());
    root.get("/").handler(rc -> rc.redirect("/console/"));
    root.get("/dashboard").handler(rc -> rc.redirect("/console/"));
    root.get("/dashboard/*").handler(rc -> rc.redirect("/console/"));
    root.get("/console").handler(rc -> {
      if (rc.request().path().endsWith("/")) {
        rc.next();
      } else {
        rc.redirect("/console/");
      }
    });
    root.route("/console/*").handler(rc -> {
      rc.response().putHeader("Content-Security-Policy", CONSOLE_POLICY);
      rc.next();
    });
    root.route("/console/*").handler(StaticHandler.create("webroot/console").setCachingEnabled(false));
    if (metrics != null) {
      if (!transport.metricsToken().isEmpty()) {
        root.get("/metrics").handler(new MetricsToken(transport.metricsToken()));
      }
      root.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    }

    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.security("bearerAuth").httpHandler(JWTAuthHandler.create(jwt));
    InlineValidation.apply(vertx, contract, builder);
    builder.getRoutes().forEach(route -> route.addHandler(Access.forOperation(route.getOperation())));
    BusRoute busRoute = new BusRoute(vertx.eventBus(), config.http().requestTimeoutMs());
    AgentsApi.mount(builder, busRoute);
    TasksApi.mount(builder, busRoute);
    AuditApi.mount(builder, busRoute);
    RoutingApi.mount(builder, busRoute);
    builder.getRoute("createStreamTicket").addHandler(StreamRoutes.issueTicket(streamTickets));
    PolicyApi.mount(builder, busRoute);
    TokenRevocationsApi.mount(builder, vertx.eventBus(), jwt, config.http().requestTimeoutMs());
    SchedulesApi.mount(builder, busRoute);
    Router api = builder.createRouter();
    api.route().failureHandler(problems);
    root.route("/api/v1/*").subRouter(api);

    root.route().failureHandler(problems);
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500}) {
      root.errorHandler(status, problems);
    }
    return root;
  }

  /**
   * The bearer token of every API request is checked before anything else is spent on it: before admission counts it
   * and before its body is read, so that a caller without a valid token can neither hold an in-flight slot nor make
   * the server buffer a body. The router's own check then finds the user set and does not verify again. The live
   * streams authenticate themselves (they also take the token as a query parameter). An address blocked for failing
   * authentication too often ({@link AuthFailures}) is refused with 429 before any of that.
   */
  private static Handler<RoutingContext> authenticateFirst(Handler<RoutingContext> jwt, AuthFailures failures) {
    return rc -> {
      long blockedMs = failures.blockedForMs(Problems.address(rc));
      if (blockedMs > 0) {
        long seconds = (blockedMs + 999) / 1000;
        rc.response().putHeader("Retry-After", Long.toString(seconds));
        rc.fail(Failure.RATE_LIMITED.exception("too many failed authentications from this address: blocked for "
            + seconds + " s more"));
        return;
      }
      String path = rc.request().path();
      if (path.equals(StreamRoutes.WEBSOCKET) || path.equals(StreamRoutes.EVENTS)) {
        rc.next();
      } else {
        jwt.handle(rc);
      }
    };
  }

  /** The agents connected to this node over the bridge, {@code [{tenantId, agentId}…]} (read on its event loop). */
  Future<JsonArray> bridgedAgents() {
    Promise<JsonArray> agents = Promise.promise();
    context.runOnContext(v -> agents.complete(bridge.receivingAgents()));
    return agents.future();
  }

  private Future<HttpServer> listen(Router router) {
    // No HTTP/2 without TLS: the HTTP/1.1-to-h2c upgrade that clients such as the JDK's HttpClient and curl attempt
    // garbles responses larger than a few frames (/metrics, long task lists); such clients get HTTP/1.1 instead.
    HttpServerOptions options = new HttpServerOptions().setHost(config.http().host()).setPort(port)
        .setHttp2ClearTextEnabled(false).setCompressionSupported(true)
        .setIdleTimeout((int) config.http().idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    ArbiterConfig.Transport transport = config.http().transport();
    if (transport.tls()) {
      options.setSsl(true).setUseAlpn(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(transport.tlsCertPath()).setKeyPath(transport.tlsKeyPath()));
    }
    return vertx.createHttpServer(options).connectionHandler(connections::accept)
        .invalidRequestHandler(InvalidRequests::answer).requestHandler(router).listen()
        .onSuccess(s -> server = s)
        .recover(e -> Future.failedFuture(e instanceof BindException || String.valueOf(e.getMessage())
            .contains("Address already in use")
            ? new IllegalStateException(portInUse(config.http()))
            : e));
  }

  /** The one line a start fails with when its HTTP port is taken. */
  public static String portInUse(ArbiterConfig.Http http) {
    return "http.port " + http.port() + " on " + http.host() + " is already in use (another Arbiter?): stop it or set "
        + ConfigKey.HTTP_PORT.envName() + " to another port";
  }
}
