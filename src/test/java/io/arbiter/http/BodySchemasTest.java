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
 * The compiled body schemas answer yes only where the contract's own validation does: a yes skips that validation, so
 * a yes for a body the contract refuses would let it through.
 */
class BodySchemasTest {

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
  private static BodySchemas bodies;

  @BeforeContainer
  static void compile() {
    vertx = Vertx.vertx();
    contract = TestApp.await(OpenAPIContract.from(vertx, "openapi/arbiter.yaml"));
    bodies = BodySchemas.of(contract.getRawContract());
  }

  @AfterContainer
  static void close() {
    TestApp.await(vertx.close());
  }

  @Example
  void acceptsTheValidBodiesOfTheHotOperations() {
    SEEDS.forEach((operation, body) -> {
      assertThat(contractAccepts(operation, body)).as(operation).isTrue();
      assertThat(bodies.accepts(operation, Buffer.buffer(body))).as(operation).isTrue();
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
      assertThat(bodies.accepts("submitTask", Buffer.buffer(body))).as(body).isFalse();
    }
    assertThat(bodies.accepts("reportResult", Buffer.buffer("{\"attempt\":1,\"outcome\":\"maybe\"}"))).isFalse();
    assertThat(bodies.accepts("noSuchOperation", Buffer.buffer("{}"))).isFalse();
  }

  @Property(tries = 2000)
  void neverAcceptsABodyTheContractRefuses(@ForAll("variations") Variation variation) {
    String body = variation.body();
    boolean accepted = bodies.accepts(variation.operation(), Buffer.buffer(body));
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
