package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Overload is answered at once, and a shutdown drains what is in flight")
class OverloadAndShutdownTest {

  private static boolean inFlight(TestApp app, int n) {
    return app.http().get("/metrics", null).text().contains("arbiter_http_in_flight " + n + ".0");
  }

  @Test
  @DisplayName("a request beyond http.maxInFlight is refused at once with 503 overloaded and Retry-After")
  void shedsLoadBeyondMaxInFlight() throws Exception {
    try (TestApp app = TestApp.start(Map.of("http.maxInFlight", 2))) {
      AgentClient agent = new AgentClient(app, "acme", "busy-agent");
      assertThat(agent.register("code-editing", 4).status()).isEqualTo(201);
      CompletableFuture<Http.Reply> first = CompletableFuture.supplyAsync(() -> app.http().post(
          "/api/v1/agents/busy-agent/claim?wait=3", app.tokens().agent("acme", "busy-agent"), null));
      CompletableFuture<Http.Reply> second = CompletableFuture.supplyAsync(() -> app.http().post(
          "/api/v1/agents/busy-agent/claim?wait=3", app.tokens().agent("acme", "busy-agent"), null));
      TestApp.eventually(Duration.ofSeconds(5), "two requests in flight", () -> inFlight(app, 2));

      Http.Reply shed = app.http().get("/api/v1/agents", app.tokens().admin("acme"));
      assertProblem(shed, Failure.OVERLOADED);
      assertThat(shed.header("Retry-After")).isEqualTo("1");
      assertThat(Duration.ofNanos(shed.elapsedNanos())).isLessThan(Duration.ofMillis(500));
      assertThat(app.http().get("/health/live", null).status()).isEqualTo(200);
      assertThat(app.http().get("/metrics", null).text()).contains("arbiter_http_shed_total 1.0");

      assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(204);
      assertThat(second.get(10, TimeUnit.SECONDS).status()).isEqualTo(204);
      TestApp.eventually(Duration.ofSeconds(5), "nothing in flight", () -> inFlight(app, 0));
      assertThat(app.http().get("/api/v1/agents", app.tokens().admin("acme")).status()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a shutdown answers waiting long-poll claims at once and finishes well within its grace period")
  void shutdownDrainsInFlight() throws Exception {
    try (TestApp app = TestApp.start(Map.of("shutdown.graceMs", 10_000))) {
      AgentClient agent = new AgentClient(app, "acme", "polling-agent");
      assertThat(agent.register("code-editing", 4).status()).isEqualTo(201);
      CompletableFuture<Http.Reply> waiting = CompletableFuture.supplyAsync(() -> app.http().post(
          "/api/v1/agents/polling-agent/claim?wait=30", app.tokens().agent("acme", "polling-agent"), null));
      TestApp.eventually(Duration.ofSeconds(5), "the claim is waiting", () -> inFlight(app, 1));

      long started = System.nanoTime();
      app.arbiter().close();
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(waiting.get(5, TimeUnit.SECONDS).status()).as("the waiting claim's answer").isEqualTo(204);
      assertThat(took).as("shutdown time").isLessThan(Duration.ofSeconds(5));
    }
  }
}
