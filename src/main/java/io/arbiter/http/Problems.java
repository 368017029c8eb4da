package io.arbiter.http;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.bus.RequestLog;
import io.arbiter.audit.AuditEvent;
import io.arbiter.audit.Redactor;
import io.arbiter.http.auth.Access;
import io.arbiter.http.auth.AuthFailures;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become {@code application/problem+json} responses. Validation errors name the
 * offending field; 401 and 403 are also appended to the audit trail as security events; 503 carries
 * {@code Retry-After}. A 429 is sent after {@code http.refusalDelayMs} (at most its {@code Retry-After}): a client
 * that ignores {@code Retry-After} and asks again at once, as floods and credential guessing do, then costs one
 * answer per delay on each connection instead of as many as the server can write.
 */
public final class Problems implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private final EventBus bus;
  private final AuthFailures authFailures;
  private final long retryAfterSeconds;
  private final long refusalDelayMs;

  public Problems(EventBus bus, long retryAfterSeconds, AuthFailures authFailures, long refusalDelayMs) {
    this.bus = bus;
    this.retryAfterSeconds = retryAfterSeconds;
    this.authFailures = authFailures;
    this.refusalDelayMs = refusalDelayMs;
  }

  /** The client address of a request, as the rate limits and authentication blocks count it. */
  static String address(RoutingContext rc) {
    return rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
  }

  @Override
  public void handle(RoutingContext rc) {
    if (rc.response().ended()) {
      return;
    }
    if (rc.failure() instanceof HttpClosedException || rc.response().closed()) {
      // the client went away (say, in the middle of its body): there is no one to answer, and nothing failed here
      RequestLog.of(LOG, CorrelationId.of(rc)).debug("request {} {}: the client closed the connection",
          rc.request().method(), rc.request().path());
      return;
    }
    ArbiterException problem = toProblem(rc);
    String correlationId = CorrelationId.of(rc);
    Failure failure = problem.failure();
    if (failure == Failure.INTERNAL) {
      RequestLog.of(LOG, correlationId).error("request {} {} failed", rc.request().method(), rc.request().path(),
          rc.failure());
    }
    if (failure == Failure.UNAUTHORIZED || failure == Failure.FORBIDDEN) {
      auditSecurityEvent(rc, failure, problem.getMessage());
    }
    if (failure == Failure.UNAUTHORIZED && authFailures != null) {
      authFailures.failed(address(rc));
    }
    if ((failure == Failure.UNAVAILABLE || failure == Failure.RATE_LIMITED)
        && rc.response().headers().get("Retry-After") == null) {
      rc.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
    if (failure == Failure.OVERLOADED) {
      rc.response().putHeader("Retry-After", "1");
    }
    if (failure == Failure.UNAUTHORIZED) {
      rc.response().putHeader("WWW-Authenticate", "Bearer");
    }
    rc.response()
        .setStatusCode(failure.httpStatus)
        .putHeader("Content-Type", Failure.PROBLEM_CONTENT_TYPE);
    String body = problem.problem().put("correlationId", correlationId).encode();
    long delayMs = failure == Failure.RATE_LIMITED ? Math.min(refusalDelayMs, retryAfterMs(rc)) : 0;
    if (delayMs <= 0) {
      rc.response().end(body);
      return;
    }
    rc.vertx().setTimer(delayMs, id -> {
      if (!rc.response().ended() && !rc.response().closed()) {
        rc.response().end(body);
      }
    });
  }

  private static long retryAfterMs(RoutingContext rc) {
    try {
      return Long.parseLong(rc.response().headers().get("Retry-After")) * 1000;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static ArbiterException toProblem(RoutingContext rc) {
    Throwable error = rc.failure();
    if (error instanceof ArbiterException known) {
      return known;
    }
    if (error instanceof HttpException http && http.getCause() instanceof ValidatorException invalid) {
      return validation(invalid);
    }
    int status = error instanceof HttpException http ? http.getStatusCode() : rc.statusCode();
    return switch (status) {
      case 400 -> Failure.BAD_REQUEST.exception("the request is malformed");
      case 401 -> Failure.UNAUTHORIZED.exception(unauthorizedDetail(error));
      case 403 -> Failure.FORBIDDEN.exception("forbidden");
      case 404 -> Failure.NOT_FOUND.exception("no resource at " + rc.request().path());
      case 405 -> Failure.METHOD_NOT_ALLOWED.exception(rc.request().method() + " is not allowed on "
          + rc.request().path());
      case 413 -> Failure.PAYLOAD_TOO_LARGE.exception("the request body is larger than the limit");
      case 415 -> Failure.UNSUPPORTED_MEDIA_TYPE.exception("send application/json");
      default -> Failure.INTERNAL.exception("internal error");
    };
  }

  private static String unauthorizedDetail(Throwable error) {
    Throwable cause = error == null ? null : error.getCause();
    String reason = cause == null ? null : cause.getMessage();
    if (reason == null || reason.isBlank() || reason.length() > 200) {
      return "a valid bearer token is required";
    }
    return "a valid bearer token is required (" + reason + ")";
  }

  /** A contract violation: 415 for a body in another format, else 400 naming the field. */
  public static ArbiterException validation(ValidatorException invalid) {
    if (invalid.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && invalid.getMessage().contains("body")) {
      return Failure.UNSUPPORTED_MEDIA_TYPE.exception("the request body must be application/json");
    }
    if (!(invalid instanceof SchemaValidationException schema)) {
      Matcher parameter = PARAMETER.matcher(String.valueOf(invalid.getMessage()));
      return parameter.find()
          ? new ArbiterException(Failure.BAD_REQUEST, invalid.getMessage(), new JsonObject().put("field",
              parameter.group(1)))
          : new ArbiterException(Failure.BAD_REQUEST, invalid.getMessage());
    }
    return invalid(schema.getOutputUnit(), schema.getMessage());
  }

  /**
   * A body that failed its contract schema ({@code unit}, the validator's output): 400 naming the field, as for REST
   * requests. {@code message} is the validator's message, which names a parameter when a parameter failed.
   */
  public static ArbiterException invalid(OutputUnit unit, String message) {
    List<OutputUnit> specific = leaves(unit).stream().filter(e -> !isSummary(e.getError())).toList();
    List<OutputUnit> errors = specific.stream()
        .filter(e -> specific.stream().noneMatch(other -> other != e && field(other).startsWith(field(e) + ".")
            || field(other).startsWith(field(e) + "[")))
        .toList();
    JsonArray fields = new JsonArray();
    errors.forEach(e -> fields.add(new JsonObject().put("field", field(e)).put("message", explain(e.getError()))));
    OutputUnit first = errors.stream().max(Comparator.comparingInt(e -> field(e).length())).orElse(unit);
    String field = field(first);
    Matcher parameter = PARAMETER.matcher(message == null ? "" : message);
    if (parameter.find()) {
      String name = parameter.group(1);
      return new ArbiterException(Failure.BAD_REQUEST, "parameter " + name + ": " + explain(first.getError()),
          new JsonObject().put("field", name).put("errors", new JsonArray().add(new JsonObject().put("field", name)
              .put("message", explain(first.getError())))));
    }
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + explain(first.getError()),
        new JsonObject().put("field", field).put("errors", fields));
  }

  private static List<OutputUnit> leaves(OutputUnit unit) {
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      return unit.getError() == null ? List.of() : List.of(unit);
    }
    return unit.getErrors().stream().flatMap(e -> leaves(e).stream()).toList();
  }

  /** Errors that only say that something below them failed. */
  private static boolean isSummary(String error) {
    return error == null || error.equals("A subschema had errors") || error.endsWith("does not match schema")
        || error.equals("Items did not match schema");
  }

  private static String explain(String error) {
    if (error != null && error.endsWith("does not match additional properties schema")) {
      return "unknown field";
    }
    Matcher required = REQUIRED.matcher(error == null ? "" : error);
    return required.find() ? "is required" : error;
  }

  private static final Pattern PARAMETER =
      Pattern.compile("of (?:query|path|header|cookie) parameter ([A-Za-z0-9_-]++)(?: is|[ .]|$)");
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");

  /** {@code #/capabilities/taskTypes/0} → {@code capabilities.taskTypes[0]}; a missing property is named too. */
  static String field(OutputUnit unit) {
    String location = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation().replaceFirst("^#?/?", "");
    String dotted = location.replaceAll("/(\\d+)(?=/|$)", "[$1]").replace('/', '.');
    Matcher required = REQUIRED.matcher(unit.getError() == null ? "" : unit.getError());
    if (required.find()) {
      return dotted.isEmpty() ? required.group(1) : dotted + "." + required.group(1);
    }
    return dotted.isEmpty() ? "(body)" : dotted;
  }

  private void auditSecurityEvent(RoutingContext rc, Failure failure, String detail) {
    RequestContext caller = Access.context(rc);
    String remote = address(rc);
    RequestContext ctx = caller != null ? caller : new RequestContext(CorrelationId.of(rc), RequestContext.SYSTEM_TENANT,
        "anonymous", "none", remote, Redactor.userAgent(rc.request().getHeader("User-Agent")));
    String action = failure == Failure.UNAUTHORIZED ? "auth.failed" : "access.denied";
    AuditEvent event = AuditEvent.of(ctx, action, rc.request().method() + " " + rc.request().path(),
        AuditEvent.Outcome.DENIED, new JsonObject().put("reason", detail)).withTags(AuditEvent.SECURITY_TAGS);
    bus.send(Addresses.AUDIT_APPEND, event.toJson(), ctx.deliveryOptions(5_000));
  }
}
