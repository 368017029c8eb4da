package io.arbiter.http.bridge;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.NulCharacters;
import io.arbiter.http.Problems;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's reports over the bridge, {@code {taskId, attempt, …}} sent to {@code arbiter.agent.<id>.ack},
 * {@code .heartbeat}, {@code .progress} or {@code .result}: each body is checked against the request schema of the
 * REST operation of the same name, then goes to the same task verticle address with the agent's
 * {@link RequestContext}, so both paths share one implementation of the lease, idempotency and stale-attempt rules.
 * A result may carry {@code next} (as the REST call's query parameter): its answer then holds the agent's next
 * deliveries, already acknowledged.
 * The reply is the REST answer's JSON; a refusal is the {@link Failure} code with its detail. A heartbeat without
 * {@code taskId} is the agent's own heartbeat (as {@code POST /agents/{id}/heartbeat}).
 */
final class AgentReports {

  private static final Logger LOG = LoggerFactory.getLogger(AgentReports.class);

  /** Headers the bridge adds to a report it forwards: the channel the agent sent to, and the agent. */
  static final String CHANNEL = "channel";
  static final String AGENT_ID = "agent-id";

  private record Route(String address, Validator validator) {}

  private final EventBus bus;
  private final long timeoutMs;
  private final Map<String, Route> routes;

  AgentReports(EventBus bus, OpenAPIContract contract, long timeoutMs) {
    this.bus = bus;
    this.timeoutMs = timeoutMs;
    this.routes = Map.of(
        "ack", new Route(Addresses.TASKS_ACK, validator(contract, "ackTask")),
        "heartbeat", new Route(Addresses.TASKS_HEARTBEAT, validator(contract, "heartbeatTask")),
        "progress", new Route(Addresses.TASKS_PROGRESS, validator(contract, "reportProgress")),
        "result", new Route(Addresses.TASKS_RESULT, validator(contract, "reportResult")));
  }

  private static Validator validator(OpenAPIContract contract, String operationId) {
    return contract.getSchemaRepository().validator(contract.operation(operationId).getRequestBody().getContent()
        .get("application/json").getSchema());
  }

  Future<MessageConsumer<Object>> start() {
    MessageConsumer<Object> consumer = bus.localConsumer(Addresses.BRIDGE_REPORT, this::handle);
    return consumer.completion().map(consumer);
  }

  private void handle(Message<Object> message) {
    Future<JsonObject> answer;
    try {
      answer = report(message);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onSuccess(message::reply).onFailure(e -> {
      ArbiterException known = Replies.fromBus(e);
      if (known.failure() == Failure.INTERNAL) {
        LOG.warn("bridge report on {} failed: {}", message.headers().get(CHANNEL), e.toString());
      }
      message.fail(known.failure().code, known.getMessage());
    });
  }

  private Future<JsonObject> report(Message<Object> message) {
    String channel = message.headers().get(CHANNEL);
    String agentId = message.headers().get(AGENT_ID);
    RequestContext ctx = RequestContext.from(message);
    if (!(message.body() instanceof JsonObject body)) {
      throw Failure.BAD_REQUEST.exception("the body must be a JSON object {taskId, attempt, …}");
    }
    if ("heartbeat".equals(channel) && !body.containsKey("taskId")) {
      if (!body.isEmpty()) {
        throw Failure.BAD_REQUEST.exception("an agent heartbeat has an empty body; a task heartbeat needs taskId");
      }
      return request(Addresses.REGISTRY_HEARTBEAT, new JsonObject().put("id", agentId), ctx);
    }
    Route route = routes.get(channel);
    if (route == null) {
      throw Failure.BAD_REQUEST.exception("unknown channel " + channel + "; send to ack, heartbeat, progress or result");
    }
    String taskId = taskId(body.getValue("taskId"));
    JsonObject rest = body.copy();
    rest.remove("taskId");
    Integer next = "result".equals(channel) ? next(rest.remove("next")) : null;
    OutputUnit checked = route.validator().validate(rest);
    if (!Boolean.TRUE.equals(checked.getValid())) {
      throw Problems.invalid(checked, "");
    }
    NulCharacters.refuse(rest, "");
    rest.put("agentId", agentId).put("taskId", taskId);
    return request(route.address(), next == null ? rest : rest.put("next", next), ctx);
  }

  /** A result's {@code next}, as the REST query parameter of that name: 0..1000 tasks to take with the answer. */
  private static Integer next(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 0 || n.intValue() > 1000) {
      throw Failure.BAD_REQUEST.exception("field next: must be an integer from 0 to 1000");
    }
    return n.intValue();
  }

  private static String taskId(Object value) {
    if (value == null) {
      throw Failure.BAD_REQUEST.exception("field taskId: is required");
    }
    try {
      return UUID.fromString(String.valueOf(value)).toString();
    } catch (IllegalArgumentException e) {
      throw Failure.BAD_REQUEST.exception("field taskId: " + value + " is not a UUID");
    }
  }

  private Future<JsonObject> request(String address, JsonObject body, RequestContext ctx) {
    return bus.<JsonObject>request(address, body, ctx.deliveryOptions(timeoutMs)).map(Message::body);
  }
}
