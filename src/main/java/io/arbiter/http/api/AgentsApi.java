package io.arbiter.http.api;

import io.arbiter.bus.Addresses;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The registry's operations of the contract, each forwarded to the registry verticle. */
public final class AgentsApi {
  private AgentsApi() {}

  public static void mount(RouterBuilder builder, BusRoute route) {
    builder.getRoute("registerAgent").addHandler(route.to(Addresses.REGISTRY_REGISTER, 201, BusRoute::body));
    builder.getRoute("listAgents").addHandler(route.to(Addresses.REGISTRY_LIST, 200, BusRoute::query));
    builder.getRoute("getAgent").addHandler(route.to(Addresses.REGISTRY_GET, 200, BusRoute::pathId));
    builder.getRoute("updateAgent").addHandler(route.to(Addresses.REGISTRY_UPDATE, 200,
        request -> BusRoute.body(request).copy().mergeIn(BusRoute.pathId(request))));
    builder.getRoute("deregisterAgent").addHandler(route.to(Addresses.REGISTRY_DEREGISTER, 200, BusRoute::pathId));
    builder.getRoute("heartbeatAgent").addHandler(route.to(Addresses.REGISTRY_HEARTBEAT, 200, BusRoute::pathId));
  }
}
