package io.arbiter.http.api;

import io.arbiter.bus.Addresses;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The schedule operations of the contract: recurring tasks and their runs. */
public final class SchedulesApi {
  private SchedulesApi() {}

  public static void mount(RouterBuilder builder, BusRoute route) {
    builder.getRoute("createSchedule").addHandler(route.to(Addresses.SCHEDULES_CREATE, request -> 0L, BusRoute::body,
        (rc, reply) -> {
          rc.response().putHeader("Location", "/api/v1/schedules/" + reply.getString("id"));
          BusRoute.json(rc, 201, reply);
        }));
    builder.getRoute("listSchedules").addHandler(route.to(Addresses.SCHEDULES_LIST, 200, BusRoute::query));
    builder.getRoute("getSchedule").addHandler(route.to(Addresses.SCHEDULES_GET, 200, BusRoute::pathId));
    builder.getRoute("updateSchedule").addHandler(route.to(Addresses.SCHEDULES_UPDATE, 200,
        request -> BusRoute.body(request).copy().put("id", BusRoute.path(request, "id"))));
    builder.getRoute("deleteSchedule").addHandler(route.to(Addresses.SCHEDULES_DELETE, request -> 0L,
        BusRoute::pathId, (rc, reply) -> rc.response().setStatusCode(204).end()));
    builder.getRoute("listScheduleRuns").addHandler(route.to(Addresses.SCHEDULES_RUNS, 200, SchedulesApi::runs));
  }

  private static JsonObject runs(ValidatedRequest request) {
    return BusRoute.query(request).put("id", BusRoute.path(request, "id"));
  }
}
