package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.BridgeClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
      // long-polling claims are bounded per agent instead, and take no in-flight slot
      CompletableFuture<Http.Reply> waiting = CompletableFuture.supplyAsync(() -> app.http().post(
          "/api/v1/agents/busy-agent/claim?wait=3", app.tokens().agent("acme", "busy-agent"), null));
      TestApp.eventually(Duration.ofSeconds(5), "the claim is served", () -> inFlight(app, 1));
      // two requests whose bodies have not arrived yet hold the two slots
      String head = "POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\nAuthorization: Bearer " + app.tokens().admin("acme") + "\r\n\r\n{";
      Socket first = new Socket("127.0.0.1", app.arbiter().port());
      Socket second = new Socket("127.0.0.1", app.arbiter().port());
      for (Socket holder : List.of(first, second)) {
        holder.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        holder.getOutputStream().flush();
      }
      TestApp.eventually(Duration.ofSeconds(5), "two requests and the claim in flight", () -> inFlight(app, 3));

      Http.Reply shed = app.http().get("/api/v1/agents", app.tokens().admin("acme"));
      assertProblem(shed, Failure.OVERLOADED);
      assertThat(shed.header("Retry-After")).isEqualTo("1");
      assertThat(Duration.ofNanos(shed.elapsedNanos())).isLessThan(Duration.ofMillis(500));
      assertThat(app.http().get("/health/live", null).status()).isEqualTo(200);
      assertThat(app.http().get("/metrics", null).text()).contains("arbiter_http_shed_total 1.0");

      assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(204);
      first.close();
      second.close();
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

  @Test
  @DisplayName("with shutdown.leases release, the leases of bridge agents end at shutdown; a REST agent's runs on")
  void shutdownReleasesBridgeLeases() throws Exception {
    Vertx client = Vertx.vertx();
    try (TestApp app = TestApp.start(Map.of("shutdown.leases", "release", "routing.pollIntervalMs", 100))) {
      String admin = app.tokens().admin("acme");
      assertThat(app.http().post("/api/v1/agents", admin, Agents.registration("pusher", "code-review")).status())
          .isEqualTo(201);
      String pusherToken = app.tokens().agent("acme", "pusher");
      BridgeClient bridge = BridgeClient.connect(client, app.arbiter().port());
      bridge.register("arbiter.agent.pusher.tasks", pusherToken);
      AgentClient poller = new AgentClient(app, "acme", "poller");
      assertThat(poller.register("code-editing", 4).status()).isEqualTo(201);

      String pushed = app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", "code-review")
          .put("payload", new JsonObject())).json().getString("id");
      String polled = app.http().post("/api/v1/tasks", admin, new JsonObject().put("type", "code-editing")
          .put("payload", new JsonObject())).json().getString("id");
      JsonObject delivery = bridge.awaitFrame(Duration.ofSeconds(15), "the pushed delivery",
          "arbiter.agent.pusher.tasks").getJsonObject("body");
      assertThat(delivery.getString("taskId")).isEqualTo(pushed);
      JsonObject ack = bridge.request("arbiter.agent.pusher.ack", pusherToken,
          new JsonObject().put("taskId", pushed).put("attempt", 1));
      assertThat(ack.getJsonObject("body").getString("state")).as("ack %s", ack).isEqualTo("running");
      TestApp.eventually(Duration.ofSeconds(15), "the polled task is delivered",
          () -> !poller.claim(1, 1).isEmpty());
      assertThat(poller.ack(polled, 1).status()).isEqualTo(200);

      app.arbiter().close();

      String leaseEnded = "SELECT lease_expires_at <= now() AS ended FROM tasks WHERE id::text = $1";
      assertThat(app.sql(leaseEnded, pushed).iterator().next().getBoolean("ended")).as("bridge lease ended").isTrue();
      assertThat(app.sql(leaseEnded, polled).iterator().next().getBoolean("ended")).as("REST lease runs on").isFalse();
      bridge.close();
    } finally {
      TestApp.await(client.close());
    }
  }
}
