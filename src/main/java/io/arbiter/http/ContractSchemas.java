package io.arbiter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.DisallowUnknownKeywordFactory;
import com.networknt.schema.keyword.NonValidationKeyword;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The contract's JSON request-body schemas and primitive parameter schemas, compiled once by networknt's
 * json-schema-validator (OpenAPI 3.1 dialect, formats asserted). It answers one question fast: does a body or a
 * parameter certainly satisfy its schema? Only a yes is used as a verdict. A no, or a body or text it cannot read, goes
 * to the contract's own validation (vertx-openapi), which decides and words the 400 as it always has. vertx-json-schema
 * walks each schema's keywords per request, about 65 µs for a small task submission, against about 2 µs here, parse
 * included; a UUID path parameter cost vertx-openapi a failed JSON decode (an exception) before its schema walk.
 * Validation was a fifth of the ingress event loops' time.
 *
 * <p>A keyword this dialect does not know fails the start: a schema it could not check fully must never answer yes.
 */
final class ContractSchemas {

  /** The made-up address the schema document lives at: its references to {@code #/components/...} resolve in it. */
  private static final String DOCUMENT = "https://arbiter.invalid/contract.json";
  /** Where the document keeps each operation's body schema, by operation id. */
  private static final String BODIES = "requestBodies";
  /** Where the document keeps each operation's parameter schemas, by operation id, then by parameter position. */
  private static final String PARAMETERS = "parameters";
  /** The parameter styles whose primitive values {@link ParameterText} reads as vertx-openapi does. */
  private static final Set<Style> PLAIN_STYLES = EnumSet.of(Style.SIMPLE, Style.FORM);
  /** The parameter types {@link ParameterText} reads. */
  private static final Set<SchemaType> PRIMITIVES = EnumSet.of(SchemaType.STRING, SchemaType.INTEGER,
      SchemaType.BOOLEAN);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Schema> bodies;
  private final Map<String, List<ParameterSchema>> parameters;

  private ContractSchemas(Map<String, Schema> bodies, Map<String, List<ParameterSchema>> parameters) {
    this.bodies = bodies;
    this.parameters = parameters;
  }

  /**
   * Compiles the {@code application/json} body schema of every operation of {@code contract}, and the schema of each of
   * its primitive parameters in the simple or form style.
   */
  static ContractSchemas of(OpenAPIContract contract) {
    JsonObject raw = (JsonObject) withoutAnnotations(contract.getRawContract());
    JsonObject bodySchemas = new JsonObject();
    JsonObject parameterSchemas = new JsonObject();
    // each operation's parameter types, in the order of its parameters; null for one this class does not check
    Map<String, List<SchemaType>> parameterTypes = new HashMap<>();
    for (Operation operation : contract.operations()) {
      String operationId = operation.getOperationId();
      JsonObject body = bodySchema(raw, operation);
      if (body != null) {
        bodySchemas.put(operationId, body);
      }
      JsonObject byPosition = new JsonObject();
      List<SchemaType> types = new ArrayList<>();
      for (Parameter parameter : operation.getParameters()) {
        Object schema = withoutAnnotations(parameter.getOpenAPIModel().getValue("schema"));
        boolean checked = schema instanceof JsonObject && PLAIN_STYLES.contains(parameter.getStyle())
            && PRIMITIVES.contains(parameter.getSchemaType());
        if (checked) {
          byPosition.put(Integer.toString(types.size()), schema);
        }
        types.add(checked ? parameter.getSchemaType() : null);
      }
      parameterSchemas.put(operationId, byPosition);
      parameterTypes.put(operationId, types);
    }
    JsonObject document = new JsonObject().put("components", raw.getJsonObject("components", new JsonObject()))
        .put(BODIES, bodySchemas).put(PARAMETERS, parameterSchemas);
    Dialect dialect = Dialect.builder(Dialects.getOpenApi31())
        .keyword(new NonValidationKeyword("components"))
        .keyword(new NonValidationKeyword(BODIES))
        .keyword(new NonValidationKeyword(PARAMETERS))
        .unknownKeywordFactory(DisallowUnknownKeywordFactory.getInstance())
        .build();
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
        .schemas(Map.of(DOCUMENT, document.encode()))
        .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    Map<String, Schema> compiledBodies = new HashMap<>();
    for (String operationId : bodySchemas.fieldNames()) {
      compiledBodies.put(operationId, compile(registry, BODIES + "/" + operationId));
    }
    Map<String, List<ParameterSchema>> compiledParameters = new HashMap<>();
    parameterTypes.forEach((operationId, types) -> {
      List<ParameterSchema> list = new ArrayList<>(types.size());
      for (int i = 0; i < types.size(); i++) {
        list.add(types.get(i) == null ? null
            : new ParameterSchema(types.get(i), compile(registry, PARAMETERS + "/" + operationId + "/" + i)));
      }
      compiledParameters.put(operationId, Collections.unmodifiableList(list));
    });
    return new ContractSchemas(Map.copyOf(compiledBodies), Map.copyOf(compiledParameters));
  }

  /** The operation's {@code application/json} body schema in the raw contract, or null. */
  private static JsonObject bodySchema(JsonObject raw, Operation operation) {
    JsonObject item = raw.getJsonObject("paths", new JsonObject()).getJsonObject(operation.getOpenAPIPath());
    String method = operation.getHttpMethod().name().toLowerCase(Locale.ROOT);
    JsonObject model = item == null ? null : item.getJsonObject(method);
    return model == null ? null : model.getJsonObject("requestBody", new JsonObject())
        .getJsonObject("content", new JsonObject())
        .getJsonObject("application/json", new JsonObject())
        .getJsonObject("schema");
  }

  private static Schema compile(SchemaRegistry registry, String pointer) {
    Schema schema = registry.getSchema(SchemaLocation.of(DOCUMENT + "#/" + pointer));
    schema.initializeValidators();
    return schema;
  }

  /**
   * A copy of {@code value} without the keys vertx-openapi adds while it resolves the contract ({@code __absolute_uri__}
   * and the like): they are not the contract's, and the compiled dialect refuses keywords it does not know.
   */
  private static Object withoutAnnotations(Object value) {
    if (value instanceof JsonObject object) {
      JsonObject copy = new JsonObject();
      object.forEach(entry -> {
        if (!entry.getKey().startsWith("__")) {
          copy.put(entry.getKey(), withoutAnnotations(entry.getValue()));
        }
      });
      return copy;
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(withoutAnnotations(item)));
      return copy;
    }
    return value;
  }

  /**
   * True when {@code body} is JSON that satisfies the body schema of {@code operationId}; false when it may not, when
   * it is not JSON, or when the operation has no JSON body schema.
   */
  boolean acceptsBody(String operationId, Buffer body) {
    Schema schema = bodies.get(operationId);
    if (schema == null || body == null || body.length() == 0) {
      return false;
    }
    JsonNode node;
    try {
      node = JSON.readTree(body.getBytes());
    } catch (JsonProcessingException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return node != null && schema.validate(node, OutputFormat.BOOLEAN);
  }

  /**
   * The compiled schemas of the parameters of {@code operationId}, in the order of its {@code getParameters()}: null
   * for a parameter this class does not check (an array or object, another style); empty for an unknown operation.
   */
  List<ParameterSchema> parameters(String operationId) {
    return parameters.getOrDefault(operationId, List.of());
  }

  /** One primitive parameter's compiled schema. */
  record ParameterSchema(SchemaType type, Schema schema) {

    /**
     * The parameter's value (as vertx-openapi transforms {@code text}) when it certainly satisfies the schema; null
     * when it may not, or when {@link ParameterText} cannot read the text.
     */
    Object accepted(String text) {
      Object value = ParameterText.value(type, text);
      if (value == null) {
        return null;
      }
      JsonNode node = value instanceof String string ? TextNode.valueOf(string)
          : value instanceof Integer integer ? IntNode.valueOf(integer) : BooleanNode.valueOf((Boolean) value);
      return schema.validate(node, OutputFormat.BOOLEAN) ? value : null;
    }
  }
}
