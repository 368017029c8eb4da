package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.BridgeClient;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp("http.bridgeAuthTimeoutMs=500")
@ExtendWith(VertxExtension.class)
@DisplayName("Event-bus bridge sockets authenticate in time and end with their token")
class BridgeAuthTest {

  private static final String TENANT = "bridge-auth";
  @ArbiterApp.Inject private static TestApp app;
  private static Vertx vertx;

  @BeforeAll
  static void clientAndAgent() {
    vertx = Vertx.vertx();
    assertThat(app.http().post("/api/v1/agents", app.tokens().admin(TENANT), Agents.registration("brief"))
        .status()).isEqualTo(201);
  }

  @AfterAll
  static void closeClient() {
    TestApp.await(vertx.close());
  }

  @Test
  @DisplayName("a socket that sends no frame with a valid agent token is closed after http.bridgeAuthTimeoutMs")
  void socketsWithoutAValidTokenAreClosed() {
    try (BridgeClient silent = BridgeClient.connect(vertx, app.arbiter().port());
         BridgeClient forged = BridgeClient.connect(vertx, app.arbiter().port())) {
      forged.register("arbiter.agent.brief.tasks", "not-a-token");
      TestApp.eventually(Duration.ofSeconds(5), "both sockets are closed", () -> silent.isClosed() && forged.isClosed());
      assertThat(silent.closeStatus()).isEqualTo((short) 4401);
      assertThat(forged.closeStatus()).isEqualTo((short) 4401);
    }
  }

  @Test
  @DisplayName("an authenticated socket outlives the deadline and is closed when its token expires")
  void authenticatedSocketsCloseAtTheirTokensExpiry() {
    try (BridgeClient agent = BridgeClient.connect(vertx, app.arbiter().port())) {
      agent.register("arbiter.agent.brief.tasks", app.tokens().lasting(TENANT, Role.AGENT, "brief",
          Duration.ofSeconds(3)));
      long started = System.nanoTime();
      TestApp.eventually(Duration.ofSeconds(10), "the socket is closed at the token's expiry", agent::isClosed);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("open past the 500 ms deadline")
          .isGreaterThan(Duration.ofMillis(1500));
      assertThat(agent.closeStatus()).isEqualTo((short) 4403);
    }
  }
}
