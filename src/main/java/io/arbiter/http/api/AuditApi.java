package io.arbiter.http.api;

import io.arbiter.bus.Addresses;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The audit trail's operations of the contract: the tenant's records, and the verification of the hash chain. */
public final class AuditApi {
  private AuditApi() {}

  /** A verification walks the whole chain (or a time range of it): it may take longer than an ordinary request. */
  static final long VERIFY_EXTRA_WAIT_MS = 120_000;

  public static void mount(RouterBuilder builder, BusRoute route) {
    builder.getRoute("queryAudit").addHandler(route.to(Addresses.AUDIT_QUERY, 200, BusRoute::query));
    builder.getRoute("verifyAudit").addHandler(route.to(Addresses.AUDIT_VERIFY, request -> VERIFY_EXTRA_WAIT_MS,
        BusRoute::query, (rc, reply) -> BusRoute.json(rc, 200, reply)));
  }
}
