package io.arbiter.task;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp({"tasks.ackTimeoutMs=1500", "tasks.leaseMs=2000", "tasks.backoffBaseMs=100", "tasks.backoffCapMs=400",
    "tasks.rescueIntervalMs=100", "tasks.claimPollMs=200", "routing.pollIntervalMs=100", "registry.sweepIntervalMs=100",
    // a test holds an agent's row on purpose while calls wait behind it: longer than the default 2 s of tests
    "breaker.timeoutMs=10000"})
@ExtendWith(VertxExtension.class)
@DisplayName("Tasks through their whole lifecycle over REST, against a real PostgreSQL")
class TaskLifecycleTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  private static String submitter(String tenant) {
    return app.tokens().of(tenant, Role.SUBMITTER, "client-1");
  }

  private static String submit(String tenant, JsonObject task) {
    Http.Reply reply = http.post("/api/v1/tasks", submitter(tenant), task);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private static JsonObject task(String type) {
    return new JsonObject().put("type", type).put("payload", new JsonObject().put("n", 1));
  }

  private static JsonObject get(String tenant, String taskId) {
    return http.get("/api/v1/tasks/" + taskId, submitter(tenant)).json();
  }

  private static List<String> states(String tenant, String taskId) {
    return http.get("/api/v1/tasks/" + taskId + "/history", submitter(tenant)).json().getJsonArray("items").stream()
        .map(t -> ((JsonObject) t).getString("to")).toList();
  }

  @Test
  @DisplayName("submit → assigned → claimed → acked → succeeded, with history, decision and agent figures")
  void fullLifecycle() {
    AgentClient agent = new AgentClient(app, "life", "life-1");
    assertThat(agent.register("code-editing", 2).status()).isEqualTo(201);
    String id = submit("life", task("code-editing").put("priority", 7));

    List<JsonObject> claimed = agent.claim(5, 1);
    assertThat(claimed).hasSize(1);
    JsonObject delivery = claimed.get(0);
    assertThat(delivery.getString("taskId")).isEqualTo(id);
    assertThat(delivery.getInteger("attempt")).isEqualTo(1);
    assertThat(delivery.getString("leaseExpiresAt")).isNotNull();

    Http.Reply acked = agent.ack(id, 1);
    assertThat(acked.status()).as(acked.toString()).isEqualTo(200);
    assertThat(acked.json().getString("state")).isEqualTo("running");
    Http.Reply done = agent.result(id, new JsonObject().put("attempt", 1).put("outcome", "succeeded")
        .put("quality", 0.9).put("filesChanged", 3).put("result", new JsonObject().put("ok", true)));
    assertThat(done.json().getString("state")).isEqualTo("succeeded");

    assertThat(states("life", id)).containsExactly("queued", "assigned", "running", "succeeded");
    JsonObject finished = get("life", id);
    assertThat(finished.getString("state")).isEqualTo("succeeded");
    assertThat(finished.getJsonObject("result").getBoolean("ok")).isTrue();
    JsonObject decision = http.get("/api/v1/tasks/" + id + "/decision", submitter("life")).json();
    assertThat(decision.getString("agentId")).isEqualTo("life-1");
    assertThat(decision.getString("strategy")).as("the default strategy").isEqualTo("learning");
    assertThat(decision.getJsonObject("details").getString("mode")).isIn("explore", "exploit");
    assertThat(decision.getString("rationale")).isNotBlank();
    app.awaitOutcomesFolded("life");
    JsonObject figures = http.get("/api/v1/agents/life-1", app.tokens().admin("life")).json();
    assertThat(figures.getInteger("currentLoad")).isZero();
    assertThat(figures.getJsonObject("performance").getLong("taskCount")).isEqualTo(1);
    TestApp.eventually(Duration.ofSeconds(5), "every transition is audited", () -> app.sql(
        "SELECT action FROM audit_log WHERE target = $1", "task:" + id).size() == 4);
  }

  @Test
  @DisplayName("the same Idempotency-Key and body returns the first task (200); another body is refused (409)")
  void idempotentSubmit() {
    MultiMap key = MultiMap.caseInsensitiveMultiMap().add("Idempotency-Key", "order-77");
    JsonObject body = task("research").put("priority", 3);
    Http.Reply first = http.send(HttpMethod.POST, "/api/v1/tasks", submitter("idem"), "application/json",
        body.toBuffer(), key);
    Http.Reply again = http.send(HttpMethod.POST, "/api/v1/tasks", submitter("idem"), "application/json",
        new JsonObject().put("priority", 3).put("payload", new JsonObject().put("n", 1)).put("type", "research")
            .toBuffer(), key);
    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertProblem(http.send(HttpMethod.POST, "/api/v1/tasks", submitter("idem"), "application/json",
        body.copy().put("priority", 4).toBuffer(), key), Failure.CONFLICT);
    assertThat(app.sql("SELECT 1 FROM tasks WHERE tenant_id = 'idem'")).hasSize(1);
  }

  @Test
  @DisplayName("a repeated result returns the first outcome, and a result for a stale attempt is refused")
  void idempotentResultAndStaleAttempt() {
    AgentClient agent = new AgentClient(app, "results", "res-1");
    agent.register("testing", 1);
    String id = submit("results", task("testing").put("maxAttempts", 3));
    agent.claim(5, 1);
    agent.ack(id, 1);
    Http.Reply failedOnce = agent.result(id, 1, "failed");
    assertThat(failedOnce.json().getString("state")).isEqualTo("queued");
    Http.Reply repeat = agent.result(id, 1, "succeeded");
    assertThat(repeat.status()).isEqualTo(200);
    assertThat(repeat.json().getString("outcome")).isEqualTo("failed");
    assertThat(repeat.json().getBoolean("repeated")).isTrue();

    List<JsonObject> second = agent.claim(5, 1);
    assertThat(second.get(0).getInteger("attempt")).isEqualTo(2);
    assertProblem(agent.ack(id, 1), Failure.CONFLICT);
    agent.ack(id, 2);
    JsonObject stale = assertProblem(agent.result(id, 3, "succeeded"), Failure.CONFLICT);
    assertThat(stale.getString("detail")).contains("stale").contains("attempt 2");
    assertThat(agent.result(id, 2, "succeeded").json().getString("state")).isEqualTo("succeeded");
    app.awaitOutcomesFolded("results");
    assertThat(http.get("/api/v1/agents/res-1", app.tokens().admin("results")).json().getJsonObject("performance")
        .getLong("taskCount")).as("the repeat was not counted").isEqualTo(2);
  }

  @Test
  @DisplayName("ack and result batches answer each item as its single call would, in one transaction")
  void batchedAcksAndResults() {
    AgentClient agent = new AgentClient(app, "batches", "bat-1");
    AgentClient other = new AgentClient(app, "batches", "bat-2");
    agent.register("batching", 4);
    other.register("elsewhere", 1);
    List<String> ids = IntStream.range(0, 3).mapToObj(i -> submit("batches", task("batching").put("maxAttempts", 1)))
        .toList();
    String foreign = submit("batches", task("elsewhere"));
    List<JsonObject> mine = new ArrayList<>();
    TestApp.eventually(Duration.ofSeconds(10), "three deliveries", () -> {
      mine.addAll(agent.claim(1, 3));
      return mine.size() == 3;
    });
    assertThat(other.claim(5, 1)).hasSize(1);
    String unknown = "0190f1f0-0000-7000-8000-000000000000";

    JsonArray acks = new JsonArray().add(ref(ids.get(0), 1)).add(ref(ids.get(1), 1)).add(ref(ids.get(2), 2))
        .add(ref(foreign, 1)).add(ref(unknown, 1));
    Http.Reply acked = agent.ackBatch(acks);
    assertThat(acked.status()).as(acked.toString()).isEqualTo(200);
    assertThat(statuses(acked)).containsExactly(200, 200, 409, 409, 404);
    JsonObject staleItem = acked.json().getJsonArray("items").getJsonObject(2);
    assertThat(staleItem.getString("taskId")).isEqualTo(ids.get(2));
    assertThat(staleItem.getJsonObject("problem").getString("detail")).contains("stale");
    assertThat(get("batches", ids.get(2)).getString("state")).isEqualTo("assigned");
    assertThat(get("batches", foreign).getString("state")).as("another agent's task is untouched")
        .isEqualTo("assigned");
    assertThat(statuses(agent.ackBatch(new JsonArray().add(ref(ids.get(2), 1)).add(ref(ids.get(0), 1)))))
        .as("an ack repeated in a later batch still answers 200").containsExactly(200, 200);

    JsonArray results = new JsonArray()
        .add(ref(ids.get(0), 1).put("outcome", "succeeded").put("quality", 0.8))
        .add(ref(ids.get(1), 1).put("outcome", "failed").put("error", "compile error"))
        .add(ref(ids.get(2), 1).put("outcome", "succeeded"))
        .add(ref(ids.get(0), 1).put("outcome", "failed"))
        .add(ref(foreign, 1).put("outcome", "succeeded"));
    Http.Reply reported = agent.resultBatch(results);
    assertThat(statuses(reported)).containsExactly(200, 200, 200, 200, 409);
    JsonArray items = reported.json().getJsonArray("items");
    assertThat(items.getJsonObject(0).getString("state")).isEqualTo("succeeded");
    assertThat(items.getJsonObject(1).getString("state")).isEqualTo("dead");
    assertThat(items.getJsonObject(3).getBoolean("repeated")).as("a repeat within the batch").isTrue();
    assertThat(items.getJsonObject(3).getString("outcome")).isEqualTo("succeeded");
    assertThat(states("batches", ids.get(1))).containsExactly("queued", "assigned", "running", "failed", "dead");
    app.awaitOutcomesFolded("batches");
    JsonObject figures = http.get("/api/v1/agents/bat-1", app.tokens().admin("batches")).json();
    assertThat(figures.getInteger("currentLoad")).isZero();
    assertThat(figures.getJsonObject("performance").getLong("taskCount")).isEqualTo(3);
    assertThat(get("batches", foreign).getString("state")).isEqualTo("assigned");
  }

  private static JsonObject ref(String taskId, int attempt) {
    return new JsonObject().put("taskId", taskId).put("attempt", attempt);
  }

  private static List<Integer> statuses(Http.Reply reply) {
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json().getJsonArray("items").stream().map(i -> ((JsonObject) i).getInteger("status")).toList();
  }

  @Test
  @DisplayName("the same result sent ten times at once is recorded once; the others answer it as a repeat")
  void concurrentRepeatsOfOneResult() throws Exception {
    AgentClient agent = new AgentClient(app, "repeats", "rep-1");
    agent.register("testing", 1);
    String id = submit("repeats", task("testing"));
    agent.claim(5, 1);
    agent.ack(id, 1);
    List<CompletableFuture<Http.Reply>> sends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sends.add(CompletableFuture.supplyAsync(() -> agent.result(id, 1, "succeeded")));
    }
    List<JsonObject> replies = new ArrayList<>();
    for (CompletableFuture<Http.Reply> send : sends) {
      Http.Reply reply = send.get();
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      replies.add(reply.json());
    }
    assertThat(replies).allMatch(r -> "succeeded".equals(r.getString("outcome")));
    assertThat(replies).filteredOn(r -> !r.getBoolean("repeated")).hasSize(1);
    app.awaitOutcomesFolded("repeats");
    assertThat(http.get("/api/v1/agents/rep-1", app.tokens().admin("repeats")).json().getJsonObject("performance")
        .getLong("taskCount")).isEqualTo(1);
  }

  @Test
  @DisplayName("an unacknowledged assignment times out, is requeued with backoff, and ends dead after maxAttempts")
  void expiredLeaseIsRetriedThenDead() {
    AgentClient agent = new AgentClient(app, "expiry", "silent-1");
    agent.register("debugging", 1);
    String id = submit("expiry", task("debugging").put("maxAttempts", 2));
    assertThat(agent.claim(5, 1)).hasSize(1);

    TestApp.eventually(Duration.ofSeconds(10), "attempt 1 timed out and was requeued",
        () -> states("expiry", id).contains("timed_out"));
    var requeued = app.sql("SELECT at FROM task_history WHERE task_id = $1::uuid AND to_state = 'queued' AND attempt = 1",
        java.util.UUID.fromString(id)).iterator().next().getOffsetDateTime("at");
    var runAfter = app.sql("SELECT run_after FROM tasks WHERE id = $1::uuid", java.util.UUID.fromString(id)).iterator().next()
        .getOffsetDateTime("run_after");
    // the transition's record takes the clock while the statement runs, run_after counts from the transaction's start
    // (a backoff near 0 puts run_after a fraction of a millisecond before the record)
    assertThat(runAfter).isBetween(requeued.minus(Duration.ofMillis(50)), requeued.plus(Duration.ofMillis(401)));

    List<JsonObject> second = agent.claim(5, 1);
    assertThat(second).hasSize(1);
    assertThat(second.get(0).getInteger("attempt")).isEqualTo(2);
    TestApp.eventually(Duration.ofSeconds(10), "the task is dead", () -> "dead".equals(get("expiry", id)
        .getString("state")));
    assertThat(states("expiry", id)).containsExactly("queued", "assigned", "timed_out", "queued", "assigned",
        "timed_out", "dead");
    JsonObject silent = http.get("/api/v1/agents/silent-1", app.tokens().admin("expiry")).json();
    assertThat(silent.getInteger("currentLoad")).isZero();
    JsonObject figures = silent.getJsonObject("performance");
    assertThat(figures.getLong("taskCount")).as("both timed-out attempts count").isEqualTo(2);
    assertThat(figures.getDouble("successRate")).as("as failures: baseline 0.75 weighted 1 against 2 failures")
        .isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-9));

    Http.Reply listed = http.get("/api/v1/tasks?state=dead", app.tokens().of("expiry", Role.OPERATOR, "op"));
    assertThat(listed.json().getJsonArray("items").stream().map(t -> ((JsonObject) t).getString("id"))).contains(id);
    Http.Reply requeued2 = http.post("/api/v1/tasks/" + id + "/requeue", app.tokens().of("expiry", Role.OPERATOR, "op"),
        null);
    assertThat(requeued2.status()).as(requeued2.toString()).isEqualTo(200);
    assertThat(requeued2.json().getString("state")).isIn("queued", "assigned");
    assertProblem(http.post("/api/v1/tasks/" + id + "/requeue", app.tokens().of("expiry", Role.OPERATOR, "op"), null),
        Failure.CONFLICT);
  }

  @Test
  @DisplayName("waiting tasks go out by priority, then age")
  void priorityThenAge() {
    String low = submit("order", task("documentation").put("priority", 1));
    String midOld = submit("order", task("documentation").put("priority", 5));
    String high = submit("order", task("documentation").put("priority", 9));
    String midNew = submit("order", task("documentation").put("priority", 5));
    AgentClient agent = new AgentClient(app, "order", "doc-1");
    agent.register("documentation", 1);
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonObject delivery = agent.claim(5, 1).get(0);
      served.add(delivery.getString("taskId"));
      agent.result(delivery.getString("taskId"), delivery.getInteger("attempt"), "succeeded");
    }
    assertThat(served).containsExactly(high, midOld, midNew, low);
  }

  @Test
  @DisplayName("a result takes no lock on its agent's row or learning arm; the fold then frees the slot and counts it once")
  void resultDoesNotWaitOnTheAgentsRows() throws Exception {
    AgentClient agent = new AgentClient(app, "hot", "hot-1");
    agent.register("linting", 2);
    String first = submit("hot", task("linting"));
    agent.claim(5, 1);
    agent.ack(first, 1);
    agent.result(first, 1, "succeeded");
    app.awaitOutcomesFolded("hot");
    String second = submit("hot", task("linting"));
    assertThat(agent.claim(5, 1)).hasSize(1);
    agent.ack(second, 1);

    try (AutoCloseable locks = app.holdTransaction(
        "SELECT 1 FROM agents WHERE tenant_id = 'hot' AND id = 'hot-1' FOR UPDATE",
        "SELECT 1 FROM routing_arms WHERE tenant_id = 'hot' AND agent_id = 'hot-1' FOR UPDATE")) {
      Http.Reply recorded = CompletableFuture.supplyAsync(() -> agent.result(second, 1, "succeeded"))
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(recorded.json().getString("state")).as("recorded while another transaction holds both rows")
          .isEqualTo("succeeded");
      JsonObject held = http.get("/api/v1/agents/hot-1", app.tokens().admin("hot")).json();
      assertThat(held.getInteger("currentLoad")).as("the fold waits for the agent's row").isEqualTo(1);
    }

    app.awaitOutcomesFolded("hot");
    JsonObject figures = http.get("/api/v1/agents/hot-1", app.tokens().admin("hot")).json();
    assertThat(figures.getInteger("currentLoad")).isZero();
    assertThat(figures.getJsonObject("performance").getLong("taskCount")).isEqualTo(2);
    assertThat(app.sql("SELECT pulls FROM routing_arms WHERE tenant_id = 'hot' AND agent_id = 'hot-1'").iterator()
        .next().getLong("pulls")).isEqualTo(2);
  }

  @Test
  @DisplayName("two folds that pick the same outcomes at once apply each of them once")
  void concurrentFoldsApplyEachOutcomeOnce() throws Exception {
    AgentClient agent = new AgentClient(app, "twofold", "twofold-1");
    agent.register("linting", 3);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(submit("twofold", task("linting")));
    }
    TestApp.eventually(Duration.ofSeconds(10), "the three tasks are assigned",
        () -> ids.stream().allMatch(id -> "assigned".equals(get("twofold", id).getString("state"))));
    assertThat(agent.claim(5, 3)).hasSize(3);
    String foldsWaiting = "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        + " AND query LIKE '%FROM agent_outcomes ORDER BY seq LIMIT%'";

    CompletableFuture<Integer> secondFold;
    try (AutoCloseable agentRow = app.holdTransaction(
        "SELECT 1 FROM agents WHERE tenant_id = 'twofold' AND id = 'twofold-1' FOR UPDATE")) {
      for (String id : ids) {
        agent.ack(id, 1);
        agent.result(id, 1, "succeeded");
      }
      // the node's own fold deletes the outcomes and waits for the agent's row; this one picks the same rows and
      // waits for that fold (or the other way round)
      secondFold = CompletableFuture.supplyAsync(() -> app.sql(TaskSql.FOLD_OUTCOMES, 1000, 1.0).iterator().next()
          .getInteger("applied"));
      TestApp.eventually(Duration.ofSeconds(15), "both folds wait: one on the agent's row, one on the outcomes",
          () -> app.sql(foldsWaiting).size() == 2);
    }
    assertThat(secondFold.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("outcomes this fold applied")
        .isBetween(0, 3);
    app.awaitOutcomesFolded("twofold");
    JsonObject figures = http.get("/api/v1/agents/twofold-1", app.tokens().admin("twofold")).json();
    assertThat(figures.getInteger("currentLoad")).isZero();
    assertThat(figures.getJsonObject("performance").getLong("taskCount")).as("each outcome counted once")
        .isEqualTo(3);
    assertThat(app.sql("SELECT pulls FROM routing_arms WHERE tenant_id = 'twofold' AND agent_id = 'twofold-1'")
        .iterator().next().getLong("pulls")).isEqualTo(3);
  }

  @Test
  @DisplayName("an agent deregistered right after its last result holds no work and goes offline at once")
  void deregisteringRightAfterTheLastResultGoesOffline() throws Exception {
    AgentClient agent = new AgentClient(app, "leaving", "leaver-1");
    agent.register("linting", 1);
    String id = submit("leaving", task("linting"));
    agent.claim(5, 1);
    agent.ack(id, 1);
    try (AutoCloseable agentRow = app.holdTransaction(
        "SELECT 1 FROM agents WHERE tenant_id = 'leaving' AND id = 'leaver-1' FOR UPDATE")) {
      agent.result(id, 1, "succeeded");
      CompletableFuture<Http.Reply> leaving = CompletableFuture.supplyAsync(
          () -> http.delete("/api/v1/agents/leaver-1", app.tokens().admin("leaving")));
      // the deregistration's own fold waits: on the agent's row when it took the outcome first, else on the outcome
      // the periodic fold holds while that fold waits on the agent's row
      TestApp.eventually(Duration.ofSeconds(15), "the deregistration's fold waits behind the agent's row",
          () -> app.sql("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
              + " AND query LIKE '%FROM agent_outcomes WHERE tenant_id = $3 AND agent_id = $4%'").size() == 1
              || leaving.isDone());
      agentRow.close();
      Http.Reply left = leaving.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(left.status()).as(left.toString()).isEqualTo(200);
      assertThat(left.json().getString("status")).isEqualTo("offline");
      assertThat(left.json().getInteger("currentLoad")).isZero();
    }
  }

  @Test
  @DisplayName("two agents claiming at once never get the same task, and no agent exceeds its capacity")
  void concurrentClaimsNeverDoubleAssign() throws Exception {
    AgentClient a = new AgentClient(app, "race", "racer-a");
    AgentClient b = new AgentClient(app, "race", "racer-b");
    a.register("refactoring", 3);
    b.register("refactoring", 3);
    JsonArray batch = new JsonArray();
    IntStream.range(0, 60).forEach(i -> batch.add(task("refactoring")));
    assertThat(http.post("/api/v1/task-batches", submitter("race"), new JsonObject().put("tasks", batch)).status())
        .isEqualTo(202);

    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (AgentClient agent : List.of(a, b, a, b)) {
      loops.add(CompletableFuture.runAsync(() -> {
        while (true) {
          List<JsonObject> got = agent.claim(1, 10);
          if (got.isEmpty()) {
            return;
          }
          for (JsonObject d : got) {
            delivered.add(d.getString("taskId"));
            int load = app.sql("SELECT current_load FROM agents WHERE tenant_id = 'race' AND id = $1", agent.id())
                .iterator().next().getInteger("current_load");
            assertThat(load).isLessThanOrEqualTo(3);
            agent.ack(d.getString("taskId"), d.getInteger("attempt"));
            agent.result(d.getString("taskId"), d.getInteger("attempt"), "succeeded");
          }
        }
      }));
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
    app.awaitOutcomesFolded("race");
    var figures = app.sql("SELECT sum(task_count) AS done, sum(current_load) AS held FROM agents WHERE tenant_id = 'race'")
        .iterator().next();
    assertThat(figures.getLong("done")).as("every result counted once").isEqualTo(60);
    assertThat(figures.getLong("held")).as("every slot released").isZero();
    assertThat(delivered).hasSize(60);
    assertThat(new HashSet<>(delivered)).hasSize(60);
    assertThat(app.sql("SELECT task_id, attempt FROM task_history WHERE tenant_id = 'race' AND to_state = 'assigned' "
        + "GROUP BY task_id, attempt HAVING count(*) > 1")).isEmpty();
  }

  @Test
  @DisplayName("a cancel reaches the running agent through its heartbeat and frees its slot")
  void cancelReachesRunningAgent() {
    AgentClient agent = new AgentClient(app, "cancel", "worker-1");
    agent.register("research", 1);
    String id = submit("cancel", task("research"));
    agent.claim(5, 1);
    agent.ack(id, 1);
    Http.Reply canceled = http.post("/api/v1/tasks/" + id + "/cancel", submitter("cancel"), null);
    assertThat(canceled.json().getString("state")).isEqualTo("canceled");
    Http.Reply beat = agent.heartbeat(id, 1);
    assertThat(beat.status()).isEqualTo(200);
    assertThat(beat.json().getBoolean("canceled")).isTrue();
    JsonObject refused = assertProblem(agent.result(id, 1, "succeeded"), Failure.CONFLICT);
    assertThat(refused.getString("detail")).contains("canceled");
    assertThat(http.get("/api/v1/agents/worker-1", app.tokens().admin("cancel")).json().getInteger("currentLoad"))
        .isZero();
    assertProblem(http.post("/api/v1/tasks/" + id + "/cancel", submitter("cancel"), null), Failure.CONFLICT);
  }

  @Test
  @DisplayName("the rescuer takes an offline agent's task back and another agent finishes it")
  void rescuerRecoversOfflineAgentsTasks() {
    AgentClient quitter = new AgentClient(app, "rescue", "quitter");
    quitter.register("code-review", 1);
    String id = submit("rescue", task("code-review").put("maxAttempts", 3));
    assertThat(quitter.claim(5, 1)).hasSize(1);
    quitter.ack(id, 1);
    app.sql("UPDATE agents SET status = 'offline' WHERE tenant_id = 'rescue' AND id = 'quitter'");

    AgentClient helper = new AgentClient(app, "rescue", "helper");
    helper.register("code-review", 1);
    List<JsonObject> rescued = helper.claim(10, 1);
    assertThat(rescued).hasSize(1);
    assertThat(rescued.get(0).getString("taskId")).isEqualTo(id);
    assertThat(rescued.get(0).getInteger("attempt")).isEqualTo(2);
    helper.ack(id, 2);
    assertThat(helper.result(id, 2, "succeeded").json().getString("state")).isEqualTo("succeeded");
    assertThat(app.sql("SELECT reason FROM task_history WHERE task_id = $1::uuid AND to_state = 'timed_out'",
        java.util.UUID.fromString(id))
        .iterator().next().getString("reason")).isEqualTo("agent offline");
  }

  @Test
  @DisplayName("one rescuer at a time: while another node holds the rescue lock no lease is judged here, then this node "
      + "takes over")
  void oneRescuerAtATime() throws Exception {
    AgentClient holder = new AgentClient(app, "single", "holder");
    holder.register("linting", 1);
    String id = submit("single", task("linting"));
    assertThat(holder.claim(5, 1)).hasSize(1);
    holder.ack(id, 1);
    try (AutoCloseable otherNode = app.holdTransaction(
        "SELECT pg_advisory_xact_lock(hashtext('arbiter.tasks.rescue'))")) {
      app.sql("UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
          java.util.UUID.fromString(id));
      double locked = rescuePasses("locked");
      TestApp.eventually(Duration.ofSeconds(10), "three rescue ticks found the lock taken",
          () -> rescuePasses("locked") >= locked + 3);
      assertThat(app.http().get("/api/v1/tasks/" + id, submitter("single")).json().getString("state"))
          .isEqualTo("running");
    }
    TestApp.eventually(Duration.ofSeconds(10), "this node rescued the expired lease", () -> !"running".equals(
        app.http().get("/api/v1/tasks/" + id, submitter("single")).json().getString("state")));
  }

  private static double rescuePasses(String outcome) {
    String prefix = "arbiter_tasks_rescue_passes_total{outcome=\"" + outcome + "\"} ";
    return app.http().get("/metrics", null).text().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).sum();
  }

  @Test
  @DisplayName("a flood of 10,000 tasks from one tenant does not hold back another tenant's task")
  void tenantsTakeTurns() {
    for (int b = 0; b < 10; b++) {
      JsonArray batch = new JsonArray();
      IntStream.range(0, 1000).forEach(i -> batch.add(task("testing")));
      assertThat(http.post("/api/v1/task-batches", submitter("flood"), new JsonObject().put("tasks", batch)).status())
          .isEqualTo(202);
    }
    String late = submit("calm", task("testing"));
    AgentClient floodAgent = new AgentClient(app, "flood", "flood-agent");
    AgentClient calmAgent = new AgentClient(app, "calm", "calm-agent");
    floodAgent.register("testing", 5);
    calmAgent.register("testing", 5);
    assertThat(calmAgent.claim(10, 1).get(0).getString("taskId")).isEqualTo(late);
    List<String> firstAssigned = app.sql("SELECT task_id FROM task_history WHERE to_state = 'assigned' "
            + "AND tenant_id IN ('flood', 'calm') ORDER BY id LIMIT 11").stream()
        .map(r -> r.getUUID("task_id").toString()).toList();
    assertThat(firstAssigned).contains(late);
  }

  @Test
  @DisplayName("bad submissions: priority out of range, timeout outside bounds, payload over the limit")
  void badSubmissions() {
    assertThat(assertProblem(http.post("/api/v1/tasks", submitter("bad"), task("x").put("priority", 10)),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("priority");
    assertThat(assertProblem(http.post("/api/v1/tasks", submitter("bad"), task("x").put("timeoutMs", 5)),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("timeoutMs");
    assertThat(assertProblem(http.post("/api/v1/tasks", submitter("bad"), task("x").put("maxAttempts", 99)),
        Failure.BAD_REQUEST).getString("field")).isEqualTo("maxAttempts");
    JsonObject big = task("x").put("payload", new JsonObject().put("blob", "x".repeat(300 * 1024)));
    assertProblem(http.post("/api/v1/tasks", submitter("bad"), big), Failure.PAYLOAD_TOO_LARGE);
    assertProblem(http.post("/api/v1/tasks", app.tokens().of("bad", Role.AUDITOR, "a"), task("x")),
        Failure.FORBIDDEN);
    assertThat(app.sql("SELECT 1 FROM tasks WHERE tenant_id = 'bad'")).isEmpty();
  }

  @Test
  @DisplayName("lists page by cursor, filter by state and type, and never show another tenant's tasks")
  void listsWithFilters() {
    Set<String> mine = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      mine.add(submit("lists", task(i % 2 == 0 ? "alpha" : "beta")));
    }
    submit("lists-other", task("alpha"));
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = http.get("/api/v1/tasks?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
          submitter("lists")).json();
      page.getJsonArray("items").forEach(t -> seen.add(((JsonObject) t).getString("id")));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(mine);
    assertThat(http.get("/api/v1/tasks?type=alpha&state=queued", submitter("lists")).json().getJsonArray("items"))
        .hasSize(3);
    assertProblem(http.get("/api/v1/tasks/" + seen.get(0), submitter("lists-other")), Failure.NOT_FOUND);
  }
}
