package io.arbiter.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.ContractMirror;
import io.arbiter.support.Processes;
import io.arbiter.support.Processes.Run;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    ContractMirror.assertMirrors(new JsonObject(run.output().strip()), MIRRORED,
        "clients/python/arbiter_client/models.py");
  }

  /** Runs {@code python3} with {@code args} in the repository root, the SDK on its path, and waits for it. */
  private static Run python(Map<String, String> env, String... args) {
    Map<String, String> environment = new HashMap<>(env);
    environment.put("PYTHONPATH", SDK.toAbsolutePath().toString());
    environment.put("PYTHONDONTWRITEBYTECODE", "1");
    List<String> command = new ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    return Processes.run(Path.of("."), environment, Duration.ofSeconds(SUITE_TIMEOUT_SECONDS), "python",
        "install Python 3.9+; .ci/run does", command);
  }

}
