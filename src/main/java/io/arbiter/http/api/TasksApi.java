package io.arbiter.http.api;

import io.arbiter.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * The task operations of the contract: submission and reads for clients, claim and the lease for agents. The messages
 * built here from a validated request are also those of the MCP tools.
 */
public final class TasksApi {
  private TasksApi() {}

  public static void mount(RouterBuilder builder, BusRoute route) {
    builder.getRoute("submitTask").addHandler(route.to(Addresses.TASKS_SUBMIT, request -> 0L, TasksApi::submission,
        (rc, reply) -> BusRoute.json(rc, reply.getBoolean("created") ? 202 : 200, reply.getJsonObject("task"))));
    builder.getRoute("submitTaskBatch").addHandler(route.to(Addresses.TASKS_SUBMIT_BATCH, 202, BusRoute::body));
    builder.getRoute("submitWorkflow").addHandler(route.to(Addresses.TASKS_WORKFLOW, 202, BusRoute::body));
    builder.getRoute("getTaskGraph").addHandler(route.to(Addresses.TASKS_GRAPH, 200, TasksApi::taskId));
    builder.getRoute("listTasks").addHandler(route.to(Addresses.TASKS_LIST, 200, BusRoute::query));
    builder.getRoute("queue").addHandler(route.to(Addresses.TASKS_QUEUE, 200, request -> new JsonObject()));
    builder.getRoute("getTask").addHandler(route.to(Addresses.TASKS_GET, 200, TasksApi::taskId));
    builder.getRoute("getTaskHistory").addHandler(route.to(Addresses.TASKS_HISTORY, 200, TasksApi::taskId));
    builder.getRoute("getTaskDecision").addHandler(route.to(Addresses.TASKS_DECISION, 200, TasksApi::taskId));
    builder.getRoute("getTaskCallback").addHandler(route.to(Addresses.CALLBACKS_GET, 200, TasksApi::taskId));
    builder.getRoute("cancelTask").addHandler(route.to(Addresses.TASKS_CANCEL, 200, TasksApi::taskId));
    builder.getRoute("requeueTask").addHandler(route.to(Addresses.TASKS_REQUEUE, 200, TasksApi::taskId));
    builder.getRoute("requeueDeadTasks").addHandler(route.to(Addresses.TASKS_REQUEUE_DEAD, 200, BusRoute::body));
    builder.getRoute("taskTimeseries").addHandler(route.to(Addresses.TASKS_TIMESERIES, 200, BusRoute::query));
    builder.getRoute("agentActivity").addHandler(route.to(Addresses.TASKS_AGENT_ACTIVITY, 200,
        request -> BusRoute.query(request).put("id", BusRoute.path(request, "id"))));
    builder.getRoute("purgeTask").addHandler(route.to(Addresses.TASKS_PURGE, request -> 0L, TasksApi::taskId,
        (rc, reply) -> rc.response().setStatusCode(204).end()));

    builder.getRoute("claimTasks").addHandler(route.whenClientLeaves(request -> wait(request) > 0,
        Addresses.TASKS_CLAIM_CANCEL, request -> new JsonObject().put("agentId", BusRoute.path(request, "id"))));
    builder.getRoute("claimTasks").addHandler(route.to(Addresses.TASKS_CLAIM,
        request -> 1000L * wait(request), TasksApi::claim,
        (rc, reply) -> {
          if (reply.getJsonArray("tasks").isEmpty()) {
            rc.response().setStatusCode(204).end();
          } else {
            BusRoute.json(rc, 200, reply);
          }
        }));
    builder.getRoute("ackTask").addHandler(route.to(Addresses.TASKS_ACK, 200, TasksApi::agentCall));
    builder.getRoute("heartbeatTask").addHandler(route.to(Addresses.TASKS_HEARTBEAT, 200, TasksApi::agentCall));
    builder.getRoute("reportProgress").addHandler(route.to(Addresses.TASKS_PROGRESS, 200, TasksApi::agentCall));
    builder.getRoute("reportResult").addHandler(route.to(Addresses.TASKS_RESULT, request -> 0L, TasksApi::result,
        (rc, reply) -> BusRoute.json(rc, reply.getBoolean("buffered", false) ? 202 : 200, reply)));
    builder.getRoute("ackTaskBatch").addHandler(route.to(Addresses.TASKS_ACK_BATCH, 200, TasksApi::agentBatch));
    builder.getRoute("reportResultBatch").addHandler(route.to(Addresses.TASKS_RESULT_BATCH, 200,
        TasksApi::agentBatch));
  }

  /** A submission: its body, plus the {@code Idempotency-Key} header as {@code idempotencyKey}. */
  public static JsonObject submission(ValidatedRequest request) {
    JsonObject body = BusRoute.body(request).copy();
    RequestParameter key = request.getHeaders().get("Idempotency-Key");
    if (key != null && !key.isNull()) {
      body.put("idempotencyKey", key.getString());
    }
    return body;
  }

  /** {@code {id: <path taskId>}}. */
  public static JsonObject taskId(ValidatedRequest request) {
    return new JsonObject().put("id", BusRoute.path(request, "taskId"));
  }

  private static int wait(ValidatedRequest request) {
    Object wait = BusRoute.queryValue(request, "wait");
    return wait == null ? 0 : ((Number) wait).intValue();
  }

  /** A claim: whose, how long to wait, how many, and whether to acknowledge at once. */
  public static JsonObject claim(ValidatedRequest request) {
    Object max = BusRoute.queryValue(request, "max");
    return new JsonObject().put("agentId", BusRoute.path(request, "id")).put("wait", wait(request))
        .put("max", max == null ? 1 : ((Number) max).intValue())
        .put("ack", Boolean.TRUE.equals(BusRoute.queryValue(request, "ack")));
  }

  /** A result, and how many of its next tasks the agent takes with it. */
  public static JsonObject result(ValidatedRequest request) {
    Object next = BusRoute.queryValue(request, "next");
    JsonObject call = agentCall(request);
    return next == null ? call : call.put("next", ((Number) next).intValue());
  }

  /** The agent's reports on many tasks: the body plus whose they are. */
  private static JsonObject agentBatch(ValidatedRequest request) {
    return BusRoute.body(request).copy().put("agentId", BusRoute.path(request, "id"));
  }

  /** The agent's report on one task: its body plus whose and which task it is. */
  public static JsonObject agentCall(ValidatedRequest request) {
    return BusRoute.body(request).copy().put("agentId", BusRoute.path(request, "id"))
        .put("taskId", BusRoute.path(request, "taskId"));
  }
}
