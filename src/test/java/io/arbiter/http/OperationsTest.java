package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.Version;
import io.arbiter.bus.Addresses;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp
@ExtendWith(VertxExtension.class)
@DisplayName("Health and metrics endpoints, and / leading to the dashboard")
class OperationsTest {

  @ArbiterApp.Inject private static TestApp app;

  @Test
  @DisplayName("live is UP and reports the version; ready and db are UP and report each verticle's breaker state")
  void healthReportsBreakers() {
    Http http = app.http();
    Http.Reply live = http.get("/health/live", null);
    assertThat(live.status()).as(live.toString()).isEqualTo(200);
    assertThat(live.json().getString("outcome")).isEqualTo("UP");
    assertThat(live.json().getString("version")).isEqualTo(Version.NUMBER).isNotBlank();
    for (String path : new String[] {"/health/ready", "/health/db"}) {
      Http.Reply reply = http.get(path, null);
      assertThat(reply.status()).as(path + ": " + reply).isEqualTo(200);
      JsonObject body = reply.json();
      assertThat(body.getString("outcome")).isEqualTo("UP");
      assertThat(body.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getJsonObject("data")
          .getString("breaker"))).containsExactlyInAnyOrder("registry-db", "tasks-db", "routing-db", "audit-db",
              "policy-db", "schedules-db");
    }
  }

  @Test
  @DisplayName("GET / and the old /dashboard/ redirect to the console, which answers there under its policy")
  void rootAndDashboardRedirectToTheConsole() throws Exception {
    for (String path : List.of("/", "/dashboard", "/dashboard/")) {
      HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + app.arbiter().port() + path)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).as(path + ": " + reply.body()).isEqualTo(302);
      assertThat(reply.headers().firstValue("Location")).as(path).hasValue("/console/");
    }
    Http.Reply console = app.http().get("/console/", null);
    assertThat(console.status()).isEqualTo(200);
    assertThat(console.header("Content-Type")).startsWith("text/html");
    assertThat(console.header("Content-Security-Policy")).isEqualTo(HttpVerticle.CONSOLE_POLICY);
    Http.Reply script = app.http().get("/console/js/app.js", null);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("Content-Type")).contains("javascript");
  }

  @Test
  @DisplayName("/metrics exposes HTTP, pool, event-bus, breaker and agent figures for Prometheus")
  void metricsForPrometheus() {
    Http http = app.http();
    String token = app.tokens().admin("metrics");
    http.post("/api/v1/agents", token, Agents.registration("m-1"));
    TestApp.eventually(Duration.ofSeconds(5), "the agent gauge counts m-1",
        () -> http.get("/metrics", null).text().contains("arbiter_agents{status=\"available\"} 1.0"));
    String metrics = http.get("/metrics", null).text();
    assertThat(metrics)
        .contains("vertx_http_server_requests_total")
        .contains("vertx_http_server_response_time_seconds_bucket")
        .contains("vertx_pool_in_use")
        .contains("vertx_eventbus_processed_total")
        .contains("arbiter_breaker_state{breaker=\"registry-db\"} 0.0")
        .contains("arbiter_breaker_state{breaker=\"audit-db\"} 0.0")
        .contains("arbiter_audit_unsealed");
  }

  @Test
  @DisplayName("an assigned task shows in the tasks-by-state gauge and in the time-to-assignment histogram")
  void tasksByStateAndTimeToAssignment() {
    Http http = app.http();
    AgentClient agent = new AgentClient(app, "metrics-tasks", "m-tasks");
    agent.register("metered", 1);
    http.post("/api/v1/tasks", app.tokens().of("metrics-tasks", Role.SUBMITTER, "c"),
        new JsonObject().put("type", "metered"));
    TestApp.eventually(Duration.ofSeconds(10), "the task is counted as assigned and its wait is recorded", () -> {
      String metrics = http.get("/metrics", null).text();
      return metrics.contains("arbiter_tasks{state=\"assigned\"} 1.0")
          && metrics.lines().anyMatch(line -> line.matches("arbiter_tasks_wait_seconds_count 1(\\.0)?"));
    });
    assertThat(http.get("/metrics", null).text()).contains("arbiter_tasks{state=\"dead\"} 0.0")
        .contains("arbiter_tasks{state=\"queued\"} 0.0").contains("arbiter_tasks_wait_seconds_bucket{le=\"0.001\"}");
  }

  @Test
  @DisplayName("a client that offers an upgrade to HTTP/2 without TLS gets the whole /metrics page over HTTP/1.1")
  void clientsOfferingCleartextHttp2GetWholeResponses() throws Exception {
    HttpResponse<String> metrics = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.arbiter().port() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(metrics.body()).contains("jvm_memory_used_bytes").endsWith("\n");
    assertThat(metrics.body().length()).isGreaterThan(65_536);
  }

  @Test
  @DisplayName("a method outside the API's is counted as OTHER, so that clients cannot add metric series")
  void unknownMethodsShareOneLabel() {
    Http http = app.http();
    for (String method : new String[] {"BREW", "PROPFIND", "X-ANYTHING-1"}) {
      http.send(HttpMethod.valueOf(method), "/api/v1/agents", null, null, null);
    }
    TestApp.eventually(Duration.ofSeconds(5), "the requests are counted under OTHER",
        () -> http.get("/metrics", null).text().contains("method=\"OTHER\""));
    assertThat(http.get("/metrics", null).text()).doesNotContain("BREW", "PROPFIND", "X-ANYTHING-1");
  }

  @Test
  @DisplayName("a burst of readiness and database checks asks the domains at most once per second")
  void healthChecksAreKeptForASecond() {
    Http http = app.http();
    AtomicInteger asked = new AtomicInteger();
    Handler<DeliveryContext<Object>> counting = delivery -> {
      if (delivery.message().address().equals(Addresses.TASKS_HEALTH)) {
        asked.incrementAndGet();
      }
      delivery.next();
    };
    app.arbiter().vertx().eventBus().addOutboundInterceptor(counting);
    try {
      long started = System.nanoTime();
      int calls = 0;
      while (System.nanoTime() - started < 500_000_000L) {
        assertThat(http.get(calls % 2 == 0 ? "/health/ready" : "/health/db", null).status()).isEqualTo(200);
        calls++;
      }
      int instances = app.arbiter().ingressInstances();
      assertThat(calls).isGreaterThan(20);
      assertThat(asked.get()).as("%d calls", calls).isLessThanOrEqualTo(2 * 2 * instances);
    } finally {
      app.arbiter().vertx().eventBus().removeOutboundInterceptor(counting);
    }
  }
}
