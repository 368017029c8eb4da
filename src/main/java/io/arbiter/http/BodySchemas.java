package io.arbiter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The contract's JSON request-body schemas, compiled once by networknt's json-schema-validator (OpenAPI 3.1 dialect,
 * formats asserted). It answers one question fast: does a body certainly satisfy its operation's schema? Only a yes
 * is used as a verdict. A no, or a body it cannot read, goes to the contract's own validation (vertx-openapi), which
 * decides and words the 400 as it always has. vertx-json-schema walks each schema's keywords per request, about 65 µs
 * for a small task submission, against about 2 µs here, parse included: validation was a fifth of the ingress event
 * loops' time.
 *
 * <p>A keyword this dialect does not know fails the start: a schema it could not check fully must never answer yes.
 */
final class BodySchemas {

  /** The made-up address the schema document lives at: its references to {@code #/components/...} resolve in it. */
  private static final String DOCUMENT = "https://arbiter.invalid/contract.json";
  /** Where the document keeps each operation's body schema, by operation id. */
  private static final String BODIES = "requestBodies";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Schema> byOperation;

  private BodySchemas(Map<String, Schema> byOperation) {
    this.byOperation = byOperation;
  }

  /** Compiles the {@code application/json} body schema of every operation of {@code contract} (the raw document). */
  static BodySchemas of(JsonObject rawContract) {
    JsonObject contract = (JsonObject) withoutAnnotations(rawContract);
    JsonObject bodies = new JsonObject();
    JsonObject paths = contract.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      if (!(paths.getValue(path) instanceof JsonObject item)) {
        continue;
      }
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject operation && operation.getString("operationId") != null) {
          JsonObject schema = operation.getJsonObject("requestBody", new JsonObject())
              .getJsonObject("content", new JsonObject())
              .getJsonObject("application/json", new JsonObject())
              .getJsonObject("schema");
          if (schema != null) {
            bodies.put(operation.getString("operationId"), schema);
          }
        }
      }
    }
    JsonObject document = new JsonObject().put("components", contract.getJsonObject("components", new JsonObject()))
        .put(BODIES, bodies);
    Dialect dialect = Dialect.builder(Dialects.getOpenApi31())
        .keyword(new NonValidationKeyword("components"))
        .keyword(new NonValidationKeyword(BODIES))
        .unknownKeywordFactory(DisallowUnknownKeywordFactory.getInstance())
        .build();
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
        .schemas(Map.of(DOCUMENT, document.encode()))
        .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    Map<String, Schema> compiled = new HashMap<>();
    for (String operationId : bodies.fieldNames()) {
      Schema schema = registry.getSchema(SchemaLocation.of(DOCUMENT + "#/" + BODIES + "/" + operationId));
      schema.initializeValidators();
      compiled.put(operationId, schema);
    }
    return new BodySchemas(Map.copyOf(compiled));
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
  boolean accepts(String operationId, Buffer body) {
    Schema schema = byOperation.get(operationId);
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
}
