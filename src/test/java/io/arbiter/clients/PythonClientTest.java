package io.arbiter.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Python SDK ({@code clients/python}) as its users run it: its {@code unittest} suite as a real {@code python3}
 * process against a real server, and its dataclasses against the contract's schemas. Without {@code python3} these
 * tests fail and say so ({@code .ci/run} installs it); they never skip.
 */
@DisplayName("The Python SDK")
class PythonClientTest {

  private static final Path SDK = Path.of("clients/python");
  private static final String TENANT = "py";
  private static final String AGENT = "py-agent";
  /** The agent of the repository's README, which registers for code-review. */
  private static final String README_AGENT = "py-readme-agent";
  private static final long SUITE_TIMEOUT_SECONDS = 300;

  /** The contract's schemas that the SDK mirrors as dataclasses ({@code arbiter_client.models.CONTRACT_SCHEMAS}). */
  private static final List<String> MIRRORED = List.of("TaskSubmission", "Task", "Delivery", "Result", "Dependency",
      "ParentResult");

  @Test
  @DisplayName("passes its unittest suite against a real Arbiter: agent and client, retries, cancels, waits, errors")
  void passesItsUnittestSuiteAgainstARealArbiter() {
    try (TestApp app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100,
        "tasks.leaseMs", 3000, "tasks.rescueIntervalMs", 100, "tasks.backoffBaseMs", 10, "tasks.backoffCapMs", 50))) {
      Run run = python(Map.of(
              "ARBITER_URL", "http://127.0.0.1:" + app.arbiter().port(),
              "ARBITER_ADMIN_TOKEN", app.tokens().admin(TENANT),
              "ARBITER_AGENT_ID", AGENT,
              "ARBITER_AGENT_TOKEN", app.tokens().agent(TENANT, AGENT),
              "ARBITER_README_AGENT_ID", README_AGENT,
              "ARBITER_README_AGENT_TOKEN", app.tokens().agent(TENANT, README_AGENT)),
          "-m", "unittest", "discover", "-s", SDK.resolve("tests").toString(), "-v");
      assertThat(run.exit()).as("python3 -m unittest exited with %d:%n%s", run.exit(), run.output()).isZero();
      assertThat(run.output()).contains("OK").doesNotContain("skipped");
    }
  }

  @Test
  @DisplayName("declares, for each schema it mirrors, exactly the contract's properties")
  void dataclassesDeclareExactlyTheContractsProperties() {
    Run run = python(Map.of(), "-c",
        "import json, arbiter_client; print(json.dumps(arbiter_client.contract_fields()))");
    assertThat(run.exit()).as("python3 -c exited with %d:%n%s", run.exit(), run.output()).isZero();
    JsonObject declared = new JsonObject(run.output().strip());
    assertThat(declared.fieldNames()).containsExactlyInAnyOrderElementsOf(MIRRORED);

    Vertx vertx = Vertx.vertx();
    try {
      JsonObject schemas = TestApp.await(OpenAPIContract.from(vertx, "openapi/arbiter.yaml")).getRawContract()
          .getJsonObject("components").getJsonObject("schemas");
      for (String schema : MIRRORED) {
        Set<String> contract = new TreeSet<>(schemas.getJsonObject(schema).getJsonObject("properties").fieldNames());
        Set<String> sdk = new TreeSet<>(declared.getJsonArray(schema).stream().map(String.class::cast).toList());
        assertThat(sdk).as("the SDK's fields of %s (clients/python/arbiter_client/models.py) against the contract's",
            schema).isEqualTo(contract);
      }
    } finally {
      TestApp.await(vertx.close());
    }
  }

  private record Run(int exit, String output) {}

  /** Runs {@code python3} with {@code args} in the repository root, the SDK on its path, and waits for it. */
  private static Run python(Map<String, String> env, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    try {
      Path output = Files.createTempFile("python-client", ".log");
      try {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile());
        builder.environment().put("PYTHONPATH", SDK.toAbsolutePath().toString());
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().putAll(env);
        Process process;
        try {
          process = builder.start();
        } catch (IOException e) {
          throw new AssertionError("could not start python3 (install Python 3.9+; .ci/run does): " + e, e);
        }
        process.getOutputStream().close();
        if (!process.waitFor(SUITE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
          throw new AssertionError("python3 " + String.join(" ", args) + " ran past " + SUITE_TIMEOUT_SECONDS
              + " s:\n" + Files.readString(output, StandardCharsets.UTF_8));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println("[python] " + text.replace("\n", "\n[python] "));
        return new Run(process.exitValue(), text);
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while python3 ran", e);
    }
  }
}
