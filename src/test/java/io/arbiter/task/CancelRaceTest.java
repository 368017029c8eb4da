package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp({"routing.pollIntervalMs=100", "tasks.leaseMs=600000"})
@DisplayName("A cancel that waits on a task's row lock while the task is being assigned")
class CancelRaceTest {

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  @Test
  @DisplayName("releases the slot the assignment took, though the assignment committed after the cancel began")
  void cancelReleasesTheSlotOfAnAssignmentCommittedWhileItWaited() throws Exception {
    AgentClient agent = new AgentClient(app, "race", "race-1");
    assertThat(agent.register("never-routed-here", 1).status()).isEqualTo(201);
    Http.Reply submitted = http.post("/api/v1/tasks", app.tokens().admin("race"),
        new JsonObject().put("type", "linting").put("payload", new JsonObject()));
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    UUID id = UUID.fromString(submitted.json().getString("id"));

    CompletableFuture<Http.Reply> cancel;
    try (TestApp.Held dispatcher = app.holdTransaction()) {
      dispatcher.run("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", id);
      cancel = CompletableFuture.supplyAsync(
          () -> http.post("/api/v1/tasks/" + id + "/cancel", app.tokens().admin("race"), null));
      TestApp.eventually(Duration.ofSeconds(10), "the cancel waits on the task's row lock", () -> app.sql(
          "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%''canceled''%'")
          .size() == 1 || cancel.isDone());
      // what the dispatcher's transaction does, after the cancel's snapshot was taken: a slot, then the task
      dispatcher.run("UPDATE agents SET current_load = current_load + 1, status = 'busy'"
          + " WHERE tenant_id = 'race' AND id = 'race-1'");
      dispatcher.run("UPDATE tasks SET state = 'assigned', attempt = attempt + 1, assigned_agent_id = 'race-1',"
          + " assigned_at = now(), lease_expires_at = now() + interval '1 minute',"
          + " deadline_at = now() + interval '10 minutes' WHERE id = $1", id);
      dispatcher.commit();
    }

    Http.Reply canceled = cancel.get(10, TimeUnit.SECONDS);
    assertThat(canceled.status()).as(canceled.toString()).isEqualTo(200);
    assertThat(canceled.json().getString("state")).isEqualTo("canceled");
    JsonObject freed = http.get("/api/v1/agents/race-1", app.tokens().admin("race")).json();
    assertThat(freed.getInteger("currentLoad")).as("the slot the assignment took is free again").isZero();
    assertThat(freed.getString("status")).isEqualTo("available");
  }
}
