package io.arbiter.http.mcp;

import io.arbiter.bus.Addresses;
import io.arbiter.http.api.BusRoute;
import io.arbiter.http.api.TasksApi;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One MCP tool: a contract operation called over the bus address its REST route uses, with the same message built
 * from the same validated request. {@code names} renames the operation's parameters for the tool
 * ({@code id} → {@code agentId}); {@code self} is the parameter that an agent's own id fills in when the agent leaves
 * it out; {@code defaults} are arguments assumed when absent; {@code answer} picks what the tool returns of the reply.
 */
record Tool(String name, String description, String operationId, String address, Map<String, String> names,
            String self, Map<String, Object> defaults, Function<ValidatedRequest, JsonObject> message,
            Function<ValidatedRequest, Long> extraWaitMs, Function<JsonObject, JsonObject> answer) {

  private static final Map<String, String> AGENT = Map.of("id", "agentId");

  /** The tools, agents' first, then submitters'. */
  static final List<Tool> ALL = List.of(
      new Tool("claim_task", "Wait up to `wait` seconds (long poll) for tasks assigned to the agent and take up to "
          + "`max` of them; by default each comes back acknowledged (`ack`), running under its lease. An empty "
          + "`tasks` means nothing came in time.", "claimTasks", Addresses.TASKS_CLAIM, AGENT, "id",
          Map.of("ack", true), TasksApi::claim, Tool::waitMs, Function.identity()),
      new Tool("ack_task", "Acknowledge a delivery taken without ack: the task is running and its lease starts.",
          "ackTask", Addresses.TASKS_ACK, AGENT, "id", Map.of(), TasksApi::agentCall, none(), Function.identity()),
      new Tool("report_progress", "Report progress of a running attempt (percent, message); extends the lease.",
          "reportProgress", Addresses.TASKS_PROGRESS, AGENT, "id", Map.of(), TasksApi::agentCall, none(),
          Function.identity()),
      new Tool("heartbeat", "Extend the lease of a running attempt; `canceled` in the answer tells the agent to stop.",
          "heartbeatTask", Addresses.TASKS_HEARTBEAT, AGENT, "id", Map.of(), TasksApi::agentCall, none(),
          Function.identity()),
      new Tool("submit_result", "Report the attempt's outcome (succeeded or failed) with its result or error and the "
          + "figures the task's gates check (quality, testsPassed, coverage, filesChanged, linesChanged); a repeat "
          + "returns the first outcome.", "reportResult", Addresses.TASKS_RESULT, AGENT, "id", Map.of(),
          TasksApi::result, none(), Function.identity()),
      new Tool("submit_task", "Submit a task; with an idempotencyKey a repeat returns the first task.", "submitTask",
          Addresses.TASKS_SUBMIT, Map.of("Idempotency-Key", "idempotencyKey"), null, Map.of(), TasksApi::submission,
          none(), reply -> reply.getJsonObject("task")),
      new Tool("submit_task_batch", "Submit up to 1,000 tasks in one transaction; answers each task's id and state, "
          + "in order. A task over a tenant limit refuses the whole batch, naming the item (tasks[i]).",
          "submitTaskBatch", Addresses.TASKS_SUBMIT_BATCH, Map.of(), null, Map.of(), BusRoute::body, none(),
          Function.identity()),
      new Tool("submit_workflow", "Submit a graph of up to 100 tasks in one transaction: nodes by key, edges from "
          + "parent to child (onFailure: cancel or continue); answers each key's task id.", "submitWorkflow",
          Addresses.TASKS_WORKFLOW, Map.of(), null, Map.of(), BusRoute::body, none(), Function.identity()),
      new Tool("cancel_task", "Cancel a task that has not finished; a running agent learns it at its next heartbeat.",
          "cancelTask", Addresses.TASKS_CANCEL, Map.of(), null, Map.of(), TasksApi::taskId, none(),
          Function.identity()),
      new Tool("requeue_task", "Put a dead task back in the queue with a fresh set of attempts (admin or operator).",
          "requeueTask", Addresses.TASKS_REQUEUE, Map.of(), null, Map.of(), TasksApi::taskId, none(),
          Function.identity()),
      new Tool("get_task", "One task of the caller's tenant, with its state.", "getTask", Addresses.TASKS_GET,
          Map.of(), null, Map.of(), TasksApi::taskId, none(), Function.identity()),
      new Tool("list_tasks", "List tasks, newest first, filtered by state, type, agent and creation time (from, to); "
          + "pass nextCursor back as cursor for the next page.", "listTasks", Addresses.TASKS_LIST, Map.of(), null,
          Map.of(), BusRoute::query, none(), Function.identity()),
      new Tool("explain_routing", "The routing decision of the task's latest assignment: the candidates, their "
          + "scores and why the chosen agent won.", "getTaskDecision", Addresses.TASKS_DECISION, Map.of(), null,
          Map.of(), TasksApi::taskId, none(), Function.identity()));

  /** What the task resources read: the task, and its history. */
  static final Tool TASK = new Tool("task", "The task", "getTask", Addresses.TASKS_GET, Map.of(), null, Map.of(),
      TasksApi::taskId, none(), Function.identity());
  static final Tool HISTORY = new Tool("task-history", "Every state transition of the task, oldest first",
      "getTaskHistory", Addresses.TASKS_HISTORY, Map.of(), null, Map.of(), TasksApi::taskId, none(),
      Function.identity());

  /** The argument name of a contract parameter. */
  String argument(String parameter) {
    return names.getOrDefault(parameter, parameter);
  }

  private static Function<ValidatedRequest, Long> none() {
    return request -> 0L;
  }

  private static long waitMs(ValidatedRequest request) {
    Object wait = BusRoute.queryValue(request, "wait");
    return wait == null ? 0L : 1000L * ((Number) wait).longValue();
  }
}
