package io.arbiter.http.auth;

import io.arbiter.audit.Redactor;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.CorrelationId;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Authorization of one operation, read from the contract: {@code x-arbiter-roles} lists the roles allowed, and
 * {@code x-arbiter-self} ({@code path.<name>} or {@code body.<name>}) the value that must equal the token's
 * {@code sub} when the caller is allowed only as an {@code agent}, and {@code x-arbiter-agent-fields} the only body
 * fields such a caller may send (others are operator or admin actions). On success it stores the caller's
 * {@link RequestContext} in the routing context for the handlers that follow.
 */
public final class Access implements Handler<RoutingContext> {

  private static final String CONTEXT_KEY = "arbiter.request-context";

  private final String operationId;
  private final Set<Role> allowed;
  private final String self;
  private final Set<String> agentFields;

  private Access(String operationId, Set<Role> allowed, String self, Set<String> agentFields) {
    this.operationId = operationId;
    this.allowed = allowed;
    this.self = self;
    this.agentFields = agentFields;
  }

  public static Access forOperation(Operation operation) {
    Object roles = operation.getExtensions().get("x-arbiter-roles");
    if (!(roles instanceof JsonArray list) || list.isEmpty()) {
      throw new IllegalStateException("operation " + operation.getOperationId() + " has no x-arbiter-roles");
    }
    Set<Role> allowed = EnumSet.noneOf(Role.class);
    list.forEach(r -> allowed.add(Role.fromWire(String.valueOf(r))
        .orElseThrow(() -> new IllegalStateException("unknown role " + r + " on " + operation.getOperationId()))));
    Object self = operation.getExtensions().get("x-arbiter-self");
    Object agentFields = operation.getExtensions().get("x-arbiter-agent-fields");
    return new Access(operation.getOperationId(), allowed, self == null ? null : self.toString(),
        agentFields instanceof JsonArray fields ? fields.stream().map(String::valueOf).collect(Collectors.toSet())
            : null);
  }

  /** The caller of the current request, as {@link Access} established it. */
  public static RequestContext context(RoutingContext rc) {
    return rc.get(CONTEXT_KEY);
  }

  /**
   * The caller of a request whose token was verified: {@code user} as the JWT provider authenticated it. Fails
   * {@link Failure#UNAUTHORIZED} without a token, or when it lacks {@code exp}, or its {@code sub} or {@code tenant}
   * cannot identify a caller ({@link Jwt#claimProblem}: blank, too long, a control character, a reserved tenant).
   */
  public static RequestContext caller(User user, RoutingContext rc) {
    return caller(user, CorrelationId.of(rc),
        rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress(),
        rc.request().getHeader("User-Agent"));
  }

  /**
   * The caller behind a verified token, for transports without a routing context (the event-bus bridge). Fails
   * {@link Failure#UNAUTHORIZED} as {@link #caller(User, RoutingContext)} does.
   */
  public static RequestContext caller(User user, String correlationId, String clientIp, String userAgent) {
    JsonObject principal = user == null ? null : user.attributes().getJsonObject("accessToken");
    if (principal == null) {
      throw Failure.UNAUTHORIZED.exception("a bearer token is required");
    }
    if (!principal.containsKey("exp")) {
      throw Failure.UNAUTHORIZED.exception("the token has no exp claim");
    }
    String tenant = principal.getString(Jwt.TENANT_CLAIM);
    String subject = principal.getString("sub");
    String problem = Jwt.claimProblem(Jwt.TENANT_CLAIM, tenant);
    problem = problem != null ? problem : Jwt.claimProblem("sub", subject);
    if (problem != null) {
      throw Failure.UNAUTHORIZED.exception(problem);
    }
    return new RequestContext(correlationId, tenant, subject, String.join(",", roles(principal)), clientIp,
        Redactor.userAgent(userAgent));
  }

  @Override
  public void handle(RoutingContext rc) {
    RequestContext ctx;
    try {
      ctx = caller(rc.user(), rc);
    } catch (ArbiterException e) {
      rc.fail(e);
      return;
    }
    rc.put(CONTEXT_KEY, ctx);
    try {
      authorize(ctx, rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST));
    } catch (ArbiterException e) {
      rc.fail(e);
      return;
    }
    rc.next();
  }

  /**
   * Whether {@code ctx} may call the operation with {@code request} (validated against the contract): fails
   * {@link Failure#FORBIDDEN} for a role not allowed, an agent acting as another, or an agent changing what only an
   * operator or admin may. Transports other than REST (the MCP tools) call it with the request they validated.
   */
  public void authorize(RequestContext ctx, ValidatedRequest request) {
    List<String> roleNames = List.of(ctx.role().split(","));
    Set<Role> held = roleNames.stream().map(Role::fromWire).flatMap(java.util.Optional::stream)
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(Role.class)));
    held.retainAll(allowed);
    if (held.isEmpty()) {
      throw Failure.FORBIDDEN.exception("role " + String.join(",", roleNames) + " may not " + operationId);
    }
    if (self != null && held.equals(EnumSet.of(Role.AGENT)) && !ctx.subject().equals(selfValue(request))) {
      throw Failure.FORBIDDEN.exception("an agent may act only as itself");
    }
    if (agentFields != null && held.equals(EnumSet.of(Role.AGENT))) {
      JsonObject body = body(request);
      List<String> refused = body == null ? List.of()
          : body.fieldNames().stream().filter(f -> !agentFields.contains(f)).sorted().toList();
      if (!refused.isEmpty()) {
        throw Failure.FORBIDDEN.exception("an agent may change only " + String.join(", ", agentFields.stream()
            .sorted().toList()) + " of itself; " + String.join(", ", refused) + " are changed by an operator or admin");
      }
    }
  }

  private static List<String> roles(JsonObject principal) {
    Object roles = principal.getValue(Jwt.ROLES_CLAIM);
    if (roles instanceof JsonArray array) {
      return array.stream().map(String::valueOf).toList();
    }
    return roles == null ? List.of() : List.of(roles.toString());
  }

  private String selfValue(ValidatedRequest request) {
    String[] where = self.split("\\.", 2);
    if (request == null) {
      return null;
    }
    if (where[0].equals("path")) {
      var param = request.getPathParameters().get(where[1]);
      return param == null ? null : param.getString();
    }
    JsonObject body = body(request);
    return body == null ? null : body.getString(where[1]);
  }

  private static JsonObject body(ValidatedRequest request) {
    return request == null || request.getBody() == null || request.getBody().isNull() ? null
        : request.getBody().getJsonObject();
  }
}
