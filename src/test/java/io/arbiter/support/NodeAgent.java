package io.arbiter.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The JavaScript agent example ({@code examples/js-agent/agent.js}, on the TypeScript SDK's {@code BridgeAgent}) as a
 * real Node.js process. Its stdout lines
 * ({@code CONNECTED …}, {@code ACKED <taskId> <attempt>}, {@code DONE …}) are kept for tests to wait on; stderr goes
 * to the test's own.
 */
public final class NodeAgent implements AutoCloseable {

  public static final Path EXAMPLE = Path.of("examples/js-agent");

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private NodeAgent(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
          System.out.println("[js-agent] " + line);
        }
      } catch (IOException e) {
        lines.add("READ-ERROR " + e);
      }
    }, "js-agent-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Fails, saying what to run, unless the example's dependencies are installed and the SDK it links is built
   * ({@code npm ci} in {@code clients/typescript}, whose {@code prepare} builds it, then in the example; {@code .ci/run}
   * does both).
   */
  public static void assertInstalled() {
    assertThat(EXAMPLE.resolve("node_modules/@arbiter/client/dist/index.js")).as("the example's dependencies are "
        + "installed and the SDK built: run npm ci in clients/typescript, then in %s (.ci/run does)", EXAMPLE).exists();
  }

  /** Starts {@code node agent.js} against {@code app} as {@code agentId} of {@code tenant}, with extra settings. */
  public static NodeAgent start(TestApp app, String tenant, String agentId, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder("node", "agent.js").directory(EXAMPLE.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("ARBITER_URL", "http://127.0.0.1:" + app.arbiter().port());
    builder.environment().put("ARBITER_TOKEN", app.tokens().agent(tenant, agentId));
    builder.environment().put("AGENT_ID", agentId);
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      return new NodeAgent(process);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start node (install Node.js 20+; .ci/run does)", e);
    }
  }

  /** Waits for a line starting with {@code prefix} and returns it. */
  public String awaitLine(Duration timeout, String prefix) {
    String[] found = new String[1];
    TestApp.eventually(timeout, "the js agent prints " + prefix + " (it printed " + lines + ")", () -> {
      found[0] = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
      if (found[0] == null && !process.isAlive()) {
        throw new AssertionError("the js agent exited with " + process.exitValue() + " after printing " + lines);
      }
      return found[0] != null;
    });
    return found[0];
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Kills it at once, as a crash would (no goodbye on the socket). */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
