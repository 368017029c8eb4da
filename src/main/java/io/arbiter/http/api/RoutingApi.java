package io.arbiter.http.api;

import io.arbiter.bus.Addresses;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The routing operations of the contract: what the learning router knows. */
public final class RoutingApi {
  private RoutingApi() {}

  public static void mount(RouterBuilder builder, BusRoute route) {
    builder.getRoute("routingStats").addHandler(route.to(Addresses.ROUTING_STATS, 200, BusRoute::query));
  }
}
