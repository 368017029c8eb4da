package io.arbiter.http.mcp;

import io.arbiter.audit.AuditEvent;
import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.NulCharacters;
import io.arbiter.http.Problems;
import io.arbiter.http.auth.Access;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls a {@link Tool} for a caller as its REST operation is called: the arguments are split into the operation's
 * parameters and body and validated against the contract by vertx-openapi's own validation, the caller is authorized
 * by the operation's {@link Access} rules, and the message goes to the operation's bus address with the caller's
 * {@link RequestContext}. Every failure is an {@link ArbiterException}; a refusal for want of a role or identity is
 * audited as a security event, as for REST.
 */
final class ToolCalls {

  private final OpenAPIContract contract;
  private final RequestValidatorImpl validator;
  private final EventBus bus;
  private final long timeoutMs;
  private final Map<String, Access> access = new HashMap<>();

  ToolCalls(Vertx vertx, OpenAPIContract contract, long timeoutMs) {
    this.contract = contract;
    this.validator = new RequestValidatorImpl(vertx, contract);
    this.bus = vertx.eventBus();
    this.timeoutMs = timeoutMs;
    for (Tool tool : Tool.ALL) {
      access.put(tool.operationId(), Access.forOperation(contract.operation(tool.operationId())));
    }
    for (Tool tool : List.of(Tool.TASK, Tool.HISTORY)) {
      access.put(tool.operationId(), Access.forOperation(contract.operation(tool.operationId())));
    }
  }

  /** The tool's answer to {@code arguments} from {@code caller}; fails with the {@link ArbiterException} REST gives. */
  Future<JsonObject> call(Tool tool, RequestContext caller, Map<String, Object> arguments) {
    ValidatedRequest request;
    try {
      request = validate(tool, caller, arguments);
      access.get(tool.operationId()).authorize(caller, request);
    } catch (ArbiterException e) {
      audit(tool, caller, e);
      return Future.failedFuture(e);
    } catch (ValidatorException e) {
      return Future.failedFuture(Problems.validation(e));
    }
    return bus.<JsonObject>request(tool.address(), tool.message().apply(request),
            caller.deliveryOptions(timeoutMs + tool.extraWaitMs().apply(request)))
        .map(reply -> tool.answer().apply(reply.body()))
        .recover(e -> Future.failedFuture(Replies.fromBus(e)));
  }

  private ValidatedRequest validate(Tool tool, RequestContext caller, Map<String, Object> arguments) {
    JsonObject given = arguments == null ? new JsonObject() : new JsonObject(new HashMap<>(arguments));
    tool.defaults().forEach((name, value) -> {
      if (!given.containsKey(name)) {
        given.put(name, value);
      }
    });
    if (tool.self() != null && caller.agentOnly() && !given.containsKey(tool.argument(tool.self()))) {
      given.put(tool.argument(tool.self()), caller.subject());
    }
    Operation operation = contract.operation(tool.operationId());
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter parameter : operation.getParameters()) {
      Object value = given.remove(tool.argument(parameter.getName()));
      RequestParameter raw = new RequestParameterImpl(value == null ? null : String.valueOf(value));
      RequestParameter valid = validator.validateParameter(parameter, raw);
      NulCharacters.refuse(valid.get(), tool.argument(parameter.getName()));
      switch (parameter.getIn()) {
        case HEADER -> headers.put(parameter.getName(), valid);
        case PATH -> path.put(parameter.getName(), valid);
        case QUERY -> query.put(parameter.getName(), valid);
        default -> { }
      }
    }
    RequestParameter body = new RequestParameterImpl(null);
    if (operation.getRequestBody() != null) {
      body = validator.validateBody(operation.getRequestBody(), new ValidatableRequestImpl(Map.of(), headers, path,
          query, new RequestParameterImpl(Buffer.buffer(given.encode())), "application/json"));
      NulCharacters.refuse(body.get(), "");
    } else if (!given.isEmpty()) {
      throw new ArbiterException(Failure.BAD_REQUEST, "field " + given.fieldNames().iterator().next()
          + ": unknown field", new JsonObject().put("field", given.fieldNames().iterator().next()));
    }
    return new ValidatedRequestImpl(Map.of(), headers, path, query, body);
  }

  private void audit(Tool tool, RequestContext caller, ArbiterException refusal) {
    if (refusal.failure() != Failure.FORBIDDEN && refusal.failure() != Failure.UNAUTHORIZED) {
      return;
    }
    AuditEvent event = AuditEvent.of(caller, "access.denied", "MCP " + tool.name(), AuditEvent.Outcome.DENIED,
        new JsonObject().put("reason", refusal.getMessage())).withTags(AuditEvent.SECURITY_TAGS);
    bus.send(Addresses.AUDIT_APPEND, event.toJson(), caller.deliveryOptions(5_000));
  }
}
