package io.arbiter.db;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.support.Agents;
import io.arbiter.support.Http;
import io.arbiter.support.StoppableDatabase;
import io.arbiter.support.TestApp;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("When PostgreSQL goes away the breakers open, answer 503 at once, and close when it is back")
class DatabaseOutageTest {

  private static StoppableDatabase database;
  private static TestApp app;

  @BeforeAll
  static void boot() {
    database = StoppableDatabase.start();
    app = TestApp.start(Map.of("db.url", database.url(), "breaker.resetTimeoutMs", 1500));
  }

  @AfterAll
  static void shutdown() {
    app.close();
    database.close();
  }

  @Test
  @DisplayName("opens on failures, fails fast with Retry-After while open, and closes once the database returns")
  void breakerOpensFailsFastAndCloses() {
    Http http = app.http();
    String token = app.tokens().admin("acme");
    assertThat(http.post("/api/v1/agents", token, Agents.registration("steady-1")).status()).isEqualTo(201);

    database.stop();

    TestApp.eventually(Duration.ofSeconds(15), "the registry breaker is open",
        () -> http.get("/api/v1/agents", token).json().getString("detail", "").contains("circuit registry-db is open"));
    Http.Reply fast = http.get("/api/v1/agents", token);
    assertProblem(fast, Failure.UNAVAILABLE);
    assertThat(fast.header("Retry-After")).isEqualTo("2");
    assertThat(Duration.ofNanos(fast.elapsedNanos())).isLessThan(Duration.ofMillis(100));
    TestApp.eventually(Duration.ofSeconds(5), "readiness reports degraded (answers are reused for up to a second)",
        () -> "degraded".equals(http.get("/health/ready", null).json().getString("status")));
    assertThat(http.get("/health/ready", null).status()).as("submissions still go to the outage journal").isEqualTo(200);
    assertThat(app.http().get("/metrics", null).text()).contains("arbiter_breaker_state{breaker=\"registry-db\"} 2.0");

    database.resume();

    TestApp.eventually(Duration.ofSeconds(20), "the registry answers again",
        () -> http.get("/api/v1/agents", token).status() == 200);
    assertThat(http.get("/api/v1/agents/steady-1", token).status()).isEqualTo(200);
    TestApp.eventually(Duration.ofSeconds(20), "readiness is back",
        () -> http.get("/health/ready", null).status() == 200);
  }
}
