package io.arbiter.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Request validation against the contract, on the event loop for the small requests that are nearly all of the
 * traffic. vertx-web-openapi-router 5.0.8 validates every request in an ordered blocking task, so each request hops to
 * a worker thread and back, and the requests of one ingress instance are validated one at a time. Here a request whose
 * body is at most {@link #INLINE_MAX_BYTES} is validated where it arrived, and a larger one on a worker (unordered),
 * so that a big document never holds the event loop. The checks are vertx-openapi's own (its parameter and body
 * validation), except that a JSON body or a primitive parameter that the contract's compiled schema accepts
 * ({@link ContractSchemas}) is taken without walking the schema again; the validated request is stored where the
 * router's validation stores it, and a violation fails the request with the same 400 as the router's. A parameter or
 * body that holds U+0000 fails with 400 too ({@link NulCharacters}).
 */
final class InlineValidation {

  /** Bodies up to this size are validated on the event loop. */
  static final int INLINE_MAX_BYTES = 16 * 1024;

  private final Vertx vertx;
  private final RequestValidatorImpl validator;
  private final ContractSchemas schemas;
  private final RequestExtractor extractor = RequestExtractor.withBodyHandler();

  private InlineValidation(Vertx vertx, OpenAPIContract contract) {
    this.vertx = vertx;
    this.validator = new RequestValidatorImpl(vertx, contract);
    this.schemas = ContractSchemas.of(contract);
  }

  /** Turns the router's own validation off on every route of {@code builder} and validates here instead. */
  static void apply(Vertx vertx, OpenAPIContract contract, RouterBuilder builder) {
    InlineValidation validation = new InlineValidation(vertx, contract);
    for (OpenAPIRoute route : builder.getRoutes()) {
      route.setDoValidation(false);
      route.addHandler(validation.handler(route.getOperation()));
    }
  }

  private Handler<RoutingContext> handler(Operation operation) {
    List<ContractSchemas.ParameterSchema> compiled = schemas.parameters(operation.getOperationId());
    return rc -> extractor.extractValidatableRequest(rc, operation)
        .compose(request -> rc.body().length() <= INLINE_MAX_BYTES
            ? validateNow(rc, request, operation, compiled)
            : vertx.executeBlocking(() -> validate(rc, request, operation, compiled), false))
        .onSuccess(validated -> {
          rc.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
          rc.next();
        })
        .onFailure(e -> rc.fail(e instanceof ValidatorException ? new HttpException(400, e.getMessage(), e) : e));
  }

  private Future<ValidatedRequest> validateNow(RoutingContext rc, ValidatableRequest request, Operation operation,
                                              List<ContractSchemas.ParameterSchema> compiled) {
    try {
      return Future.succeededFuture(validate(rc, request, operation, compiled));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Every parameter of the operation, by where it comes from, and the body: vertx-openapi's request validation, or the
   * compiled schemas' yes ({@code compiled}: the operation's parameter schemas, see
   * {@link ContractSchemas#parameters}); then no NUL in any of them.
   */
  private ValidatedRequest validate(RoutingContext rc, ValidatableRequest request, Operation operation,
                                    List<ContractSchemas.ParameterSchema> compiled) {
    Map<String, RequestParameter> cookies = new HashMap<>();
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    List<Parameter> parameters = operation.getParameters();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter parameter = parameters.get(i);
      ContractSchemas.ParameterSchema schema = i < compiled.size() ? compiled.get(i) : null;
      String name = parameter.getName();
      switch (parameter.getIn()) {
        case COOKIE -> cookies.put(name, parameter(parameter, schema, request.getCookies().get(name)));
        case HEADER -> headers.put(name, parameter(parameter, schema, request.getHeaders().get(name)));
        case PATH -> path.put(name, parameter(parameter, schema, request.getPathParameters().get(name)));
        case QUERY -> query.put(name, parameter(parameter, schema, request.getQuery().get(name)));
      }
    }
    RequestParameter body = jsonBody(request) && schemas.acceptsBody(operation.getOperationId(), rc.body().buffer())
        ? new RequestParameterImpl(Json.decodeValue(rc.body().buffer()))
        : validator.validateBody(operation.getRequestBody(), request);
    for (Map<String, RequestParameter> byName : List.of(cookies, headers, path, query)) {
      byName.forEach((name, value) -> NulCharacters.refuse(value.get(), name));
    }
    if (NulCharacters.mayHold(rc.body().buffer())) {
      NulCharacters.refuse(body.get(), "");
    }
    return new ValidatedRequestImpl(cookies, headers, path, query, body);
  }

  /**
   * One parameter's value: as its compiled schema accepts it, or else as vertx-openapi validates it (which refuses it
   * with its own 400, or takes what the compiled check could not read).
   */
  private RequestParameter parameter(Parameter parameter, ContractSchemas.ParameterSchema schema,
                                     RequestParameter value) {
    Object accepted = schema == null || value == null || value.isNull() ? null
        : schema.accepted(String.valueOf(value.get()));
    return accepted != null ? new RequestParameterImpl(accepted) : validator.validateParameter(parameter, value);
  }

  /** A request whose body is JSON by its content type (the fast check applies only to those). */
  private static boolean jsonBody(ValidatableRequest request) {
    String type = request.getContentType();
    return type != null && type.regionMatches(true, 0, "application/json", 0, "application/json".length());
  }
}
