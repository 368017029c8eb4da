package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.Awaitility;

/**
 * The fat jar started as a child process the way {@code FatJarIT} starts it: {@code java -jar target/arbiter.jar} in
 * dev mode on its embedded PostgreSQL, with a fresh data directory, free ports and a generated JWT secret; ready when
 * {@code GET /health/ready} answers 200. {@link #close()} stops it (SIGTERM, so the embedded database stops too).
 */
public final class ArbiterProcess implements AutoCloseable {

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  final Path dataDir;
  final int httpPort;
  final int pgPort;
  final String jwtSecret;
  private final Process process;
  private Duration startup = Duration.ZERO;
  private final Thread hook;

  private ArbiterProcess(Path dataDir, int httpPort, int pgPort, String jwtSecret, Process process, Thread hook) {
    this.dataDir = dataDir;
    this.httpPort = httpPort;
    this.pgPort = pgPort;
    this.jwtSecret = jwtSecret;
    this.process = process;
    this.hook = hook;
  }

  /** From starting the process to {@code /health/ready} = 200. */
  Duration startup() {
    return startup;
  }

  /** The server JVM's process id (the fat jar runs in the started process itself). */
  long pid() {
    return process.pid();
  }

  /** The settings the server signs and checks tokens with: HS256 with its secret, no issuer or audience. */
  ArbiterConfig.Auth auth() {
    return new ArbiterConfig.Auth(jwtSecret, "", "", 5);
  }

  String baseUrl() {
    return "http://localhost:" + httpPort;
  }

  /** The embedded database as Arbiter itself reaches it (user and database {@code postgres}, no password). */
  String dbUrl() {
    return "postgresql://postgres@localhost:" + pgPort + "/postgres";
  }

  /**
   * After a failure: null if the server still runs {@code grace} later; otherwise how it ended (143: SIGTERM, 137:
   * SIGKILL, from outside the benchmark).
   */
  String exited(Duration grace) throws InterruptedException {
    return process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)
        ? "the Arbiter process exited with status " + process.exitValue() : null;
  }

  Path log() {
    return dataDir.resolve("server.out");
  }

  /**
   * A server with the given data directory, port and secret (a restart reuses them) and extra {@code ARBITER_*}
   * settings, e.g. {@code ARBITER_DB_URL} for an external database.
   */
  static ArbiterProcess start(Path jar, List<String> javaOptions, Duration readyTimeout, Path dataDir, int httpPort,
                              String secret, Map<String, String> settings) throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: build it with mvn -B -DskipTests package");
    }
    int pgPort = freePort();
    Path log = dataDir.resolve("server.out");

    ProcessBuilder builder = new ProcessBuilder(
        Stream.concat(Stream.concat(Stream.of("java"), javaOptions.stream()), Stream.of("-jar", jar.toAbsolutePath().toString()))
            .toList())
        // run from the data directory: each jar reads its own bundled defaults, not a conf/ file written for a
        // different build (comparing builds with --jar would otherwise fail on a setting one of them lacks)
        .directory(dataDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // settings inherited from the caller's shell (ARBITER_DB_URL, ARBITER_MODE, ...) would change what is measured
    builder.environment().keySet().removeIf(name -> name.startsWith("ARBITER_"));
    builder.environment().putAll(Map.of(
        "ARBITER_DATA_DIR", dataDir.toString(),
        "ARBITER_HTTP_PORT", Integer.toString(httpPort),
        "ARBITER_DB_EMBEDDED_PORT", Integer.toString(pgPort),
        "ARBITER_AUTH_JWT_SECRET", secret,
        "ARBITER_LOG_LEVEL", "WARN"));
    builder.environment().putAll(settings);
    long started = System.nanoTime();
    Process process = builder.start();
    // Ctrl-C or an uncaught error still stops the server (and with it the embedded database).
    Thread hook = new Thread(() -> stop(process), "arbiter-bench-stop-server");
    Runtime.getRuntime().addShutdownHook(hook);
    ArbiterProcess server = new ArbiterProcess(dataDir, httpPort, pgPort, secret, process, hook);
    try {
      awaitReady(process, httpPort, log, readyTimeout);
    } catch (Exception e) {
      server.close();
      throw e;
    }
    server.startup = Duration.ofNanos(System.nanoTime() - started);
    return server;
  }

  /** Waits until {@code process}, serving on {@code port}, answers ready; fails with the tail of {@code log}. */
  public static void awaitReady(Process process, int port, Path log, Duration timeout) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(5)).build();
    try {
      Awaitility.await("Arbiter ready").atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("Arbiter exited with " + process.exitValue() + " before it was ready:\n"
                  + tail(log, 40));
            }
            try {
              return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
              return false;
            }
          });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("Arbiter was not ready within " + timeout.toSeconds() + " s:\n" + tail(log, 40));
    }
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stop(process);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  /** SIGKILL: the process gets no chance to clean up (its embedded database, if any, is left running). */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  /** Deletes the data directory (the embedded database and the server log). */
  void deleteDataDir() throws IOException {
    try (Stream<Path> paths = Files.walk(dataDir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String randomSecret(int length) {
    SecureRandom random = new SecureRandom();
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
