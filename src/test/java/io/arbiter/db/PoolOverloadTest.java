package io.arbiter.db;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A pool whose connections are all busy and whose wait queue is full answers 503 overloaded at once")
class PoolOverloadTest {

  @Test
  @DisplayName("beyond db.maxWaitQueue waiters, a read is refused with 503 overloaded and the breaker stays closed")
  void fullWaitQueueShedsLoad() throws Exception {
    // db.connectTimeoutMs is also how long a call waits for a pooled connection: the waiting call must outlast the
    // 3 s lock however late it queued behind it
    try (TestApp app = TestApp.start(Map.of("db.poolSize", 1, "db.maxWaitQueue", 1, "breaker.timeoutMs", 10_000,
        "db.connectTimeoutMs", 10_000, "tasks.rescueIntervalMs", 600_000))) {
      String token = app.tokens().of("acme", Role.SUBMITTER, "client-1");
      String id = app.http().post("/api/v1/tasks", token, new JsonObject().put("type", "code-editing")
          .put("payload", new JsonObject())).json().getString("id");
      // three blocking calls at once: on two cores the common fork-join pool has one thread and would run them in turn
      ExecutorService calls = Executors.newFixedThreadPool(3);
      CompletableFuture<Void> lock = CompletableFuture.runAsync(() -> app.sqlTransaction(
          "LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE", "SELECT pg_sleep(3)"), calls);
      TestApp.eventually(Duration.ofSeconds(5), "the lock is held", () -> app.sql(
          "SELECT count(*) AS n FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 'tasks'::regclass")
          .iterator().next().getLong("n") > 0);

      CompletableFuture<Http.Reply> holding = CompletableFuture.supplyAsync(() ->
          app.http().get("/api/v1/tasks/" + id, token), calls);
      CompletableFuture<Http.Reply> waiting = CompletableFuture.supplyAsync(() ->
          app.http().get("/api/v1/tasks/" + id, token), calls);
      // the queue may hold more than the second read: the task verticle's own timers queue behind the lock too
      TestApp.eventually(Duration.ofSeconds(5), "one call holds the connection and the queue holds a waiter", () ->
          app.sql("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'").iterator().next()
              .getLong("n") >= 1 && app.http().get("/metrics", null).text()
              .matches("(?s).*vertx_pool_queue_pending\\{[^}]*pool_name=\"tasks\"[^}]*\\} [1-9][0-9]*\\.0.*"));

      Http.Reply shed = app.http().get("/api/v1/tasks/" + id, token);
      assertProblem(shed, Failure.OVERLOADED);
      assertThat(shed.json().getString("detail")).contains("db.maxWaitQueue");
      assertThat(Duration.ofNanos(shed.elapsedNanos())).isLessThan(Duration.ofSeconds(1));

      lock.get(10, TimeUnit.SECONDS);
      assertThat(holding.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      // the queue holds one waiter: the second read, or a timer of the task verticle that queued before it, in which
      // case the read is the one shed, by the same rule
      Http.Reply second = waiting.get(10, TimeUnit.SECONDS);
      if (second.status() != 200) {
        assertProblem(second, Failure.OVERLOADED);
      }
      assertThat(app.http().get("/metrics", null).text()).contains("arbiter_breaker_state{breaker=\"tasks-db\"} 0.0");
      calls.shutdown();
    }
  }
}
