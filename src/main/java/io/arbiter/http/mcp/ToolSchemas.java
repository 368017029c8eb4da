package io.arbiter.http.mcp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The input schema of a tool, taken from the operation it calls in the OpenAPI contract: one object whose properties
 * are the operation's parameters (under the tool's names for them) and the fields of its JSON body. The contract as
 * loaded has its references resolved in place; a component reference still left is copied under {@code $defs}, so that
 * the schema stands alone. The contract stays the only place where a field and its bounds are written.
 */
final class ToolSchemas {

  private static final String COMPONENT = "#/components/schemas/";
  /** Where vertx-openapi's resolution of the contract notes each inlined schema came from; no part of a tool's. */
  private static final String RESOLVED_FROM = "__absolute_uri__";

  private ToolSchemas() {}

  /**
   * The input schema of a tool calling {@code operationId} of {@code contract} (the raw contract, references kept).
   * {@code names} renames parameters (contract name → argument name); the parameters in {@code optional} are left out
   * of {@code required} because the tool fills them in. Fails when the operation is unknown or an argument name is
   * taken twice.
   */
  static JsonObject of(JsonObject contract, String operationId, Map<String, String> names, Set<String> optional) {
    JsonObject operation = null;
    JsonArray parameters = new JsonArray();
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!(paths.getValue(path) instanceof JsonObject item)) {
        continue;
      }
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject candidate
            && operationId.equals(candidate.getString("operationId"))) {
          operation = candidate;
          parameters.addAll(item.getJsonArray("parameters", new JsonArray()));
          parameters.addAll(candidate.getJsonArray("parameters", new JsonArray()));
        }
      }
    }
    if (operation == null) {
      throw new IllegalStateException("the contract has no operation " + operationId);
    }
    JsonObject properties = new JsonObject();
    JsonArray required = new JsonArray();
    for (Object entry : parameters) {
      JsonObject parameter = (JsonObject) entry;
      String name = parameter.getString("name");
      String argument = names.getOrDefault(name, name);
      JsonObject schema = parameter.getJsonObject("schema", new JsonObject()).copy();
      if (parameter.containsKey("description") && !schema.containsKey("description")) {
        schema.put("description", parameter.getString("description"));
      }
      put(properties, argument, schema, operationId);
      if (parameter.getBoolean("required", false) && !optional.contains(name)) {
        required.add(argument);
      }
    }
    boolean closed = true;
    JsonObject body = bodySchema(contract, operation);
    if (body != null) {
      JsonObject fields = body.getJsonObject("properties", new JsonObject());
      for (String field : fields.fieldNames()) {
        put(properties, field, fields.getJsonObject(field).copy(), operationId);
      }
      required.addAll(body.getJsonArray("required", new JsonArray()));
      closed = Boolean.FALSE.equals(body.getValue("additionalProperties"));
    }
    JsonObject schema = new JsonObject().put("type", "object").put("properties", properties);
    if (!required.isEmpty()) {
      schema.put("required", required);
    }
    if (closed) {
      schema.put("additionalProperties", false);
    }
    JsonObject definitions = definitions(contract, schema);
    if (!definitions.isEmpty()) {
      schema.put("$defs", definitions);
    }
    return schema;
  }

  /** The operation's JSON body schema, followed to its component when it is a reference; null when it has none. */
  private static JsonObject bodySchema(JsonObject contract, JsonObject operation) {
    JsonObject body = operation.getJsonObject("requestBody");
    JsonObject media = body == null ? null : body.getJsonObject("content", new JsonObject())
        .getJsonObject("application/json");
    JsonObject schema = media == null ? null : media.getJsonObject("schema");
    if (schema != null && schema.getString("$ref") != null) {
      schema = component(contract, schema.getString("$ref"));
    }
    return schema;
  }

  private static void put(JsonObject properties, String name, JsonObject schema, String operationId) {
    if (properties.containsKey(name)) {
      throw new IllegalStateException(operationId + ": the argument " + name + " is both a parameter and a field");
    }
    properties.put(name, schema);
  }

  /** Every component schema that {@code schema} reaches through references, keyed by name, references rewritten. */
  private static JsonObject definitions(JsonObject contract, JsonObject schema) {
    JsonObject definitions = new JsonObject();
    Deque<String> pending = new ArrayDeque<>(rewrite(schema));
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (!definitions.containsKey(name)) {
        JsonObject definition = component(contract, COMPONENT + name).copy();
        definitions.put(name, definition);
        pending.addAll(rewrite(definition));
      }
    }
    return definitions;
  }

  /**
   * Points every component reference left in {@code json} at {@code #/$defs/<name>} and drops the resolution's notes;
   * returns the names referenced.
   */
  private static List<String> rewrite(Object json) {
    List<String> names = new ArrayList<>();
    if (json instanceof JsonObject object) {
      object.remove(RESOLVED_FROM);
      if (object.getValue("$ref") instanceof String ref && ref.contains(COMPONENT)) {
        String name = ref.substring(ref.indexOf(COMPONENT) + COMPONENT.length());
        object.put("$ref", "#/$defs/" + name);
        names.add(name);
      }
      object.forEach(entry -> names.addAll(rewrite(entry.getValue())));
    } else if (json instanceof JsonArray array) {
      array.forEach(item -> names.addAll(rewrite(item)));
    }
    return names;
  }

  private static JsonObject component(JsonObject contract, String ref) {
    String name = ref.substring(ref.indexOf(COMPONENT) + COMPONENT.length());
    JsonObject schema = contract.getJsonObject("components").getJsonObject("schemas").getJsonObject(name);
    if (schema == null) {
      throw new IllegalStateException("the contract has no schema " + name);
    }
    return schema;
  }
}
