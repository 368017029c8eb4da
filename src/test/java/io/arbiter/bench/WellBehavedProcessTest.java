package io.arbiter.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The abuse benchmark's well-behaved client in a JVM of its own, against a stand-in for the server. */
class WellBehavedProcessTest {

  private static final String TOKEN = "a-token-for-the-child";

  private final Vertx vertx = Vertx.vertx();
  private HttpServer server;
  private volatile int status = 202;

  @BeforeEach
  void startServer() throws Exception {
    server = TaskBenchmark.await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      boolean submission = request.path().equals("/api/v1/tasks")
          && ("Bearer " + TOKEN).equals(request.getHeader("Authorization"));
      request.response().setStatusCode(submission ? status : 400).end("{}");
    })).listen(0, "127.0.0.1"), 30);
  }

  @AfterEach
  void stopServer() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a phase run by the child process comes back with every submission's latency and the child's evidence")
  void runsAPhaseInAProcessOfItsOwn() throws Exception {
    try (WellBehavedProcess client = WellBehavedProcess.start(server.actualPort(), TOKEN, 20, List.of())) {
      WellBehaved.Phase phase = client.run("alone", 1);

      assertThat(client.where()).startsWith("in a JVM of its own (pid ");
      assertThat(phase.name()).isEqualTo("alone");
      assertThat(phase.seconds()).isEqualTo(1);
      assertThat(phase.latencies()).hasSize(20);
      assertThat(Arrays.stream(phase.latencies()).min().orElseThrow()).isPositive();
      assertThat(phase.slowestAtMs()).isBetween(0L, 2_000L);
      assertThat(phase.tickLateMs()).isGreaterThanOrEqualTo(0);
      assertThat(phase.gc().count()).isGreaterThanOrEqualTo(0);
      assertThat(phase.evidence()).startsWith("  client side: slowest sent at ");
    }
  }

  @Test
  @DisplayName("a submission the server does not accept fails the phase with the server's answer")
  void failsThePhaseOnARefusedSubmission() throws Exception {
    status = 503;
    try (WellBehavedProcess client = WellBehavedProcess.start(server.actualPort(), TOKEN, 20, List.of())) {
      assertThatThrownBy(() -> client.run("alone", 1)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("well-behaved submission answered 503");
    }
  }
}
