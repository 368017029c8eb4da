package io.arbiter.http.stream;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.bus.StreamEvent;
import io.arbiter.http.auth.Access;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Revocations;
import io.arbiter.http.auth.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The live task and agent events of the caller's tenant: a WebSocket at {@code /api/v1/stream} (one JSON event per
 * text frame) and server-sent events at {@code /api/v1/events} ({@code event: <type>}, {@code id}, {@code data}).
 * Both take the filters {@code task}, {@code agent} and {@code type} (exact, or a prefix ending with a dot such as
 * {@code task.}) as query parameters, and a bearer token in the {@code Authorization} header or, for browsers,
 * whose WebSocket and EventSource cannot set headers, a one-time {@code ticket} query parameter
 * ({@link StreamTickets}): a bearer token in the URL ({@code access_token}) is refused, since proxies log URLs. Every
 * role may watch its own tenant. A subscriber that falls more than
 * {@link #MAX_QUEUED_BYTES} behind is dropped with a clear reason rather than buffered without bound: the WebSocket
 * closes with status 1008, the event stream ends with an {@code event: dropped}.
 */
public final class StreamRoutes {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StreamRoutes.class);

  /** How far (in bytes written but not yet sent) a subscriber may fall behind before it is dropped. */
  public static final int MAX_QUEUED_BYTES = 256 * 1024;
  static final String DROPPED = "slow consumer: more than " + MAX_QUEUED_BYTES / 1024
      + " KiB of events not read in time; reconnect and read faster";
  /** Why a stream closes when its token expires. */
  static final String EXPIRED = "the token expired; reconnect with a fresh one";
  /** Why a stream closes when its token is revoked. */
  static final String REVOKED = "the token was revoked";

  private final Verifier jwt;
  private final StreamsPerCaller perCaller;
  private final StreamHub hub;
  private final StreamTickets tickets;

  private StreamRoutes(Verifier jwt, StreamHub hub, StreamsPerCaller perCaller, StreamTickets tickets) {
    this.jwt = jwt;
    this.hub = hub;
    this.perCaller = perCaller;
    this.tickets = tickets;
  }

  /** Mounts both streams on {@code root}, before any body handling (a WebSocket upgrade has no body). */
  /**
   * How often a quiet stream sends something (a ping frame, an SSE comment), so that neither the idle timeout
   * ({@code http.idleTimeoutMs}, at least 30 s) nor a proxy closes it.
   */
  static final long KEEPALIVE_MS = 25_000;

  /** The WebSocket stream's path. */
  public static final String WEBSOCKET = "/api/v1/stream";
  /** The server-sent events stream's path. */
  public static final String EVENTS = "/api/v1/events";

  public static void mount(Router root, Verifier jwt, StreamHub hub, StreamsPerCaller perCaller,
                           StreamTickets tickets) {
    StreamRoutes routes = new StreamRoutes(jwt, hub, perCaller, tickets);
    root.get(WEBSOCKET).handler(routes::webSocket);
    root.get(EVENTS).handler(routes::serverSentEvents);
  }

  /** A stream's caller, when its token expires (epoch ms; the stream closes then) and its jti (or null). */
  private record Caller(RequestContext ctx, long expiresAtMs, String jti) {
    /** Whom {@link StreamsPerCaller} counts the stream against. */
    String key() {
      return ctx.tenantId() + "/" + ctx.subject();
    }
  }

  /** {@code POST /api/v1/stream-tickets}: a one-time ticket for the verified caller's next stream. */
  public static Handler<RoutingContext> issueTicket(StreamTickets tickets) {
    return rc -> rc.response().setStatusCode(201).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(tickets.issue(rc.user().attributes().getJsonObject("accessToken")).encode());
  }

  private Future<Caller> caller(RoutingContext rc) {
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim()
        : null;
    Future<User> verified;
    if (token != null && !token.isBlank()) {
      verified = jwt.authenticate(new TokenCredentials(token))
          .recover(e -> Future.failedFuture(Failure.UNAUTHORIZED.exception("the token is invalid or expired")));
    } else if (rc.request().getParam("ticket") != null) {
      verified = tickets.redeem(rc.request().getParam("ticket")).compose(claims -> jwt.revoked(claims)
          ? Future.failedFuture(Failure.UNAUTHORIZED.exception("the token this ticket was issued for was revoked"))
          : Future.succeededFuture(User.create(new JsonObject(), new JsonObject().put("accessToken", claims))));
    } else if (rc.request().getParam("access_token") != null) {
      return Future.failedFuture(Failure.UNAUTHORIZED.exception("a bearer token in the URL is refused (proxies log "
          + "URLs): send it in the Authorization header, or connect with ?ticket= from POST /api/v1/stream-tickets"));
    } else {
      return Future.failedFuture(Failure.UNAUTHORIZED.exception("a bearer token or a stream ticket is required"));
    }
    return verified.compose(user -> {
          RequestContext ctx = Access.caller(user, rc);
          String agent = rc.request().getParam("agent");
          JsonObject claims = user.attributes().getJsonObject("accessToken");
          long exp = claims.getLong("exp");
          if (exp * 1000 <= System.currentTimeMillis()) {
            return Future.failedFuture(Failure.UNAUTHORIZED.exception("the token is invalid or expired"));
          }
          if (ctx.agentOnly() && agent != null && !agent.equals(ctx.subject())) {
            return Future.failedFuture(Failure.FORBIDDEN.exception("an agent's stream shows only its own work"));
          }
          Caller caller = new Caller(ctx, exp * 1000,
              claims.getValue(Jwt.JTI_CLAIM) instanceof String jti ? jti : null);
          if (!perCaller.tryOpen(caller.key())) {
            return Future.failedFuture(Failure.RATE_LIMITED.exception(ctx.subject() + " already has "
                + perCaller.max() + " streams open (http.maxStreamsPerCaller); close one first"));
          }
          return Future.succeededFuture(caller);
        });
  }

  /** Milliseconds until the caller's token expires (at least 1: a timer needs a positive delay). */
  private static long untilExpiry(Caller caller) {
    return Math.max(1, caller.expiresAtMs() - System.currentTimeMillis());
  }

  private void webSocket(RoutingContext rc) {
    if (!"websocket".equalsIgnoreCase(rc.request().getHeader(HttpHeaders.UPGRADE))) {
      rc.fail(Failure.BAD_REQUEST.exception("/api/v1/stream is a WebSocket: connect with an Upgrade request"));
      return;
    }
    rc.request().pause();
    caller(rc).onFailure(e -> {
      rc.fail(e instanceof ArbiterException ? e : Failure.UNAUTHORIZED.exception("authentication failed"));
      rc.request().resume();
    }).onSuccess(caller -> {
      RequestContext ctx = caller.ctx();
      // still paused: resuming before the upgrade would let the connection read on as plain HTTP
      rc.request().toWebSocket().onSuccess(ws -> {
        ws.setWriteQueueMaxSize(MAX_QUEUED_BYTES);
        StreamHub.Subscriber subscriber = new Filtered(ctx, rc) {
          @Override
          public boolean offer(StreamEvent event) {
            if (ws.isClosed()) {
              return false;
            }
            if (ws.writeQueueFull()) {
              ws.close((short) 1008, DROPPED);
              return false;
            }
            ws.writeTextMessage(event.toJson().encode());
            return true;
          }
        };
        hub.add(subscriber);
        long keepAlive = rc.vertx().setPeriodic(KEEPALIVE_MS, id -> {
          if (!ws.isClosed() && !ws.writeQueueFull()) {
            ws.writePing(Buffer.buffer());
          }
        });
        long expiry = rc.vertx().setTimer(untilExpiry(caller), id -> ws.close((short) 1008, EXPIRED));
        Revocations.Watch revoked = jwt.revocations().watch(ctx.tenantId(), caller.jti(),
            rc.vertx().getOrCreateContext(), () -> ws.close((short) 1008, REVOKED));
        ws.closeHandler(v -> {
          revoked.cancel();
          rc.vertx().cancelTimer(keepAlive);
          rc.vertx().cancelTimer(expiry);
          hub.remove(subscriber);
          perCaller.release(caller.key());
        });
        ws.handler(frame -> { });
      }).onFailure(e -> {
        perCaller.release(caller.key());
        LOG.warn("stream WebSocket upgrade failed: {}", e.toString());
      });
    });
  }

  private void serverSentEvents(RoutingContext rc) {
    caller(rc).onFailure(rc::fail).onSuccess(caller -> {
      RequestContext ctx = caller.ctx();
      HttpServerResponse response = rc.response();
      response.setChunked(true).setWriteQueueMaxSize(MAX_QUEUED_BYTES)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          .putHeader("X-Accel-Buffering", "no");
      response.write(": connected to the events of tenant " + ctx.tenantId() + "\n\n");
      StreamHub.Subscriber subscriber = new Filtered(ctx, rc) {
        @Override
        public boolean offer(StreamEvent event) {
          if (response.ended() || response.closed()) {
            return false;
          }
          if (response.writeQueueFull()) {
            response.end("event: dropped\ndata: " + DROPPED + "\n\n");
            return false;
          }
          response.write("event: " + event.type() + "\nid: " + event.id() + "\ndata: " + event.toJson().encode()
              + "\n\n");
          return true;
        }
      };
      hub.add(subscriber);
      long keepAlive = rc.vertx().setPeriodic(KEEPALIVE_MS, id -> {
        if (!response.ended() && !response.closed() && !response.writeQueueFull()) {
          response.write(": keep-alive\n\n");
        }
      });
      long expiry = rc.vertx().setTimer(untilExpiry(caller), id -> {
        if (!response.ended() && !response.closed()) {
          response.end("event: expired\ndata: " + EXPIRED + "\n\n");
        }
      });
      Revocations.Watch revoked = jwt.revocations().watch(ctx.tenantId(), caller.jti(),
          rc.vertx().getOrCreateContext(), () -> {
            if (!response.ended() && !response.closed()) {
              response.end("event: revoked\ndata: " + REVOKED + "\n\n");
            }
          });
      AtomicBoolean done = new AtomicBoolean();
      Handler<Void> cleanUp = v -> {
        if (done.compareAndSet(false, true)) {
          revoked.cancel();
          rc.vertx().cancelTimer(keepAlive);
          rc.vertx().cancelTimer(expiry);
          hub.remove(subscriber);
          perCaller.release(caller.key());
        }
      };
      // the server ends the stream (dropped, expired) or the client goes away: whichever comes first cleans up
      response.endHandler(cleanUp);
      response.closeHandler(cleanUp);
    });
  }

  /** A subscriber with the query's filters. */
  private abstract static class Filtered implements StreamHub.Subscriber {
    private final String tenantId;
    private final String task;
    private final String agent;
    private final String type;

    Filtered(RequestContext ctx, RoutingContext rc) {
      this.tenantId = ctx.tenantId();
      this.task = rc.request().getParam("task");
      // a caller that holds only the agent role sees its own work
      this.agent = ctx.agentOnly() ? ctx.subject() : rc.request().getParam("agent");
      this.type = rc.request().getParam("type");
    }

    @Override
    public String tenantId() {
      return tenantId;
    }

    @Override
    public String task() {
      return task;
    }

    @Override
    public String agent() {
      return agent;
    }

    @Override
    public String type() {
      return type;
    }
  }
}
