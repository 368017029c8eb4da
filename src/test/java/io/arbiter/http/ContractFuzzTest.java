package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input generated for every operation of the contract: path parameters, query parameters and bodies of any
 * shape, sent with a valid admin token so that they reach validation and the domain verticles. Whatever arrives, the
 * answer is not a server error, no answer carries the signing secret or the caller's token, every refusal is a problem
 * body without a stack trace, and the service stays up.
 */
class ContractFuzzTest {

  private static TestApp app;
  private static Vertx vertx;
  private static HttpClient client;
  private static List<Operation> operations;
  private static String token;

  /** One generated request: which operation, what replaces its path parameters, its query and its body. */
  record Attempt(int operation, String pathValue, String query, String body) {}

  @BeforeContainer
  static void boot() {
    // hostile input is what this test is about, not a slow disk: a statement that waits for a flush on a loaded
    // machine must not trip the tests' tight 2-s breaker and answer 503
    app = TestApp.start(Map.of("breaker.timeoutMs", 15_000));
    vertx = Vertx.vertx();
    client = vertx.createHttpClient();
    operations = new ArrayList<>(TestApp.await(OpenAPIContract.from(vertx, "openapi/arbiter.yaml")).operations());
    token = app.tokens().admin("fuzz");
  }

  @AfterContainer
  static void shutdown() {
    TestApp.await(vertx.close());
    app.close();
  }

  @Property(tries = 400)
  void everyAnswerToHostileInputIsAClientErrorWithAProblemBody(@ForAll("attempts") Attempt attempt) {
    Operation operation = operations.get(attempt.operation() % operations.size());
    String path = "/api/v1" + operation.getOpenAPIPath().replaceAll("\\{[^}]+}",
        URLEncoder.encode(attempt.pathValue(), StandardCharsets.UTF_8).replace("+", "%20"));
    RequestOptions request = new RequestOptions().setMethod(operation.getHttpMethod()).setHost("127.0.0.1")
        .setPort(app.arbiter().port()).setURI(path + attempt.query()).setIdleTimeout(10_000)
        .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json");
    Http.Reply reply = TestApp.await(client.request(request).compose(r -> (attempt.body() == null ? r.send()
        : r.send(Buffer.buffer(attempt.body())))
        .compose(response -> response.body().map(body -> new Http.Reply(response.statusCode(), response.headers(),
            body, 0)))));
    String what = operation.getOperationId() + " " + operation.getHttpMethod() + " " + path + attempt.query()
        + " body " + attempt.body() + " answered " + reply.status() + " " + reply.text();
    assertThat(reply.status()).as(what).isLessThan(500);
    assertThat(reply.text()).as("no secret in " + what).doesNotContain(TestApp.SECRET, token);
    if (reply.status() >= 400) {
      assertThat(reply.header("Content-Type")).as(what).startsWith("application/problem+json");
      assertThat(reply.text()).as(what).doesNotContain("Exception", "\tat ", "io.vertx.", "io.arbiter.");
    }
    assertThat(app.http().get("/health/live", null).status()).as("still up after " + what).isEqualTo(200);
  }

  @Provide
  Arbitrary<Attempt> attempts() {
    Arbitrary<String> hostile = Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(200).ofMaxLength(2_000),
        Arbitraries.of("..", "%00", "\u0000", "' OR 1=1 --", "<script>", "-1", "99999999999999999999", "null",
            "tenant:other", "_platform", "ü🙂", ""));
    Arbitrary<String> query = Arbitraries.oneOf(Arbitraries.just(""),
        Combinators.combine(Arbitraries.of("limit", "cursor", "state", "type", "agent", "wait", "max", "ack", "next",
                "from", "to", "taskType", "languages", "status"), hostile)
            .as((k, v) -> "?" + k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return Combinators.combine(Arbitraries.integers().between(0, 1_000), hostile, query, bodies())
        .as(Attempt::new);
  }

  private static Arbitrary<String> bodies() {
    Arbitrary<String> scalar = Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(30).map(ContractFuzzTest::quoted),
        Arbitraries.of("0", "-1", "4294967296", "1e309", "-9223372036854775809", "true", "null", "\"\\u0000\"",
            "\"" + "x".repeat(70_000) + "\""),
        Arbitraries.integers().map(String::valueOf));
    Arbitrary<String> fields = Combinators.combine(
            Arbitraries.of("id", "type", "payload", "priority", "capabilities", "maxConcurrentTasks", "taskTypes",
                "outcome", "attempt", "result", "metrics", "filesChanged", "budget", "gates", "name", "tasks",
                "next", "expiresAt", "reason", "scope", "runAfter", "idempotencyKey", "x"),
            Arbitraries.oneOf(scalar, scalar.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
                scalar.map(v -> "{\"taskTypes\":[" + v + "],\"languages\":[]}")))
        .as((k, v) -> quoted(k) + ":" + v).list().ofMaxSize(6).map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.oneOf(Arbitraries.just(null), scalar, fields, Arbitraries.strings().all().ofMaxLength(60),
        fields.map(f -> "[" + f + "]"), Arbitraries.just("{\"a\":".repeat(200)));
  }

  private static String quoted(String text) {
    return io.vertx.core.json.Json.encode(text);
  }

}
