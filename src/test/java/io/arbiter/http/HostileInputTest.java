package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.bus.Failure;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp
@ExtendWith(VertxExtension.class)
@DisplayName("Hostile values are refused with 400 and harm no other request")
class HostileInputTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;
  private static String submitter;

  @BeforeAll
  static void submitterToken() {
    submitter = app.tokens().of("acme", Role.SUBMITTER, "client");
  }

  private static JsonObject task(Object note) {
    return new JsonObject().put("type", "hostile").put("payload", new JsonObject().put("note", note));
  }

  @Test
  @DisplayName("a NUL character in a submission answers 400 naming its field, and the submissions beside it are accepted")
  void nulCharacterFailsOnlyItsOwnSubmission() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Http.Reply>> good = new ArrayList<>();
      List<Future<Http.Reply>> bad = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 6; i++) {
          int n = round * 10 + i;
          good.add(clients.submit(() -> http.post("/api/v1/tasks", submitter, task("fine " + n))));
        }
        bad.add(clients.submit(() -> http.post("/api/v1/tasks", submitter, task("nul \u0000 here"))));
      }
      for (Future<Http.Reply> reply : good) {
        assertThat(reply.get().status()).as("%s", reply.get()).isEqualTo(202);
      }
      for (Future<Http.Reply> reply : bad) {
        assertThat(assertProblem(reply.get(), Failure.BAD_REQUEST).getString("field")).isEqualTo("payload.note");
      }
    } finally {
      clients.shutdownNow();
    }
    JsonObject keyed = new JsonObject().put("type", "hostile").put("payload", new JsonObject().put("a\u0000b", 1));
    assertThat(assertProblem(http.post("/api/v1/tasks", submitter, keyed), Failure.BAD_REQUEST).getString("detail"))
        .contains("U+0000");
  }

  @Test
  @DisplayName("a NUL character in a query parameter answers 400 naming it")
  void nulCharacterInAParameterIsRefused() {
    JsonObject problem = assertProblem(http.get("/api/v1/tasks?cursor=a%00b", submitter), Failure.BAD_REQUEST);
    assertThat(problem.getString("field")).isEqualTo("cursor");
  }

  @Test
  @DisplayName("an integer beyond 32 bits in a result or a limit answers 400 instead of wrapping past a budget")
  void integersBeyondThirtyTwoBitsAreRefused() {
    AgentClient agent = new AgentClient(app, "acme", "wide-agent");
    assertThat(agent.register("wide", 1).status()).isEqualTo(201);
    JsonObject budgeted = new JsonObject().put("type", "wide").put("maxAttempts", 1)
        .put("budget", new JsonObject().put("maxFiles", 5));
    Http.Reply submitted = http.post("/api/v1/tasks", submitter, budgeted);
    assertThat(submitted.status()).as("%s", submitted).isEqualTo(202);
    String id = submitted.json().getString("id");
    List<JsonObject> claimed = agent.claim(5, 1);
    assertThat(claimed).extracting(t -> t.getString("taskId")).containsExactly(id);
    int attempt = claimed.get(0).getInteger("attempt");
    assertThat(agent.ack(id, attempt).status()).isEqualTo(200);

    JsonObject wrapped = new JsonObject().put("attempt", attempt).put("outcome", "succeeded")
        .put("filesChanged", 4294967295L);
    assertThat(assertProblem(agent.result(id, wrapped), Failure.BAD_REQUEST).getString("field"))
        .isEqualTo("filesChanged");
    JsonObject limits = new JsonObject().put("maxFiles", 4294967296L);
    assertThat(assertProblem(http.send(HttpMethod.PUT, "/api/v1/tenant-limits", app.tokens().admin("acme"),
        "application/json", Buffer.buffer(limits.encode())), Failure.BAD_REQUEST).getString("field"))
        .isEqualTo("maxFiles");

    JsonObject honest = wrapped.copy().put("filesChanged", 6);
    JsonObject judged = agent.result(id, honest).json();
    assertThat(judged.getString("outcome")).isEqualTo("failed");
    assertThat(judged.getString("state")).isEqualTo("dead");
  }

  @Test
  @DisplayName("a token naming a reserved tenant, or a tenant or subject with a control character or too long, answers 401")
  void tokensWithUnusableClaimsAreRefused() {
    for (String[] claims : new String[][] {{"_platform", "alice"}, {"ac\u0001me", "alice"}, {"acme", "al\u0000ice"},
        {"acme", "a".repeat(201)}, {"t".repeat(201), "alice"}}) {
      String token = app.tokens().of(claims[0], Role.ADMIN, claims[1]);
      assertProblem(http.get("/api/v1/agents", token), Failure.UNAUTHORIZED);
    }
    assertThat(http.get("/api/v1/agents", app.tokens().of("acme", Role.ADMIN, "a".repeat(200))).status())
        .isEqualTo(200);
  }
}
