package io.arbiter.http;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.arbiter.http.RateLimits.Traffic;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Rate limits per caller, by kind of traffic, and per client address")
class RateLimitsTest {

  @Test
  @DisplayName("submissions, agents' calls and everything else are told apart by method and path")
  void trafficIsClassifiedByMethodAndPath() {
    assertThat(Traffic.of(HttpMethod.POST, "/api/v1/tasks")).isEqualTo(Traffic.SUBMIT);
    assertThat(Traffic.of(HttpMethod.POST, "/api/v1/task-batches")).isEqualTo(Traffic.SUBMIT);
    assertThat(Traffic.of(HttpMethod.POST, "/api/v1/agents/a-1/claim")).isEqualTo(Traffic.AGENT);
    assertThat(Traffic.of(HttpMethod.POST, "/api/v1/agents/a-1/tasks/t/result")).isEqualTo(Traffic.AGENT);
    assertThat(Traffic.of(HttpMethod.POST, "/api/v1/agents")).as("a registration").isEqualTo(Traffic.READ);
    assertThat(Traffic.of(HttpMethod.GET, "/api/v1/tasks")).isEqualTo(Traffic.READ);
    assertThat(Traffic.of(HttpMethod.GET, "/api/v1/agents/a-1")).isEqualTo(Traffic.READ);
  }

  private static List<Http.Reply> submit(TestApp app, String token, int count) {
    List<Http.Reply> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replies.add(app.http().post("/api/v1/tasks", token, new JsonObject().put("type", "limited")));
    }
    return replies;
  }

  @Test
  @DisplayName("a caller over its submission rate gets 429 with Retry-After and RateLimit headers; others go on")
  void aCallerOverItsRateIsRefusedAndOthersAreNot() {
    try (TestApp app = TestApp.start(Map.of("http.rate.submitPerSecond", 2, "http.rate.readPerSecond", 1000))) {
      String busy = app.tokens().of("acme", Role.SUBMITTER, "busy");
      List<Http.Reply> replies = submit(app, busy, 12);
      assertThat(replies.stream().filter(r -> r.status() == 202)).as("the burst passes").hasSizeGreaterThanOrEqualTo(4);
      Http.Reply refused = replies.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
      JsonObject problem = assertProblem(refused, Failure.RATE_LIMITED);
      assertThat(problem.getString("detail")).contains("submit calls of busy");
      assertThat(refused.header("Retry-After")).isEqualTo("1");
      assertThat(refused.header("RateLimit-Limit")).isEqualTo("2");
      assertThat(refused.header("RateLimit-Remaining")).isEqualTo("0");
      assertThat(refused.header("RateLimit-Reset")).isNotNull();

      assertThat(submit(app, app.tokens().of("acme", Role.SUBMITTER, "calm"), 2))
          .allSatisfy(r -> assertThat(r.status()).as("another caller").isEqualTo(202));
      assertThat(app.http().get("/api/v1/tasks", busy).status()).as("the same caller's reads").isEqualTo(200);
      AgentClient agent = new AgentClient(app, "acme", "limited-agent");
      assertThat(agent.register("limited", 1).status()).isEqualTo(201);
      assertThat(agent.heartbeatSelf().status()).as("agent traffic").isEqualTo(200);
      TestApp.eventually(java.time.Duration.ofSeconds(5), "the bucket refills",
          () -> app.http().post("/api/v1/tasks", busy, new JsonObject().put("type", "limited")).status() == 202);
      assertThat(app.http().get("/metrics", null).text()).contains("arbiter_http_rate_limited_total");
    }
  }

  @Test
  @DisplayName("an address that keeps failing authentication is blocked, valid tokens included, told for how long, "
      + "and answered only after the refusal delay")
  void failingAuthenticationBlocksTheAddress() {
    try (TestApp app = TestApp.start(Map.of("auth.failuresPerMinute", 3, "auth.blockSeconds", 30,
        "http.refusalDelayMs", 400))) {
      String valid = app.tokens().admin("acme");
      assertThat(app.http().get("/api/v1/agents", valid).status()).isEqualTo(200);
      for (int i = 0; i < 3; i++) {
        assertProblem(app.http().get("/api/v1/agents", "not-a-token-" + i), Failure.UNAUTHORIZED);
      }
      Http.Reply blocked = app.http().get("/api/v1/agents", valid);
      assertThat(assertProblem(blocked, Failure.RATE_LIMITED).getString("detail"))
          .contains("too many failed authentications");
      assertThat(Long.parseLong(blocked.header("Retry-After"))).isBetween(1L, 30L);
      assertThat(java.time.Duration.ofNanos(blocked.elapsedNanos())).as("the refusal waits http.refusalDelayMs")
          .isGreaterThanOrEqualTo(java.time.Duration.ofMillis(400));
      assertThat(app.http().get("/health/live", null).status()).as("health stays open").isEqualTo(200);
    }
  }

  @Test
  @DisplayName("one address over its rate gets 429 whoever it calls as")
  void anAddressOverItsRateIsRefused() {
    try (TestApp app = TestApp.start(Map.of("http.rate.addressPerSecond", 3))) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        statuses.add(app.http().get("/api/v1/tasks", app.tokens().of("acme", Role.AUDITOR, "reader-" + i)).status());
      }
      assertThat(statuses).contains(200, 429);
    }
  }
}
