package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bench.ArbiterProcess;
import io.arbiter.support.ExpectedJson;
import io.arbiter.support.Walkthrough;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fat jar as a newcomer runs it: {@code java -jar target/arbiter.jar} with no settings but a free port and a
 * temporary data directory, then the README's walkthrough run by bash, word for word (only the port differs), its
 * outputs checked against those the README shows.
 */
@DisplayName("java -jar target/arbiter.jar and the README walkthrough")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FatJarIT {

  private static final Path JAR = Path.of(System.getProperty("arbiter.jar", "target/arbiter.jar"));
  private static final Path DASHBOARD = Path.of("compose/grafana/dashboards/arbiter.json");
  private static final Path ALERTS = Path.of("compose/prometheus/alerts.yml");
  private static final Pattern METRIC_NAME =
      Pattern.compile("(?<![A-Za-z0-9_])((?:arbiter|vertx|jvm|process|system)_[A-Za-z0-9_]{1,200})");
  private static Path dataDir;
  private static int port;
  private static int pgPort;
  private static Process server;

  @BeforeAll
  static void prepare() throws IOException {
    dataDir = Files.createTempDirectory("arbiter-fatjar");
    port = freePort();
    pgPort = freePort();
  }

  @AfterAll
  static void stop() throws Exception {
    stopServer();
  }

  @Test
  @Order(1)
  @DisplayName("starts in dev mode on the embedded database and is ready within 20 s")
  void startsReady() throws Exception {
    Duration ready = startServer();
    System.out.printf("MEASURED first start to ready: %d ms; jar size: %.1f MB%n", ready.toMillis(),
        Files.size(JAR) / 1e6);
    assertThat(ready).isLessThan(Duration.ofSeconds(20));
    assertThat(Files.readString(dataDir.resolve("server.out"))).contains("Mint a token:")
        .as("the start-up line names the embedded database's address")
        .contains("database embedded postgresql://postgres@localhost:" + pgPort + "/postgres)");
  }

  @Test
  @Order(2)
  @DisplayName("the README walkthrough prints what the README shows, run twice in a row on the same server")
  void readmeWalkthroughWorks() throws Exception {
    Walkthrough walkthrough = Walkthrough.fromReadme(Path.of("README.md"));
    for (int run = 1; run <= 2; run++) {
      String output = runWalkthrough(walkthrough);
      List<String> outputs = Walkthrough.outputs(output);
      assertThat(outputs).as("run %d printed one output per step:%n%s", run, output)
          .hasSize(walkthrough.steps().size());
      for (int i = 0; i < outputs.size(); i++) {
        Walkthrough.Step step = walkthrough.steps().get(i);
        if (step.text()) {
          assertThat(step.printsText(outputs.get(i))).as("run %d, %s%nprinted:%n%s%nexpected:%n%s", run, step.title(),
              outputs.get(i), step.expected()).isTrue();
          continue;
        }
        List<String> mismatches = ExpectedJson.mismatches(step.expectedValues(), ExpectedJson.values(outputs.get(i)));
        assertThat(mismatches).as("run %d, %s%nprinted:%n%s", run, step.title(), outputs.get(i)).isEmpty();
      }
    }
  }

  /** The walkthrough's steps as one bash script, word for word but for the port; its output. */
  private static String runWalkthrough(Walkthrough walkthrough) throws Exception {
    Process bash = withEnv(new ProcessBuilder("bash", "-euo", "pipefail", "-c", walkthrough.script(port))
        .redirectErrorStream(true)).start();
    assertThat(bash.waitFor(120, TimeUnit.SECONDS)).as("the walkthrough finishes").isTrue();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.exitValue()).as(output).isZero();
    return output;
  }

  @Test
  @Order(3)
  @DisplayName("every metric a Grafana panel or a Prometheus alert rule names is exported once work has gone through")
  void dashboardAndAlertsNameExportedMetrics() throws Exception {
    HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://localhost:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    Set<String> exported = new HashSet<>();
    exported.addAll(scrape.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toSet()));
    // a histogram is also named by its base name (arbiter_tasks_wait_seconds for its _bucket, _count and _sum series)
    exported.addAll(exported.stream().filter(name -> name.endsWith("_bucket"))
        .map(name -> name.substring(0, name.length() - "_bucket".length())).toList());
    Map<String, Set<String>> named = new TreeMap<>();
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets", new JsonArray())) {
        named.computeIfAbsent(DASHBOARD + ", panel " + ((JsonObject) panel).getString("title"), k -> new TreeSet<>())
            .addAll(metricNames(((JsonObject) target).getString("expr")));
      }
    }
    named.put(ALERTS.toString(), metricNames(Files.readString(ALERTS)));
    assertThat(named.get(ALERTS.toString())).as("the alert rules name metrics").isNotEmpty();
    named.forEach((where, names) -> assertThat(exported).as("%s names metrics that /metrics exports", where)
        .containsAll(names));
  }

  /** The metric names in a PromQL expression or a rules file: Arbiter's, Vert.x's, the JVM's and the process's. */
  private static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher name = METRIC_NAME.matcher(text);
    while (name.find()) {
      names.add(name.group(1));
    }
    return names;
  }

  @Test
  @Order(4)
  @DisplayName("a restart on the same data directory keeps the agents and the dev secret")
  void restartKeepsData() throws Exception {
    stopServer();
    Duration ready = startServer();
    System.out.printf("MEASURED restart to ready: %d ms%n", ready.toMillis());
    Process token = withEnv(new ProcessBuilder("java", "-jar", JAR.toString(), "token", "--tenant", "acme",
        "--role", "admin", "--sub", "alice")).start();
    assertThat(token.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String jwt = new String(token.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    HttpResponse<String> agent = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://localhost:" + port + "/api/v1/agents/coder-1"))
        .header("Authorization", "Bearer " + jwt).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(agent.statusCode()).as(agent.body()).isEqualTo(200);
  }

  @Test
  @Order(5)
  @DisplayName("a second java -jar on the same port, or on the same data directory, fails at once with one line")
  void secondInstanceFailsWithOneLine() throws Exception {
    Path otherDir = Files.createTempDirectory("arbiter-fatjar-second");
    String samePort = runSecond(Map.of("ARBITER_DATA_DIR", otherDir.toString(), "ARBITER_HTTP_PORT",
        Integer.toString(port), "ARBITER_DB_EMBEDDED_PORT", Integer.toString(freePort())));
    assertThat(samePort.lines()).as(samePort).containsExactly("arbiter: failed to start: http.port " + port
        + " on 0.0.0.0 is already in use (another Arbiter?): stop it or set ARBITER_HTTP_PORT to another port");
    assertThat(otherDir).isEmptyDirectory();

    String sameDir = runSecond(Map.of("ARBITER_DATA_DIR", dataDir.toString(), "ARBITER_HTTP_PORT",
        Integer.toString(freePort()), "ARBITER_DB_EMBEDDED_PORT", Integer.toString(freePort())));
    assertThat(sameDir.lines()).as(sameDir).containsExactly("arbiter: failed to start: another Arbiter (pid "
        + server.pid() + ") is using " + dataDir + ": stop it or set ARBITER_DATA_DIR to another directory");
  }

  /** Starts a second server with {@code env}, waits for it to give up, and returns what it printed. */
  private static String runSecond(Map<String, String> env) throws Exception {
    long started = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", JAR.toString()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process second = builder.start();
    String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second server gives up").isTrue();
    assertThat(second.exitValue()).as(output).isEqualTo(1);
    System.out.printf("MEASURED second instance refused in: %d ms%n", (System.nanoTime() - started) / 1_000_000);
    return output;
  }

  private static ProcessBuilder withEnv(ProcessBuilder builder) {
    builder.environment().putAll(env());
    return builder;
  }

  private static Map<String, String> env() {
    return Map.of("ARBITER_DATA_DIR", dataDir.toString(), "ARBITER_HTTP_PORT", Integer.toString(port),
        "ARBITER_DB_EMBEDDED_PORT", Integer.toString(pgPort));
  }

  private static Duration startServer() throws Exception {
    long started = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", JAR.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.out").toFile()));
    server = withEnv(builder).start();
    ArbiterProcess.awaitReady(server, port, dataDir.resolve("server.out"), Duration.ofSeconds(60));
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private static void stopServer() throws InterruptedException {
    if (server != null && server.isAlive()) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
