package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core from
 * {@code src/test/js/dashboard} ({@code .ci/run} installs both; without them this test fails and says how to get
 * them, it never skips).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The dashboard in headless Chromium")
class DashboardTest {

  private static final Path DRIVER = Path.of("src/test/js/dashboard");
  private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");

  @Test
  @DisplayName("shows the agents, and a task submitted on the page appears and finishes there")
  void taskSubmittedOnThePageAppearsAndFinishes() throws Exception {
    assertThat(DRIVER.resolve("node_modules/playwright-core")).as(
        "playwright-core is installed: run npm ci in %s (.ci/run does)", DRIVER).exists();
    assertThat(Path.of(CHROMIUM)).as("Chromium is installed: apt-get install chromium (.ci/run does)").exists();
    try (TestApp app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100))) {
      AgentClient agent = new AgentClient(app, "dash", "dash-agent");
      assertThat(agent.register("code-editing", 2).status()).isEqualTo(201);
      Path screenshot = Path.of("target/dashboard.png").toAbsolutePath();
      Files.deleteIfExists(screenshot);
      ProcessBuilder builder = new ProcessBuilder("node", "drive.mjs").directory(DRIVER.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().putAll(Map.of("BASE_URL", "http://127.0.0.1:" + app.arbiter().port(),
          "TOKEN", app.tokens().of("dash", Role.OPERATOR, "dash-operator"), "SCREENSHOT", screenshot.toString(),
          "CHROMIUM", CHROMIUM, "TASK_TYPE", "code-editing"));
      Process node = builder.start();
      node.getOutputStream().close();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> submitted = CompletableFuture.supplyAsync(() -> lineStartingWith(out, "SUBMITTED "));
        String taskId = submitted.get(60, TimeUnit.SECONDS);
        List<JsonObject> delivered = new java.util.ArrayList<>();
        TestApp.eventually(Duration.ofSeconds(10), "the agent gets the task", () -> delivered.addAll(agent.claim(0, 1)));
        assertThat(delivered.get(0).getString("taskId")).isEqualTo(taskId);
        assertThat(agent.ack(taskId, 1).status()).isEqualTo(200);
        assertThat(agent.result(taskId, new JsonObject().put("attempt", 1).put("outcome", "succeeded")
            .put("quality", 0.9)).status()).isEqualTo(200);
        String finished = CompletableFuture.supplyAsync(() -> lineStartingWith(out, "SUCCEEDED ")).get(60, TimeUnit.SECONDS);
        assertThat(finished).isEqualTo(taskId);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        assertThat(Files.size(screenshot)).as("the screenshot").isPositive();
      } finally {
        node.destroyForcibly();
      }
    }
  }

  private static String lineStartingWith(BufferedReader out, String prefix) {
    try {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length()).trim();
        }
      }
      throw new AssertionError("the browser driver ended without printing " + prefix.trim());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
