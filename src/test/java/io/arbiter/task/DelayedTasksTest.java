package io.arbiter.task;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp({"routing.pollIntervalMs=5000", "tasks.claimPollMs=200"})
@DisplayName("Delayed tasks wait, scheduled, until their time and then join the queue")
class DelayedTasksTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  static String submitter(String tenant) {
    return app.tokens().of(tenant, Role.SUBMITTER, "client-1");
  }

  static JsonObject get(String tenant, String id) {
    return http.get("/api/v1/tasks/" + id, submitter(tenant)).json();
  }

  static List<String> states(String tenant, String id) {
    return http.get("/api/v1/tasks/" + id + "/history", submitter(tenant)).json().getJsonArray("items").stream()
        .map(t -> ((JsonObject) t).getString("to")).toList();
  }

  @Test
  @DisplayName("a delayed task is not assigned before its time, and is assigned within a second after it")
  void assignedWithinASecondOfItsTime() {
    AgentClient agent = new AgentClient(app, "delay", "delay-1");
    assertThat(agent.register("later", 2).status()).isEqualTo(201);
    Http.Reply submitted = http.post("/api/v1/tasks", submitter("delay"),
        new JsonObject().put("type", "later").put("delayMs", 1_500));
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    assertThat(submitted.json().getString("state")).isEqualTo("scheduled");
    String id = submitted.json().getString("id");
    Instant due = Instant.parse(submitted.json().getString("runAfter"));

    assertThat(agent.claim(0, 1)).as("nothing to claim before its time").isEmpty();
    assertThat(get("delay", id).getString("state")).isEqualTo("scheduled");

    TestApp.eventually(Duration.ofSeconds(5), "the task is assigned",
        () -> "assigned".equals(get("delay", id).getString("state")));
    JsonObject task = get("delay", id);
    Instant assigned = Instant.parse(task.getString("assignedAt"));
    assertThat(assigned).as("not before its time").isAfterOrEqualTo(due);
    assertThat(Duration.between(due, assigned)).as("within a second of its time").isLessThan(Duration.ofSeconds(1));
    assertThat(states("delay", id)).containsExactly("scheduled", "queued", "assigned");
  }

  @Test
  @DisplayName("a scheduled task can be canceled, and is never assigned")
  void cancelsAScheduledTask() {
    AgentClient agent = new AgentClient(app, "delay-cancel", "cancel-1");
    assertThat(agent.register("later", 2).status()).isEqualTo(201);
    String runAt = Instant.now().plusMillis(800).toString();
    Http.Reply submitted = http.post("/api/v1/tasks", submitter("delay-cancel"),
        new JsonObject().put("type", "later").put("runAt", runAt));
    String id = submitted.json().getString("id");
    Http.Reply canceled = http.post("/api/v1/tasks/" + id + "/cancel", submitter("delay-cancel"), null);
    assertThat(canceled.status()).as(canceled.toString()).isEqualTo(200);
    assertThat(canceled.json().getString("state")).isEqualTo("canceled");
    assertThat(agent.claim(2, 1)).as("nothing comes after its time either").isEmpty();
    assertThat(states("delay-cancel", id)).containsExactly("scheduled", "canceled");
  }

  @Test
  @DisplayName("runAt and delayMs together are refused; a runAt already past queues at once; too far ahead is refused")
  void dueTimeBounds() {
    JsonObject both = new JsonObject().put("type", "later").put("delayMs", 10).put("runAt", Instant.now().toString());
    JsonObject problem = assertProblem(http.post("/api/v1/tasks", submitter("delay-bounds"), both), Failure.BAD_REQUEST);
    assertThat(problem.getString("detail")).contains("delayMs");

    Http.Reply past = http.post("/api/v1/tasks", submitter("delay-bounds"),
        new JsonObject().put("type", "later").put("runAt", "2020-01-01T00:00:00Z"));
    assertThat(past.status()).isEqualTo(202);
    assertThat(past.json().getString("state")).isEqualTo("queued");

    JsonObject far = new JsonObject().put("type", "later").put("runAt", Instant.now().plus(Duration.ofDays(400)).toString());
    assertThat(assertProblem(http.post("/api/v1/tasks", submitter("delay-bounds"), far), Failure.BAD_REQUEST)
        .getString("detail")).contains("runAt");

    Http.Reply batch = http.post("/api/v1/task-batches", submitter("delay-bounds"), new JsonObject().put("tasks",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "later").put("delayMs", 60_000))
            .add(new JsonObject().put("type", "later"))));
    assertThat(batch.status()).as(batch.toString()).isEqualTo(202);
    assertThat(batch.json().getJsonArray("tasks").getJsonObject(0).getString("state")).isEqualTo("scheduled");
    assertThat(batch.json().getJsonArray("tasks").getJsonObject(1).getString("state")).isEqualTo("queued");
  }
}
