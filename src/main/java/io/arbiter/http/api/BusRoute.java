package io.arbiter.http.api;

import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Access;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An HTTP operation answered by a domain verticle: the validated request becomes a bus message (with the caller's
 * {@link RequestContext} in its headers), and the reply becomes the response. Ingress holds no domain logic.
 */
public final class BusRoute {

  private final EventBus bus;
  private final long timeoutMs;

  public BusRoute(EventBus bus, long timeoutMs) {
    this.bus = bus;
    this.timeoutMs = timeoutMs;
  }

  /** Writes the response for a domain verticle's reply. */
  @FunctionalInterface
  public interface Responder {
    void respond(RoutingContext rc, JsonObject reply);
  }

  /** Sends {@code message(request)} to {@code address} and answers {@code status} with the reply's JSON. */
  public Handler<RoutingContext> to(String address, int status, Function<ValidatedRequest, JsonObject> message) {
    return to(address, request -> 0L, message, (rc, reply) -> json(rc, status, reply));
  }

  /**
   * The general form: {@code extraWaitMs} lengthens the reply timeout for operations that wait on purpose (a long-poll
   * claim), and {@code responder} shapes the response from the reply.
   */
  public Handler<RoutingContext> to(String address, Function<ValidatedRequest, Long> extraWaitMs,
                                    Function<ValidatedRequest, JsonObject> message, Responder responder) {
    return rc -> {
      ValidatedRequest request = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
      RequestContext ctx = Access.context(rc);
      bus.<JsonObject>request(address, message.apply(request),
              ctx.deliveryOptions(timeoutMs + extraWaitMs.apply(request)))
          .onSuccess(reply -> responder.respond(rc, reply.body()))
          .onFailure(e -> rc.fail(Replies.fromBus(e)));
    };
  }

  /**
   * For a request that {@code applies}: when its client goes away before the response is written (the connection
   * closes), sends {@code message(request)} to {@code address} with the request's context, so that the domain stops
   * working for no one (a long-polling claim stops waiting). Then passes the request on.
   */
  public Handler<RoutingContext> whenClientLeaves(Predicate<ValidatedRequest> applies, String address,
                                                  Function<ValidatedRequest, JsonObject> message) {
    return rc -> {
      ValidatedRequest request = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
      if (applies.test(request)) {
        RequestContext ctx = Access.context(rc);
        rc.response().closeHandler(closed -> {
          if (!rc.response().ended()) {
            bus.send(address, message.apply(request), ctx.deliveryOptions(timeoutMs));
          }
        });
      }
      rc.next();
    };
  }

  public static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  /** A query parameter's value, or null. */
  public static Object queryValue(ValidatedRequest request, String name) {
    RequestParameter value = request.getQuery().get(name);
    return value == null || value.isNull() ? null : value.get();
  }

  public static String path(ValidatedRequest request, String name) {
    return request.getPathParameters().get(name).getString();
  }

  /** The validated JSON body. */
  public static JsonObject body(ValidatedRequest request) {
    return request.getBody().getJsonObject();
  }

  /** {@code {id: <path id>}}. */
  public static JsonObject pathId(ValidatedRequest request) {
    return new JsonObject().put("id", request.getPathParameters().get("id").getString());
  }

  /** The query parameters that were given, as JSON (arrays stay arrays). */
  public static JsonObject query(ValidatedRequest request) {
    JsonObject json = new JsonObject();
    for (Map.Entry<String, RequestParameter> entry : request.getQuery().entrySet()) {
      if (!entry.getValue().isNull()) {
        json.put(entry.getKey(), entry.getValue().get());
      }
    }
    return json;
  }
}
