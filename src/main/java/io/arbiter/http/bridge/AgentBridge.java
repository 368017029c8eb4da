package io.arbiter.http.bridge;

import io.arbiter.audit.AuditEvent;
import io.arbiter.audit.Redactor;
import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Access;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Revocations;
import io.arbiter.http.auth.Verifier;
import io.arbiter.http.auth.Role;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SockJS event-bus bridge at {@code /eventbus} for agents. The bridge permits only the
 * agent addresses ({@code arbiter.agent.<id>.<channel>}) in both directions; this handler then checks every send and
 * register against the JWT carried in its {@code authorization} header: an agent token (role {@code agent}) may
 * register on {@code arbiter.agent.<its sub>.tasks} and send request-reply reports to
 * {@code arbiter.agent.<its sub>.ack|heartbeat|progress|result}, nothing else. A refusal is answered with the
 * {@link Failure} code and detail, and audited as a security event (without the token). Publishing is refused.
 *
 * <p>Push delivery: a registration on {@code .tasks} opens the agent's channel (it becomes a consuming push agent);
 * when the dispatcher assigns it work ({@link Addresses#EVENTS_ASSIGNED}), the node holding its socket claims the
 * deliveries through the task verticle and publishes each on {@code .tasks}, tagged with the tenant, and only sockets
 * authorized for that tenant's agent receive it. When the last socket registered for an agent closes or unregisters,
 * its channel closes (it stops consuming, so it gets no new work). One instance per HTTP verticle; all state is
 * touched on its event loop.
 */
public final class AgentBridge implements Handler<BridgeEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(AgentBridge.class);

  /** Most deliveries claimed for one push. */
  static final int PUSH_BATCH = 64;
  /** The bridge header carrying the agent's bearer token. */
  public static final String AUTHORIZATION = "authorization";

  private record AgentKey(String tenantId, String agentId) {}

  /** What one socket was allowed: the agents it receives deliveries for. */
  private static final class Channel {
    final Set<AgentKey> receiving = new HashSet<>();
    /** Whether a frame of this socket carried a valid agent token yet. */
    boolean authenticated;
    /** The timer that closes the socket: without a valid token in time, then at its token's expiry. */
    long closer = -1;
    /** The revocation watches of the tokens this socket authenticated with, by jti. */
    final Map<String, Revocations.Watch> watches = new HashMap<>();
  }

  /** SockJS close codes (4000 to 4999 are the application's): no valid token in time, the token expired. */
  static final int CLOSE_UNAUTHENTICATED = 4401;
  static final int CLOSE_EXPIRED = 4403;
  /** The close code of a socket one of whose tokens was revoked. */
  static final int CLOSE_REVOKED = 4408;

  /** A verified frame's caller, when its token expires (epoch ms), and its jti (or null). */
  private record Verified(RequestContext ctx, long expiresAtMs, String jti) {}

  private final Vertx vertx;
  private final EventBus bus;
  private final Verifier jwt;
  private final long timeoutMs;
  private final long authTimeoutMs;
  private final AgentReports reports;
  private final Map<SockJSSocket, Channel> sockets = new HashMap<>();
  private final Map<AgentKey, Integer> receivers = new HashMap<>();
  private final Set<AgentKey> pushing = new HashSet<>();
  private final Set<AgentKey> pushAgain = new HashSet<>();
  private final AtomicInteger connections;

  private AgentBridge(Vertx vertx, Verifier jwt, OpenAPIContract contract, long timeoutMs, long authTimeoutMs,
                      AtomicInteger connections) {
    this.authTimeoutMs = authTimeoutMs;
    this.connections = connections;
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.jwt = jwt;
    this.timeoutMs = timeoutMs;
    this.reports = new AgentReports(bus, contract, timeoutMs);
  }

  /** The agents that receive deliveries through this node's bridge, as {@code [{tenantId, agentId}…]}. */
  public JsonArray receivingAgents() {
    JsonArray agents = new JsonArray();
    receivers.keySet().forEach(k -> agents.add(new JsonObject().put("tenantId", k.tenantId())
        .put("agentId", k.agentId())));
    return agents;
  }

  /**
   * Starts the report consumer and the push listener. {@code connections} counts the open bridge connections (shared
   * by every ingress instance, behind the {@code arbiter_bridge_connections} gauge); a socket with no frame carrying a
   * valid agent token within {@code authTimeoutMs} of connecting is closed.
   */
  public static Future<AgentBridge> start(Vertx vertx, Verifier jwt, OpenAPIContract contract, long timeoutMs,
                                          long authTimeoutMs, AtomicInteger connections) {
    AgentBridge bridge = new AgentBridge(vertx, jwt, contract, timeoutMs, authTimeoutMs, connections);
    return Future.all(bridge.reports.start(),
            bridge.bus.<JsonObject>consumer(Addresses.EVENTS_ASSIGNED, m -> bridge.assigned(m.body())).completion())
        .map(bridge);
  }

  /** Mounts the bridge at {@code /eventbus}, before any body handling (SockJS reads its own bodies). */
  public void mount(Router root) {
    PermittedOptions agents = new PermittedOptions().setAddressRegex("arbiter\\.agent\\..+");
    SockJSBridgeOptions options = new SockJSBridgeOptions()
        .addInboundPermitted(agents)
        .addInboundPermitted(new PermittedOptions().setAddress(Addresses.BRIDGE_REPORT))
        .addOutboundPermitted(agents);
    root.route("/eventbus*").subRouter(SockJSHandler.create(vertx).bridge(options, this));
  }

  @Override
  public void handle(BridgeEvent event) {
    BridgeEventType type = event.type();
    switch (type) {
      case SOCKET_CREATED -> {
        SockJSSocket socket = event.socket();
        Channel channel = new Channel();
        sockets.put(socket, channel);
        connections.incrementAndGet();
        channel.closer = vertx.setTimer(authTimeoutMs, id -> {
          if (sockets.get(socket) == channel && !channel.authenticated) {
            socket.close(CLOSE_UNAUTHENTICATED, "no frame with a valid agent token within " + authTimeoutMs
                + " ms of connecting (http.bridgeAuthTimeoutMs)");
          }
        });
        event.complete(true);
      }
      case SOCKET_CLOSED, SOCKET_ERROR -> {
        closed(event.socket());
        event.complete(true);
      }
      case SEND, PUBLISH, REGISTER -> authorize(event);
      case REGISTERED -> {
        registered(event);
        event.complete(true);
      }
      case UNREGISTER -> {
        AgentAddress address = AgentAddress.parse(event.getRawMessage().getString("address"));
        Channel channel = sockets.get(event.socket());
        if (address != null && address.isTasks() && channel != null) {
          channel.receiving.stream().filter(k -> k.agentId().equals(address.agentId())).toList()
              .forEach(key -> stopReceiving(channel, key));
        }
        event.complete(true);
      }
      case RECEIVE -> event.complete(mayReceive(event));
      default -> event.complete(true);
    }
  }

  // ---- authorization ----

  private void authorize(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    SockJSSocket socket = event.socket();
    String addressText = raw.getString("address");
    AgentAddress address = AgentAddress.parse(addressText);
    RequestContext anonymous = new RequestContext(UUID.randomUUID().toString(), RequestContext.SYSTEM_TENANT,
        "anonymous", "none", clientIp(socket),
        Redactor.userAgent(socket.headers() == null ? null : socket.headers().get("User-Agent")));
    BridgeEventType type = event.type();
    String rule = rule(type, address, addressText);
    String token = bearer(raw.getValue("headers"));
    if (rule != null && token == null) {
      refuse(event, anonymous, Failure.FORBIDDEN, rule);
      return;
    }
    if (token == null) {
      refuse(event, anonymous, Failure.UNAUTHORIZED,
          "a bearer token is required: send the header authorization: Bearer <agent token>");
      return;
    }
    jwt.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(e instanceof ArbiterException known ? known
            : Failure.UNAUTHORIZED.exception("the token is invalid or expired")))
        .map(user -> {
          JsonObject claims = user.attributes().getJsonObject("accessToken");
          return new Verified(Access.caller(user, anonymous.correlationId(), anonymous.clientIp(),
              anonymous.userAgent()), claims.getLong("exp") * 1000,
              claims.getValue(Jwt.JTI_CLAIM) instanceof String jti ? jti : null);
        })
        .onFailure(e -> refuse(event, anonymous, Failure.UNAUTHORIZED, e instanceof ArbiterException known
            ? known.getMessage() : "the token is invalid or expired"))
        .onSuccess(verified -> {
          RequestContext ctx = verified.ctx();
          if (rule != null) {
            refuse(event, ctx, Failure.FORBIDDEN, rule);
          } else if (!Arrays.asList(ctx.role().split(",")).contains(Role.AGENT.wire())) {
            refuse(event, ctx, Failure.FORBIDDEN, "only an agent token (role agent) may use the event-bus bridge");
          } else if (!ctx.subject().equals(address.agentId())) {
            refuse(event, ctx, Failure.FORBIDDEN, "an agent may register on and send to its own addresses only ("
                + Addresses.agent(ctx.subject(), "…") + ")");
          } else {
            authenticated(socket, verified.expiresAtMs());
            watch(socket, ctx.tenantId(), verified.jti());
            allow(event, ctx, address);
          }
        });
  }

  /** Why {@code type} on {@code address} is never allowed, whoever asks; null when a token decides. */
  private static String rule(BridgeEventType type, AgentAddress address, String addressText) {
    if (type == BridgeEventType.PUBLISH) {
      return "publishing is not allowed on the bridge: send request-reply reports and register on your tasks";
    }
    if (address == null) {
      return "address " + addressText + " is not an agent address: use arbiter.agent.<your agent id>.<channel>";
    }
    if (type == BridgeEventType.REGISTER && !address.isTasks()) {
      return "an agent registers only on " + Addresses.agent(address.agentId(), Addresses.AGENT_TASKS);
    }
    if (type == BridgeEventType.SEND && !address.isReport()) {
      return "an agent sends only to " + Addresses.agent(address.agentId(), "") + String.join("|",
          Addresses.AGENT_REPORTS);
    }
    return null;
  }

  private static String bearer(Object headers) {
    if (!(headers instanceof JsonObject map)) {
      return null;
    }
    for (String name : map.fieldNames()) {
      if (AUTHORIZATION.equalsIgnoreCase(name) && map.getValue(name) instanceof String value
          && value.regionMatches(true, 0, "Bearer ", 0, 7) && !value.substring(7).isBlank()) {
        return value.substring(7).trim();
      }
    }
    return null;
  }

  /** Lets the frame through, without the token: a report goes to the report consumer with the caller's context. */
  /**
   * The socket carried a valid agent token: the deadline to authenticate no longer applies, and the socket closes when
   * the first token it authenticated with expires (an agent reconnects with a fresh one).
   */
  private void authenticated(SockJSSocket socket, long expiresAtMs) {
    Channel channel = sockets.get(socket);
    if (channel == null || channel.authenticated) {
      return;
    }
    channel.authenticated = true;
    vertx.cancelTimer(channel.closer);
    channel.closer = vertx.setTimer(Math.max(1, expiresAtMs - System.currentTimeMillis()), id -> {
      if (sockets.get(socket) == channel) {
        socket.close(CLOSE_EXPIRED, "the token expired; reconnect with a fresh one");
      }
    });
  }

  /** Closes the socket when the token {@code jti} it authenticated with is revoked. */
  private void watch(SockJSSocket socket, String tenantId, String jti) {
    Channel channel = sockets.get(socket);
    if (channel == null || jti == null || channel.watches.containsKey(jti)) {
      return;
    }
    channel.watches.put(jti, jwt.revocations().watch(tenantId, jti, vertx.getOrCreateContext(), () -> {
      if (sockets.get(socket) == channel) {
        socket.close(CLOSE_REVOKED, "the token was revoked");
      }
    }));
  }

  private void allow(BridgeEvent event, RequestContext ctx, AgentAddress address) {
    JsonObject raw = event.getRawMessage();
    if (event.type() == BridgeEventType.SEND) {
      JsonObject headers = new JsonObject().put(AgentReports.CHANNEL, address.channel())
          .put(AgentReports.AGENT_ID, address.agentId());
      ctx.deliveryOptions(timeoutMs).getHeaders().forEach(h -> headers.put(h.getKey(), h.getValue()));
      raw.put("headers", headers).put("address", Addresses.BRIDGE_REPORT);
    } else {
      raw.put("headers", new JsonObject().put(RequestContext.TENANT, ctx.tenantId()));
    }
    event.complete(true);
  }

  private void refuse(BridgeEvent event, RequestContext who, Failure failure, String detail) {
    JsonObject raw = event.getRawMessage();
    String address = raw.getString("address");
    String action = failure == Failure.UNAUTHORIZED ? "auth.failed" : "access.denied";
    AuditEvent audit = AuditEvent.of(who, action, "eventbus " + event.type().name().toLowerCase() + " " + address,
        AuditEvent.Outcome.DENIED, new JsonObject().put("reason", detail).put("transport", "eventbus-bridge"))
        .withTags(AuditEvent.SECURITY_TAGS);
    bus.send(Addresses.AUDIT_APPEND, audit.toJson(), who.deliveryOptions(5_000));
    LOG.info("bridge refused {} on {} for {} of tenant {}: {}", event.type(), address, who.subject(), who.tenantId(),
        detail);
    String to = event.type() == BridgeEventType.REGISTER ? address : raw.getString("replyAddress");
    if (to != null) {
      event.socket().write(Buffer.buffer(new JsonObject().put("type", "err").put("address", to).put("failureCode", failure.code)
          .put("failureType", "RECIPIENT_FAILURE").put("message", detail).encode()));
    }
    event.complete(false);
  }

  private static String clientIp(SockJSSocket socket) {
    return socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress();
  }

  // ---- channels ----

  private void registered(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    AgentAddress address = AgentAddress.parse(raw.getString("address"));
    JsonObject headers = raw.getJsonObject("headers");
    Channel channel = sockets.get(event.socket());
    if (address == null || headers == null || channel == null) {
      return;
    }
    AgentKey key = new AgentKey(headers.getString(RequestContext.TENANT), address.agentId());
    if (!channel.receiving.add(key)) {
      return;
    }
    receivers.merge(key, 1, Integer::sum);
    setChannel(key, true).onSuccess(v -> push(key));
  }

  private void closed(SockJSSocket socket) {
    Channel channel = sockets.remove(socket);
    if (channel == null) {
      return;
    }
    vertx.cancelTimer(channel.closer);
    channel.watches.values().forEach(Revocations.Watch::cancel);
    connections.decrementAndGet();
    List.copyOf(channel.receiving).forEach(key -> stopReceiving(channel, key));
  }

  private void stopReceiving(Channel channel, AgentKey key) {
    if (!channel.receiving.remove(key)) {
      return;
    }
    if (receivers.merge(key, -1, Integer::sum) <= 0) {
      receivers.remove(key);
      setChannel(key, false);
    }
  }

  private Future<Void> setChannel(AgentKey key, boolean open) {
    RequestContext ctx = open ? agentContext(key)
        : new RequestContext("bridge-" + UUID.randomUUID(), key.tenantId(), "arbiter", "system", null, null);
    return bus.request(Addresses.REGISTRY_CHANNEL, new JsonObject().put("id", key.agentId()).put("open", open),
            ctx.deliveryOptions(timeoutMs)).<Void>mapEmpty()
        .onSuccess(v -> LOG.info("agent {} of tenant {}: bridge channel {}", key.agentId(), key.tenantId(),
            open ? "open" : "closed"))
        .onFailure(e -> LOG.warn("agent {} of tenant {}: could not record its bridge channel as {}: {}",
            key.agentId(), key.tenantId(), open ? "open" : "closed", e.getMessage()));
  }

  private boolean mayReceive(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    AgentAddress address = AgentAddress.parse(raw.getString("address"));
    if (address == null) {
      return true;
    }
    JsonObject headers = (JsonObject) raw.remove("headers");
    String tenant = headers == null ? null : headers.getString(RequestContext.TENANT);
    Channel channel = sockets.get(event.socket());
    return tenant != null && channel != null && channel.receiving.contains(new AgentKey(tenant, address.agentId()));
  }

  // ---- push ----

  private void assigned(JsonObject event) {
    AgentKey key = new AgentKey(event.getString("tenantId"), event.getString("agentId"));
    if (receivers.containsKey(key)) {
      push(key);
    }
  }

  /** Claims the agent's undelivered assignments and publishes them on its tasks address; one claim at a time. */
  private void push(AgentKey key) {
    if (!receivers.containsKey(key)) {
      return;
    }
    if (!pushing.add(key)) {
      pushAgain.add(key);
      return;
    }
    JsonObject claim = new JsonObject().put("agentId", key.agentId()).put("wait", 0).put("max", PUSH_BATCH)
        .put("push", true);
    bus.<JsonObject>request(Addresses.TASKS_CLAIM, claim, agentContext(key).deliveryOptions(timeoutMs))
        .onComplete(result -> {
          pushing.remove(key);
          if (result.succeeded()) {
            JsonArray tasks = result.result().body().getJsonArray("tasks");
            DeliveryOptions tagged = new DeliveryOptions().addHeader(RequestContext.TENANT, key.tenantId());
            tasks.forEach(task -> bus.publish(Addresses.agent(key.agentId(), Addresses.AGENT_TASKS), task, tagged));
            if (tasks.size() >= PUSH_BATCH) {
              pushAgain.add(key);
            }
          } else {
            LOG.warn("push to agent {} of tenant {} failed: {}", key.agentId(), key.tenantId(),
                result.cause().getMessage());
          }
          if (pushAgain.remove(key)) {
            push(key);
          }
        });
  }

  private static RequestContext agentContext(AgentKey key) {
    return new RequestContext("bridge-" + UUID.randomUUID(), key.tenantId(), key.agentId(), Role.AGENT.wire(), null,
        null);
  }
}
