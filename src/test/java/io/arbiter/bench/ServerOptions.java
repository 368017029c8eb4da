package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The server under test, as the options every bench command that starts Arbiter shares ({@code --jar},
 * {@code --server-java-opt}, {@code --keep-data}), mixed in with {@code @Mixin}, and their handling: the fat jar
 * started on its embedded PostgreSQL ({@link ArbiterProcess}) with a line saying where it runs, and stopped at the end,
 * its data directory deleted after a clean run. The commands that can also measure an Arbiter already running mix in
 * {@link Running} beside it and {@link #open} either one.
 */
final class ServerOptions {

  @Option(names = "--jar", defaultValue = "target/arbiter.jar",
      description = "the fat jar (default: target/arbiter.jar)")
  Path jar;

  @Option(names = "--server-java-opt",
      description = "a JVM option for the started server (repeatable), e.g. -Xmx1g or -XX:StartFlightRecording=...")
  List<String> serverJavaOptions = new ArrayList<>();

  @Option(names = "--keep-data", description = "keep the started server's data directory and log")
  boolean keepData;

  /** The lines of the server's log printed when a run that was not clean stops it. */
  private static final int LOG_TAIL = 15;

  /**
   * An already running Arbiter and its database, instead of the started jar: {@code --url}, {@code --db-url} and the
   * settings its tokens are signed with.
   */
  static final class Running {

    @Option(names = "--url", description = "an already running Arbiter, e.g. http://localhost:8080 (needs --db-url)")
    String url;

    @Option(names = "--db-url", description = "with --url: its database, postgresql://user:password@host:port/db")
    String dbUrl;

    @Option(names = "--jwt-secret", defaultValue = "${env:ARBITER_AUTH_JWT_SECRET:-}",
        description = "with --url: the server's HS256 secret (default: $ARBITER_AUTH_JWT_SECRET)")
    String jwtSecret;

    @Option(names = "--jwt-issuer", defaultValue = "${env:ARBITER_AUTH_ISSUER:-}", description = "iss for the tokens")
    String jwtIssuer;

    @Option(names = "--jwt-audience", defaultValue = "${env:ARBITER_AUTH_AUDIENCE:-}",
        description = "aud for the tokens")
    String jwtAudience;

    boolean given() {
      return url != null;
    }

    /** What is missing for {@code --url}; empty without it. */
    List<String> problems() {
      List<String> problems = new ArrayList<>();
      if (given() && (dbUrl == null || dbUrl.isBlank())) {
        problems.add("--url needs --db-url (for the timestamps, the checks and the ceiling)");
      }
      if (given() && (jwtSecret == null || jwtSecret.length() < ArbiterConfig.MIN_SECRET_LENGTH)) {
        problems.add("--url needs --jwt-secret (or ARBITER_AUTH_JWT_SECRET) of at least 32 characters");
      }
      return problems;
    }

    private Target target() {
      URI base = URI.create(url.replaceFirst("/+$", "").replaceFirst("/api/v1$", ""));
      System.out.printf("Arbiter at %s, database %s%n", base, maskPassword(dbUrl));
      return new Target(base, dbUrl, new ArbiterConfig.Auth(jwtSecret, jwtIssuer, jwtAudience, 5), null);
    }
  }

  /**
   * The Arbiter a run measures: its base URL, its database, the settings its tokens are signed with, and the process
   * started for it (null for {@code --url}).
   */
  record Target(URI base, String dbUrl, ArbiterConfig.Auth auth, ArbiterProcess process) {}

  /** The running Arbiter when {@code --url} is given, otherwise the fat jar started on its embedded database. */
  Target open(Running running, Duration readyTimeout) throws Exception {
    return open(running, readyTimeout, Map.of());
  }

  /** As {@link #open(Running, Duration)}, the started server with extra {@code ARBITER_*} settings. */
  Target open(Running running, Duration readyTimeout, Map<String, String> settings) throws Exception {
    if (running.given()) {
      return running.target();
    }
    ArbiterProcess server = start(readyTimeout, serverJavaOptions, ArbiterProcess.randomSecret(48), settings);
    return new Target(URI.create(server.baseUrl()), server.dbUrl(), server.auth(), server);
  }

  /** The fat jar on its embedded database, with a fresh data directory, a free port and a new secret. */
  ArbiterProcess start(Duration readyTimeout) throws Exception {
    return start(readyTimeout, serverJavaOptions);
  }

  /** As {@link #start(Duration)}, the server's JVM with {@code defaults} when no {@code --server-java-opt} is given. */
  ArbiterProcess start(Duration readyTimeout, List<String> defaults) throws Exception {
    return start(readyTimeout, serverJavaOptions.isEmpty() ? defaults : serverJavaOptions,
        ArbiterProcess.randomSecret(48), Map.of());
  }

  /**
   * One more server with the given secret and extra {@code ARBITER_*} settings (a node of a cluster: the first node's
   * secret, {@code ARBITER_DB_URL} for its database), a data directory and a port of its own.
   */
  ArbiterProcess start(Duration readyTimeout, String secret, Map<String, String> settings) throws Exception {
    return start(readyTimeout, serverJavaOptions, secret, settings);
  }

  private ArbiterProcess start(Duration readyTimeout, List<String> options, String secret,
                               Map<String, String> settings) throws Exception {
    System.out.printf("starting %s (embedded PostgreSQL)%s ...%n", jar,
        options.isEmpty() ? "" : ", server JVM " + options);
    ArbiterProcess server = ArbiterProcess.start(jar, options, readyTimeout, Files.createTempDirectory("arbiter-bench"),
        ArbiterProcess.freePort(), secret, settings);
    System.out.printf("Arbiter ready in %.1f s at %s (pid %d), database %s, log %s%n",
        server.startup().toMillis() / 1e3, server.baseUrl(), server.pid(), server.dbUrl(), server.log());
    return server;
  }

  /** Stops the server started for {@code target}, if any (see {@link #stop(ArbiterProcess, boolean)}). */
  void stop(Target target, boolean clean) throws Exception {
    if (target != null) {
      stop(target.process(), clean);
    }
  }

  /**
   * Stops {@code server} (null: nothing to stop) and deletes its data directory after a clean run unless
   * {@code --keep-data}; otherwise says where its data and log are, with the end of the log after a run that was not
   * clean.
   */
  void stop(ArbiterProcess server, boolean clean) throws Exception {
    if (server == null) {
      return;
    }
    server.close();
    if (clean && !keepData) {
      server.deleteDataDir();
    } else {
      System.out.println("server data and log kept in " + server.dataDir
          + (clean ? "" : "; the log ends:\n" + ArbiterProcess.tail(server.log(), LOG_TAIL)));
    }
  }

  private static String maskPassword(String url) {
    return url == null ? null : url.replaceFirst("://([^:/@]+):[^@]*@", "://$1:****@");
  }
}
