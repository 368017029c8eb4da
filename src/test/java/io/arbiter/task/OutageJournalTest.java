package io.arbiter.task;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Role;
import io.arbiter.journal.Journal;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.StoppableDatabase;
import io.arbiter.support.TestApp;
import io.arbiter.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("While PostgreSQL is away, submissions and results go to the outage journal and land when it is back")
class OutageJournalTest {

  private StoppableDatabase database;
  private TestApp app;

  @AfterEach
  void shutdown() {
    if (app != null) {
      app.close();
    }
    if (database != null) {
      database.close();
    }
  }

  private TestApp start(Map<String, Object> extra) {
    database = StoppableDatabase.start();
    Map<String, Object> settings = new HashMap<>(Map.of("db.url", database.url(), "db.connectTimeoutMs", 500,
        "breaker.resetTimeoutMs", 500, "journal.replayIntervalMs", 100, "tasks.claimPollMs", 100));
    settings.putAll(extra);
    app = TestApp.start(settings);
    return app;
  }

  private String submitter() {
    return app.tokens().of("acme", Role.SUBMITTER, "client-1");
  }

  private static JsonObject task(int n) {
    return new JsonObject().put("type", "code-editing").put("payload", new JsonObject().put("n", n));
  }

  private JsonObject readiness() {
    return app.http().get("/health/ready", null).json();
  }

  @Test
  @DisplayName("submissions are answered 202 with their id while the database is down, and every one lands once")
  void submissionsBufferedAndReplayed() {
    start(Map.of());
    Http http = app.http();
    AgentClient agent = new AgentClient(app, "acme", "outage-agent");
    assertThat(agent.register("code-editing", 50).status()).isEqualTo(201);
    String live = http.post("/api/v1/tasks", submitter(), task(0)).json().getString("id");

    database.stop();
    List<String> buffered = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      Http.Reply reply = http.post("/api/v1/tasks", submitter(), task(i));
      assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
      assertThat(reply.json().getBoolean("buffered")).isTrue();
      buffered.add(reply.json().getString("id"));
    }
    Http.Reply batch = http.post("/api/v1/task-batches", submitter(),
        new JsonObject().put("tasks", new JsonArray().add(task(13)).add(task(14))));
    assertThat(batch.status()).as(batch.toString()).isEqualTo(202);
    batch.json().getJsonArray("tasks").forEach(t -> buffered.add(((JsonObject) t).getString("id")));

    // readiness answers are reused for up to a second, so the degraded answer may come a moment later
    TestApp.eventually(Duration.ofSeconds(5), "readiness reports the buffered submissions",
        () -> "degraded".equals(readiness().getString("status")) && readiness().getLong("buffered") == 14);
    assertThat(app.http().get("/health/ready", null).status()).isEqualTo(200);
    assertThat(app.http().get("/metrics", null).text()).contains("arbiter_journal_buffered 14.0");

    database.resume();

    TestApp.eventually(Duration.ofSeconds(20), "the journal replayed", () -> readiness().getLong("buffered") == 0
        && "UP".equals(readiness().getString("status")));
    for (String id : buffered) {
      assertThat(http.get("/api/v1/tasks/" + id, submitter()).status()).as("task %s landed", id).isEqualTo(200);
    }
    assertThat(app.sql("SELECT count(*) AS n FROM tasks").iterator().next().getLong("n")).isEqualTo(15);

    List<String> done = new ArrayList<>();
    TestApp.eventually(Duration.ofSeconds(20), "the agent finished every task", () -> {
      for (JsonObject delivery : agent.claim(1, 50)) {
        agent.ack(delivery.getString("taskId"), delivery.getInteger("attempt"));
        agent.result(delivery.getString("taskId"), delivery.getInteger("attempt"), "succeeded");
        done.add(delivery.getString("taskId"));
      }
      return done.size() == 15;
    });
    assertThat(done).containsAll(buffered).contains(live).doesNotHaveDuplicates();
    assertThat(app.sql("SELECT count(*) AS n FROM task_results").iterator().next().getLong("n")).isEqualTo(15);
    assertThat(app.sql("SELECT count(*) AS n FROM tasks WHERE state = 'succeeded'").iterator().next().getLong("n"))
        .isEqualTo(15);
  }

  @Test
  @DisplayName("a result reported while the database is down is answered 202 and lands on its attempt afterwards")
  void resultBufferedAndReplayed() {
    start(Map.of("tasks.leaseMs", 1000, "tasks.rescueIntervalMs", 100));
    Http http = app.http();
    AgentClient agent = new AgentClient(app, "acme", "result-agent");
    assertThat(agent.register("code-editing", 5).status()).isEqualTo(201);
    String id = http.post("/api/v1/tasks", submitter(), task(1)).json().getString("id");
    List<JsonObject> claimed = new ArrayList<>();
    TestApp.eventually(Duration.ofSeconds(10), "the task is delivered", () -> claimed.addAll(agent.claim(1, 1)));
    assertThat(agent.ack(id, 1).status()).isEqualTo(200);

    database.stop();
    Http.Reply result = agent.result(id, 1, "succeeded");
    assertThat(result.status()).as(result.toString()).isEqualTo(202);
    assertThat(result.json().getBoolean("buffered")).isTrue();
    // longer than the lease: the rescuer must not judge the lease before the buffered result lands
    TestApp.eventually(Duration.ofSeconds(10), "the breaker is open", () ->
        "degraded".equals(readiness().getString("status")));
    database.resume();

    TestApp.eventually(Duration.ofSeconds(20), "the result landed", () -> "succeeded".equals(
        http.get("/api/v1/tasks/" + id, submitter()).json().getString("state")));
    JsonObject task = http.get("/api/v1/tasks/" + id, submitter()).json();
    assertThat(task.getInteger("attempt")).isEqualTo(1);
    Http.Reply repeat = agent.result(id, 1, "succeeded");
    assertThat(repeat.json().getBoolean("repeated")).isTrue();
  }

  @Test
  @DisplayName("a full journal answers 503 with Retry-After, and readiness turns DOWN")
  void fullJournalRefuses() {
    start(Map.of("journal.capacity", 3));
    Http http = app.http();
    database.stop();
    for (int i = 0; i < 3; i++) {
      assertThat(http.post("/api/v1/tasks", submitter(), task(i)).status()).isEqualTo(202);
    }
    Http.Reply full = http.post("/api/v1/tasks", submitter(), task(4));
    assertProblem(full, Failure.UNAVAILABLE);
    assertThat(full.json().getString("detail")).contains("outage journal is full (3 of 3 items)");
    assertThat(full.header("Retry-After")).isNotNull();
    TestApp.eventually(Duration.ofSeconds(5), "readiness turns DOWN", () -> http.get("/health/ready", null).status() == 503);
    assertThat(readiness().getString("status")).isEqualTo("DOWN");

    database.resume();
    TestApp.eventually(Duration.ofSeconds(20), "the journal replayed", () -> readiness().getLong("buffered") == 0);
    assertThat(app.sql("SELECT count(*) AS n FROM tasks").iterator().next().getLong("n")).isEqualTo(3);
  }

  @Test
  @DisplayName("a journal at its byte cap answers 503 naming the bytes, and what it holds still lands")
  void byteCapRefuses() {
    start(Map.of("journal.maxBytes", 65_536));
    Http http = app.http();
    database.stop();
    String filler = "x".repeat(40_000);
    for (int i = 0; i < 2; i++) {
      JsonObject big = task(i);
      big.getJsonObject("payload").put("filler", filler);
      assertThat(http.post("/api/v1/tasks", submitter(), big).status()).isEqualTo(202);
    }
    Http.Reply full = http.post("/api/v1/tasks", submitter(), task(3));
    assertProblem(full, Failure.UNAVAILABLE);
    assertThat(full.json().getString("detail")).contains("outage journal is full").contains("of 65536 bytes");
    assertThat(http.get("/metrics", null).text()).contains("arbiter_journal_capacity_bytes 65536.0");

    database.resume();
    TestApp.eventually(Duration.ofSeconds(20), "the journal replayed", () -> readiness().getLong("buffered") == 0);
    assertThat(app.sql("SELECT count(*) AS n FROM tasks").iterator().next().getLong("n")).isEqualTo(2);
    assertThat(http.get("/metrics", null).text()).contains("arbiter_journal_buffered_bytes 0.0");
  }

  @Test
  @DisplayName("entries left by a process that died are replayed at start, before serving, and a repeat is not doubled")
  void replaysAtStartBeforeServing() throws Exception {
    String url = TestDatabase.freshDatabaseUrl();
    Path dataDir = Files.createTempDirectory("arbiter-crashed");
    UUID id = TaskIds.next();
    RequestContext ctx = new RequestContext("corr-1", "acme", "client-1", "submitter", "127.0.0.1", "test");
    JsonObject item = new JsonObject().put("id", id.toString()).put("tenant_id", "acme").put("type", "code-editing")
        .put("priority", 5).put("payload", new JsonObject().put("n", 1)).put("requirements", new JsonObject())
        .put("budget", new JsonObject()).put("timeout_ms", 60_000).put("max_attempts", 3)
        .put("request_hash", "h").put("actor_sub", "client-1").put("actor_role", "submitter")
        .put("accepted_at", "2026-01-02T03:04:05Z");
    Journal left = Journal.open(dataDir.resolve("journal"));
    JsonObject entry = new JsonObject().put("kind", "submit").put("ctx", ctx.toJson())
        .put("items", new JsonArray().add(item));
    // the same submission twice, as after a crash between a replay and the deletion of its segment
    left.append(List.of(entry, entry.copy()));
    left.close();
    // migrate first, as a restarted node would find the schema in place
    TestApp.start(Map.of("db.url", url)).close();

    app = TestApp.start(Map.of("db.url", url, "dataDir", dataDir.toString(), "journal.replayIntervalMs", 600_000));
    Http.Reply task = app.http().get("/api/v1/tasks/" + id, submitter());
    assertThat(task.status()).as(task.toString()).isEqualTo(200);
    assertThat(task.json().getString("createdAt")).startsWith("2026-01-02T03:04:05");
    assertThat(readiness().getLong("buffered")).isZero();
    assertThat(Journal.open(dataDir.resolve("journal")).sealed()).isEmpty();
    assertThat(app.sql("SELECT count(*) AS n FROM tasks").iterator().next().getLong("n"))
        .as("the second copy was recognized as landed, not doubled").isEqualTo(1);
    String metrics = app.http().get("/metrics", null).text();
    assertThat(metrics).contains("arbiter_journal_replayed_total 2.0").contains("arbiter_journal_refused_total 0.0");
  }
}
