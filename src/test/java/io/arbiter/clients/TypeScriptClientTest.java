package io.arbiter.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.ContractMirror;
import io.arbiter.support.Processes;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript SDK ({@code clients/typescript}) as its users run it: built with {@code tsc} ({@code npm run build}),
 * its {@code node --test} suite against a real server, and its contract interfaces against the contract's schemas.
 * Its dependencies must be installed ({@code npm ci} there; {@code .ci/run} does): without them, or without Node.js,
 * these tests fail and say so; they never skip.
 */
@DisplayName("The TypeScript SDK")
class TypeScriptClientTest {

  static final Path SDK = Path.of("clients/typescript");
  private static final String TENANT = "ts";
  private static final String AGENT = "ts-agent";
  private static final String BRIDGE_AGENT = "ts-bridge-agent";
  private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(5);

  /** The contract's schemas that the SDK mirrors as interfaces ({@code @contract} in {@code src/models.ts}). */
  private static final List<String> MIRRORED = List.of("TaskSubmission", "Task", "Delivery", "Result", "Dependency",
      "ParentResult", "Transition", "Requirements", "Budget", "Gates", "WorkflowNode", "Lease");

  @BeforeAll
  static void build() {
    built();
  }

  /** Builds the SDK with its pinned {@code tsc}, once its dependencies are there; fails otherwise. */
  static void built() {
    assertThat(SDK.resolve("node_modules/typescript")).as("the SDK's dependencies are installed: run npm ci in %s "
        + "(.ci/run does)", SDK).exists();
    Processes.Run build = node(Map.of(), Duration.ofMinutes(2), "npm", "run", "build");
    assertThat(build.exit()).as("npm run build exited with %d:%n%s", build.exit(), build.output()).isZero();
  }

  @Test
  @DisplayName("passes its node --test suite against a real Arbiter: agents over REST and the bridge, client, errors")
  void passesItsNodeTestSuiteAgainstARealArbiter() {
    try (TestApp app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100,
        "tasks.leaseMs", 3000, "tasks.rescueIntervalMs", 100, "tasks.backoffBaseMs", 10, "tasks.backoffCapMs", 50))) {
      Processes.Run run = node(Map.of(
              "ARBITER_URL", "http://127.0.0.1:" + app.arbiter().port(),
              "ARBITER_ADMIN_TOKEN", app.tokens().admin(TENANT),
              "ARBITER_AGENT_ID", AGENT,
              "ARBITER_AGENT_TOKEN", app.tokens().agent(TENANT, AGENT),
              "ARBITER_BRIDGE_AGENT_ID", BRIDGE_AGENT,
              "ARBITER_BRIDGE_AGENT_TOKEN", app.tokens().agent(TENANT, BRIDGE_AGENT)),
          SUITE_TIMEOUT, "node", "--test", "--test-concurrency=1", "test/");
      assertThat(run.exit()).as("node --test exited with %d:%n%s", run.exit(), run.output()).isZero();
      assertThat(run.output()).contains("# fail 0").contains("# skipped 0").doesNotContain("# pass 0");
    }
  }

  @Test
  @DisplayName("declares, for each schema it mirrors, exactly the contract's properties")
  void interfacesDeclareExactlyTheContractsProperties() {
    Processes.Run run = node(Map.of(), Duration.ofMinutes(1), "node", "scripts/contract-fields.mjs");
    assertThat(run.exit()).as("contract-fields exited with %d:%n%s", run.exit(), run.output()).isZero();
    ContractMirror.assertMirrors(new JsonObject(run.output().strip()), MIRRORED, "clients/typescript/src/models.ts");
  }

  /** Runs a Node.js command in the SDK's directory. */
  static Processes.Run node(Map<String, String> env, Duration timeout, String... command) {
    return Processes.run(SDK, env, timeout, "typescript", "install Node.js 20 and npm; .ci/run does",
        List.of(command));
  }
}
