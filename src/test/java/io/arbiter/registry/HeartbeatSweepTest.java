package io.arbiter.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp({"registry.heartbeatWindowMs=1000", "registry.sweepIntervalMs=100", "tasks.claimPollMs=100"})
@ExtendWith(VertxExtension.class)
@DisplayName("Agents that miss heartbeats go offline and come back when they heartbeat again")
class HeartbeatSweepTest {

  @ArbiterApp.Inject private static TestApp app;

  @Test
  @DisplayName("a missed heartbeat makes the agent offline, audited, and a heartbeat brings it back")
  void missedHeartbeatMakesAgentOffline() {
    Http http = app.http();
    String admin = app.tokens().admin("acme");
    String agent = app.tokens().agent("acme", "quiet-1");
    assertThat(http.post("/api/v1/agents", agent, Agents.registration("quiet-1")).status()).isEqualTo(201);

    TestApp.eventually(Duration.ofSeconds(10), "quiet-1 is offline",
        () -> "offline".equals(http.get("/api/v1/agents/quiet-1", admin).json().getString("status")));
    TestApp.eventually(Duration.ofSeconds(5), "the sweep is audited", () -> app.sql(
        "SELECT 1 FROM audit_log WHERE action = 'agent.offline' AND target = 'agent:quiet-1' AND tenant_id = 'acme'")
        .size() == 1);

    Http.Reply back = http.post("/api/v1/agents/quiet-1/heartbeat", agent, null);
    assertThat(back.status()).isEqualTo(200);
    assertThat(back.json().getString("status")).isEqualTo("available");
    TestApp.eventually(Duration.ofSeconds(5), "the return is audited", () -> app.sql(
        "SELECT 1 FROM audit_log WHERE action = 'agent.online' AND target = 'agent:quiet-1'").size() == 1);
  }

  @Test
  @DisplayName("an agent that keeps long-polling for work counts as alive and stays available")
  void claimingCountsAsAlive() {
    Http http = app.http();
    io.arbiter.support.AgentClient poller = new io.arbiter.support.AgentClient(app, "acme", "poller-1");
    assertThat(poller.register("code-editing", 1).status()).isEqualTo(201);
    long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    while (System.nanoTime() < until) {
      assertThat(poller.claim(2, 1)).isEmpty();
    }
    assertThat(http.get("/api/v1/agents/poller-1", app.tokens().admin("acme")).json().getString("status"))
        .isEqualTo("available");
  }
}
