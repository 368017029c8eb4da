package io.arbiter.http.api;

import io.arbiter.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The policy operations of the contract: the tenant's limits, and waivers of result gates. */
public final class PolicyApi {
  private PolicyApi() {}

  public static void mount(RouterBuilder builder, BusRoute route) {
    builder.getRoute("getTenantLimits").addHandler(route.to(Addresses.POLICY_LIMITS_GET, 200,
        request -> new JsonObject()));
    builder.getRoute("putTenantLimits").addHandler(route.to(Addresses.POLICY_LIMITS_PUT, 200, BusRoute::body));
    builder.getRoute("createWaiver").addHandler(route.to(Addresses.POLICY_WAIVER_CREATE, 201, BusRoute::body));
    builder.getRoute("listWaivers").addHandler(route.to(Addresses.POLICY_WAIVER_LIST, 200, BusRoute::query));
    builder.getRoute("getWaiver").addHandler(route.to(Addresses.POLICY_WAIVER_GET, 200, BusRoute::pathId));
    builder.getRoute("revokeWaiver").addHandler(route.to(Addresses.POLICY_WAIVER_REVOKE, 200, BusRoute::pathId));
  }
}
