package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The compiled body and parameter schemas answer yes only where the contract's own validation does: a yes skips that
 * validation, so a yes for a body or parameter the contract refuses would let it through; and an accepted parameter's
 * value is the one the contract's validation makes of its text.
 */
class ContractSchemasTest {

  /** A valid body of each hot operation, the seeds the generated bodies vary. */
  private static final Map<String, String> SEEDS = Map.of(
      "submitTask", """
          {"type":"bench","priority":5,"payload":{"n":12},"budget":{"maxFiles":20,"maxLoc":2000},
           "gates":{"minQuality":0.5},"dependsOn":[{"taskId":"0b9e8d3c-1f2a-4b5c-8d7e-6f5a4b3c2d1e"}]}""",
      "submitTaskBatch", """
          {"tasks":[{"type":"bench","payload":{"n":1}},{"type":"bench","priority":9,"timeoutMs":1000}]}""",
      "reportResult", """
          {"attempt":1,"outcome":"succeeded","result":{"ok":true},"quality":0.9,"filesChanged":3,"testsPassed":true}""",
      "ackTask", """
          {"attempt":2}""");

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static ContractSchemas schemas;
  private static RequestValidatorImpl validator;

  @BeforeContainer
  static void compile() {
    vertx = Vertx.vertx();
    contract = TestApp.await(OpenAPIContract.from(vertx, "openapi/arbiter.yaml"));
    schemas = ContractSchemas.of(contract);
    validator = new RequestValidatorImpl(vertx, contract);
  }

  @AfterContainer
  static void close() {
    TestApp.await(vertx.close());
  }

  @Example
  void acceptsTheValidBodiesOfTheHotOperations() {
    SEEDS.forEach((operation, body) -> {
      assertThat(contractAccepts(operation, body)).as(operation).isTrue();
      assertThat(schemas.acceptsBody(operation, Buffer.buffer(body))).as(operation).isTrue();
    });
  }

  @Example
  void answersNoToBodiesTheContractRefusesOrCannotRead() {
    List<String> refused = List.of(
        "{\"type\":\"bench\",\"priority\":10}",
        "{\"type\":\"bench\",\"color\":\"red\"}",
        "{\"priority\":1}",
        "{\"type\":\"-leading-dash\"}",
        "{\"type\":\"bench\",\"dependsOn\":[{\"taskId\":\"not-a-uuid\"}]}",
        "{\"type\":\"bench\",\"timeoutMs\":1.5}",
        "[{\"type\":\"bench\"}]",
        "{\"type\":\"bench\"",
        "");
    for (String body : refused) {
      assertThat(schemas.acceptsBody("submitTask", Buffer.buffer(body))).as(body).isFalse();
    }
    assertThat(schemas.acceptsBody("reportResult", Buffer.buffer("{\"attempt\":1,\"outcome\":\"maybe\"}"))).isFalse();
    assertThat(schemas.acceptsBody("noSuchOperation", Buffer.buffer("{}"))).isFalse();
  }

  @Property(tries = 2000)
  void neverAcceptsABodyTheContractRefuses(@ForAll("variations") Variation variation) {
    String body = variation.body();
    boolean accepted = schemas.acceptsBody(variation.operation(), Buffer.buffer(body));
    if (accepted) {
      assertThat(contractAccepts(variation.operation(), body)).as(variation.operation() + " " + body).isTrue();
    }
    // both verdicts must be common among the variations, or the property proves little
    Statistics.label("compiled schema").collect(accepted ? "yes" : "no")
        .coverage(coverage -> {
          coverage.check("yes").percentage(percent -> percent > 10);
          coverage.check("no").percentage(percent -> percent > 10);
        });
  }

  /** A seed body with one field set, replaced or removed, at its top level or in its first nested object. */
  record Variation(String operation, String body) {}

  @Provide
  Arbitrary<Variation> variations() {
    Arbitrary<String> operation = Arbitraries.of(SEEDS.keySet());
    Arbitrary<String> key = Arbitraries.of("type", "priority", "payload", "timeoutMs", "maxAttempts", "requirements",
        "budget", "gates", "callback", "runAt", "delayMs", "queueTimeoutMs", "dependsOn", "tasks", "attempt",
        "outcome", "result", "error", "quality", "filesChanged", "linesChanged", "testsPassed", "coverage", "maxFiles",
        "maxLoc", "minQuality", "taskId", "onFailure", "languages", "url", "unknown");
    Arbitrary<Object> value = Arbitraries.oneOf(
        Arbitraries.integers().between(-3, 12).map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().between(-2, 2).map(d -> (Object) d),
        Arbitraries.of(0.0, 1.0, 5.0, 1e300, -0.0).map(d -> (Object) d),
        Arbitraries.of("", "bench", "-x", "succeeded", "failed", "cancel", "2026-12-07T10:00:00Z", "2026-13-07",
            "0b9e8d3c-1f2a-4b5c-8d7e-6f5a4b3c2d1e", "0B9E8D3C-1F2A-4B5C-8D7E-6F5A4B3C2D1E", "http://x", "\u00e9\u00e9",
            "a".repeat(65), "a".repeat(10_001)).map(s -> (Object) s),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just((Object) null),
        Arbitraries.just((Object) new JsonObject()),
        Arbitraries.just((Object) new JsonArray()),
        Arbitraries.just((Object) new JsonArray().add(new JsonObject().put("taskId", "x"))),
        Arbitraries.just((Object) new JsonArray().add(new JsonObject().put("type", "bench"))),
        Arbitraries.just((Object) new JsonObject().put("maxFiles", -1)));
    Arbitrary<Boolean> nested = Arbitraries.of(true, false);
    Arbitrary<Boolean> remove = Arbitraries.of(true, false, false, false);
    return Combinators.combine(operation, key, value, nested, remove).as((op, k, v, inner, drop) -> {
      JsonObject body = new JsonObject(SEEDS.get(op));
      JsonObject target = body;
      if (inner) {
        for (String field : body.fieldNames()) {
          if (body.getValue(field) instanceof JsonObject object) {
            target = object;
            break;
          }
          if (body.getValue(field) instanceof JsonArray array && !array.isEmpty()
              && array.getValue(0) instanceof JsonObject object) {
            target = object;
            break;
          }
        }
      }
      if (drop) {
        target.remove(k);
      } else {
        target.put(k, v instanceof JsonObject o ? o.copy() : v instanceof JsonArray a ? a.copy() : v);
      }
      return new Variation(op, body.encode());
    });
  }

  /** Hot operations' parameters: path ids (a slug, a UUID), and the claim's and result's query integers and flag. */
  private static final List<String[]> PARAMETERS = List.of(
      new String[] {"claimTasks", "id"}, new String[] {"claimTasks", "wait"}, new String[] {"claimTasks", "max"},
      new String[] {"claimTasks", "ack"}, new String[] {"ackTask", "taskId"}, new String[] {"reportResult", "next"},
      new String[] {"reportResult", "taskId"}, new String[] {"submitTask", "Idempotency-Key"});

  @Example
  void acceptsTheValidParametersOfTheHotOperations() {
    Map<String[], String> valid = Map.of(
        PARAMETERS.get(0), "agent-1.x_y", PARAMETERS.get(1), "30", PARAMETERS.get(2), "1000",
        PARAMETERS.get(3), "true", PARAMETERS.get(4), "0b9e8d3c-1f2a-4b5c-8d7e-6f5a4b3c2d1e",
        PARAMETERS.get(5), "0", PARAMETERS.get(7), "order-42");
    valid.forEach((parameter, text) -> {
      Object accepted = compiled(parameter).accepted(text);
      assertThat(accepted).as(String.join(" ", parameter) + " " + text).isNotNull()
          .isEqualTo(contractValue(parameter, text));
    });
  }

  @Example
  void answersNoToParametersTheContractRefusesOrReadsOtherwise() {
    Map<String[], List<String>> refused = Map.of(
        PARAMETERS.get(0), List.of("Agent", "-agent", "a".repeat(65), "a b", "agent\n", ""),
        PARAMETERS.get(1), List.of("61", "-1", "1.5", "01", "ten", "1e1", ""),
        PARAMETERS.get(3), List.of("yes", "TRUE", "1"),
        PARAMETERS.get(4), List.of("not-a-uuid", "0b9e8d3c1f2a4b5c8d7e6f5a4b3c2d1e", "1e-5", "-3", "1.5"));
    refused.forEach((parameter, texts) -> texts.forEach(text ->
        assertThat(compiled(parameter).accepted(text)).as(String.join(" ", parameter) + " " + text).isNull()));
  }

  @Property(tries = 2000)
  void neverAcceptsAParameterTheContractRefusesOrReadsOtherwise(@ForAll("parameterTexts") ParameterCase example) {
    Object accepted = compiled(example.parameter()).accepted(example.text());
    if (accepted != null) {
      assertThat(contractValue(example.parameter(), example.text()))
          .as(String.join(" ", example.parameter()) + " " + example.text()).isEqualTo(accepted);
    }
    Statistics.label("compiled parameter schema").collect(accepted != null ? "yes" : "no")
        .coverage(coverage -> {
          coverage.check("yes").percentage(percent -> percent > 10);
          coverage.check("no").percentage(percent -> percent > 10);
        });
  }

  /** A parameter of a hot operation and a text for it. */
  record ParameterCase(String[] parameter, String text) {}

  @Provide
  Arbitrary<ParameterCase> parameterTexts() {
    Arbitrary<String> tricky = Arbitraries.of("", "0", "-0", "00", "01", "1", "-1", "1.5", "-1.5", ".5", "1.", "1e5",
        "1e-5", "1E+5", "-1e5", "1e", "e1", "--1", "0x10", "1_000", "+1", "true", "false", "null", "True", "NaN",
        "-NaN", "Infinity", "-Infinity", "2147483647", "2147483648", "-2147483648", "999999999", "1000000000", "a-b",
        "a.b", "a..b", "-a", "_a", "a_", "1-2", "1.2.3", "1e5.5", "0.5-x", "\"a\"", "a\\b", "a b", "\u00e9",
        "0b9e8d3c-1f2a-4b5c-8d7e-6f5a4b3c2d1e", "0B9E8D3C-1F2A-4B5C-8D7E-6F5A4B3C2D1E",
        "0b9e8d3c-1f2a-4b5c-8d7e-6f5a4b3c2d1", "00000000-0000-0000-0000-000000000000",
        "12345678-1234-1234-1234-123456789012");
    Arbitrary<String> random = Arbitraries.strings().withChars("0123456789abcdefxyzABC-._eE+\" \\\n").ofMinLength(0)
        .ofMaxLength(40);
    Arbitrary<String> uuids = Arbitraries.create(() -> java.util.UUID.randomUUID().toString());
    Arbitrary<String> numbers = Arbitraries.integers().between(-5, 2000).map(Object::toString);
    Arbitrary<String> text = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, tricky), net.jqwik.api.Tuple.of(3, random), net.jqwik.api.Tuple.of(2, uuids),
        net.jqwik.api.Tuple.of(2, numbers));
    return Combinators.combine(Arbitraries.of(PARAMETERS), text).as(ParameterCase::new);
  }

  private static ContractSchemas.ParameterSchema compiled(String[] parameter) {
    Operation operation = contract.operation(parameter[0]);
    List<Parameter> list = operation.getParameters();
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).getName().equals(parameter[1])) {
        ContractSchemas.ParameterSchema schema = schemas.parameters(parameter[0]).get(i);
        assertThat(schema).as("compiled schema of " + String.join(" ", parameter)).isNotNull();
        return schema;
      }
    }
    throw new AssertionError("no parameter " + String.join(" ", parameter));
  }

  /** The contract's own value of the parameter's text (vertx-openapi's validation), or a marker when it refuses it. */
  private static Object contractValue(String[] parameter, String text) {
    Parameter p = contract.operation(parameter[0]).getParameters().stream()
        .filter(candidate -> candidate.getName().equals(parameter[1])).findFirst().orElseThrow();
    try {
      return validator.validateParameter(p, new RequestParameterImpl(text)).get();
    } catch (ValidatorException e) {
      return "refused: " + e.getMessage();
    }
  }

  /** The contract's own verdict (vertx-openapi's schema validation of the operation's JSON body). */
  private static boolean contractAccepts(String operationId, String body) {
    Operation operation = contract.operation(operationId);
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      return false;
    }
    return contract.getSchemaRepository()
        .validator(operation.getRequestBody().getContent().get("application/json").getSchema())
        .validate(value).getValid();
  }
}
