package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp("http.bodyLimitBytes=4096")
@ExtendWith(VertxExtension.class)
@DisplayName("Requests are validated against the OpenAPI contract with problem bodies that name the field")
class ValidationTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;
  private static String token;

  @BeforeAll
  static void adminToken() {
    token = app.tokens().admin("acme");
  }

  private static JsonObject badRequest(JsonObject body) {
    return assertProblem(http.post("/api/v1/agents", token, body), Failure.BAD_REQUEST);
  }

  @Test
  @DisplayName("an unknown field answers 400 naming it")
  void unknownFieldIsNamed() {
    JsonObject problem = badRequest(Agents.registration("v-1").put("colour", "blue"));
    assertThat(problem.getString("field")).isEqualTo("colour");
    assertThat(problem.getString("detail")).contains("colour").contains("unknown field");
  }

  @Test
  @DisplayName("a value of the wrong type answers 400 naming its path")
  void wrongTypeIsNamed() {
    JsonObject body = Agents.registration("v-2");
    body.getJsonObject("capabilities").put("taskTypes", new JsonArray().add(42));
    assertThat(badRequest(body).getString("field")).isEqualTo("capabilities.taskTypes[0]");
    assertThat(badRequest(Agents.registration("v-2").put("maxConcurrentTasks", "two")).getString("field"))
        .isEqualTo("maxConcurrentTasks");
  }

  @Test
  @DisplayName("a missing required field answers 400 naming it")
  void missingFieldIsNamed() {
    JsonObject body = Agents.registration("v-3");
    body.remove("modelFamily");
    JsonObject problem = badRequest(body);
    assertThat(problem.getString("field")).isEqualTo("modelFamily");
    assertThat(problem.getString("detail")).contains("modelFamily").contains("required");
  }

  @Test
  @DisplayName("a value that is too long or breaks its pattern answers 400 naming it")
  void tooLongIsNamed() {
    assertThat(badRequest(Agents.registration("v-4").put("name", "x".repeat(201))).getString("field"))
        .isEqualTo("name");
    assertThat(badRequest(Agents.registration("Not A Slug")).getString("field")).isEqualTo("id");
  }

  @Test
  @DisplayName("an invalid query parameter answers 400 naming it")
  void badQueryParameterIsNamed() {
    JsonObject problem = assertProblem(http.get("/api/v1/agents?limit=zero", token), Failure.BAD_REQUEST);
    assertThat(problem.getString("field")).isEqualTo("limit");
    assertThat(assertProblem(http.get("/api/v1/agents?status=sleeping", token), Failure.BAD_REQUEST)
        .getString("field")).isEqualTo("status");
  }

  @Test
  @DisplayName("a body that is not JSON answers 400")
  void malformedJsonIsBadRequest() {
    assertProblem(http.send(HttpMethod.POST, "/api/v1/agents", token, "application/json",
        Buffer.buffer("{\"id\": "), MultiMap.caseInsensitiveMultiMap()), Failure.BAD_REQUEST);
  }

  @Test
  @DisplayName("a body over the limit answers 413")
  void oversizedBodyIsTooLarge() {
    JsonObject huge = Agents.registration("v-5").put("name", "x".repeat(10_000));
    assertProblem(http.post("/api/v1/agents", token, huge), Failure.PAYLOAD_TOO_LARGE);
  }

  @Test
  @DisplayName("a body in another content type answers 415")
  void wrongContentTypeIsUnsupported() {
    assertProblem(http.send(HttpMethod.POST, "/api/v1/agents", token, "text/plain",
        Buffer.buffer(Agents.registration("v-6").encode()), MultiMap.caseInsensitiveMultiMap()),
        Failure.UNSUPPORTED_MEDIA_TYPE);
  }

  @Test
  @DisplayName("an unknown path answers 404 and a wrong method 405, both as problems")
  void unknownRoutesAreProblems() {
    assertProblem(http.get("/api/v1/nothing-here", token), Failure.NOT_FOUND);
    assertProblem(http.send(HttpMethod.PUT, "/api/v1/agents", token, null, null), Failure.METHOD_NOT_ALLOWED);
  }

  @Test
  @DisplayName("the correlation id is echoed, or made when absent, and carried in the problem body")
  void correlationIdIsEchoed() {
    Http.Reply given = http.send(HttpMethod.GET, "/api/v1/agents/nobody", token, null, null,
        MultiMap.caseInsensitiveMultiMap().add("X-Request-Id", "req-42"));
    assertThat(given.header("X-Request-Id")).isEqualTo("req-42");
    assertThat(given.json().getString("correlationId")).isEqualTo("req-42");
    assertThat(http.get("/api/v1/agents", token).header("X-Request-Id")).isNotBlank();
  }

  @Test
  @DisplayName("the contract is served at /api/v1/openapi.yaml")
  void servesContract() {
    Http.Reply contract = http.get("/api/v1/openapi.yaml", null);
    assertThat(contract.status()).isEqualTo(200);
    assertThat(contract.text()).startsWith("openapi: 3.1.0").contains("registerAgent");
  }
}
