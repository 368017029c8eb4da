package io.arbiter.http.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A tool's input schema is its operation's parameters and body fields, from the contract")
class ToolSchemasTest {

  private static final JsonObject CONTRACT = new JsonObject("""
      {
        "paths": {
          "/agents/{id}/tasks/{taskId}/result": {
            "parameters": [
              {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 64}},
              {"name": "taskId", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}
            ],
            "post": {
              "operationId": "reportResult",
              "parameters": [{"name": "next", "in": "query", "description": "more work",
                              "schema": {"type": "integer", "maximum": 1000}}],
              "requestBody": {"content": {"application/json": {"schema": {"$ref": "app:///#/components/schemas/Result"}}}}
            }
          }
        },
        "components": {"schemas": {
          "Result": {"type": "object", "additionalProperties": false, "required": ["attempt"],
                     "properties": {"attempt": {"type": "integer", "__absolute_uri__": "app:///#/x"},
                                    "gate": {"$ref": "#/components/schemas/Gate"}}},
          "Gate": {"type": "object", "properties": {"min": {"$ref": "#/components/schemas/Ratio"}}},
          "Ratio": {"type": "number", "maximum": 1}
        }}
      }
      """);

  @Test
  @DisplayName("parameters under the tool's names, body fields, required from both, closed like the body")
  void mergesParametersAndBody() {
    JsonObject schema = ToolSchemas.of(CONTRACT, "reportResult", Map.of("id", "agentId"), Set.of("id"));

    assertThat(schema.getJsonObject("properties").fieldNames())
        .containsExactly("agentId", "taskId", "next", "attempt", "gate");
    assertThat(schema.getJsonArray("required")).isEqualTo(new JsonArray().add("taskId").add("attempt"));
    assertThat(schema.getBoolean("additionalProperties")).isFalse();
    assertThat(schema.getJsonObject("properties").getJsonObject("next").getString("description"))
        .isEqualTo("more work");
    assertThat(schema.encode()).doesNotContain("__absolute_uri__");
  }

  @Test
  @DisplayName("component references left in place are copied under $defs, transitively, so the schema stands alone")
  void copiesReferencedComponents() {
    JsonObject schema = ToolSchemas.of(CONTRACT, "reportResult", Map.of(), Set.of());

    assertThat(schema.getJsonObject("properties").getJsonObject("gate").getString("$ref")).isEqualTo("#/$defs/Gate");
    assertThat(schema.getJsonObject("$defs").fieldNames()).containsExactlyInAnyOrder("Gate", "Ratio");
    assertThat(schema.getJsonObject("$defs").getJsonObject("Gate").getJsonObject("properties").getJsonObject("min")
        .getString("$ref")).isEqualTo("#/$defs/Ratio");
    assertThat(CONTRACT.getJsonObject("components").getJsonObject("schemas").getJsonObject("Gate").encode())
        .as("the contract is left as it was").contains("#/components/schemas/Ratio");
  }

  @Test
  @DisplayName("an unknown operation, or a parameter and a field of one name, fail at start")
  void refusesWhatCannotBeATool() {
    assertThatThrownBy(() -> ToolSchemas.of(CONTRACT, "nothing", Map.of(), Set.of()))
        .hasMessageContaining("no operation nothing");
    assertThatThrownBy(() -> ToolSchemas.of(CONTRACT, "reportResult", Map.of("next", "attempt"), Set.of()))
        .hasMessageContaining("attempt");
  }
}
