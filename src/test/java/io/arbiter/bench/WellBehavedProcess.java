package io.arbiter.bench;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The well-behaved client in a JVM of its own: {@code AbuseBenchmark --role well-behaved} started with this JVM's
 * {@code java} and class path, so that it shares neither event loops, heap nor collector with the abusers. Each phase
 * is one line to its standard input and one line of JSON back ({@link WellBehavedClient#serve}); its token travels in
 * its environment, not on its command line. Its standard error is this process's.
 */
final class WellBehavedProcess implements WellBehaved {

  /** The child's environment variable that holds its bearer token. */
  static final String TOKEN_VARIABLE = "BENCH_WELL_BEHAVED_TOKEN";

  private static final Object END = new Object();

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
  private final Thread hook;

  private WellBehavedProcess(Process process) {
    this.process = process;
    this.hook = new Thread(process::destroyForcibly, "arbiter-bench-stop-well-behaved-client");
    Runtime.getRuntime().addShutdownHook(hook);
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readAnswers, "well-behaved-client-output");
    reader.setDaemon(true);
    reader.start();
  }

  static WellBehavedProcess start(int port, String token, int rate, List<String> javaOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), AbuseBenchmark.class.getName(),
        "--role", "well-behaved", "--port", Integer.toString(port), "--rate", Integer.toString(rate)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put(TOKEN_VARIABLE, token);
    return new WellBehavedProcess(builder.start());
  }

  @Override
  public String where() {
    return "in a JVM of its own (pid " + process.pid() + ")";
  }

  @Override
  public Phase run(String name, int seconds) throws Exception {
    commands.write(name + " " + seconds + "\n");
    commands.flush();
    Object answer = lines.poll(seconds + 180L, TimeUnit.SECONDS);
    if (answer == null || answer == END) {
      throw new IllegalStateException("the well-behaved client " + (answer == null ? "did not answer in time"
          : "ended" + (process.isAlive() ? "" : " with status " + process.waitFor())));
    }
    JsonObject json = new JsonObject((String) answer);
    if (json.containsKey("error")) {
      throw new IllegalStateException(json.getString("error"));
    }
    return Phase.fromJson(json);
  }

  private void readAnswers() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("{")) {
          lines.add(line);
        } else {
          System.err.println("[well-behaved client] " + line);
        }
      }
    } catch (java.io.IOException closed) {
      // the process ended
    }
    lines.add(END);
  }

  /** Ends its input, so that it stops, and waits for it (ends it after 30 s). */
  @Override
  public void close() throws Exception {
    try {
      commands.close();
    } catch (java.io.IOException ended) {
      // it has stopped already
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }
}
