package io.arbiter.support;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The PostgreSQL server of the test run, chosen once: {@code ARBITER_TEST_DB_URL} when set (its user needs
 * CREATEDB), else Testcontainers when a Docker engine answers, else an embedded PostgreSQL 17. Never a skip: if none
 * can start, every database test fails. Each call to {@link #freshDatabaseUrl()} creates a new, empty database, so
 * that every test class owns its data.
 */
public final class TestDatabase {
  private TestDatabase() {}

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static Server server;

  private record Server(String kind, String host, int port, String user, String password, String adminDatabase) {
    String jdbc(String database) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    String url(String database) {
      return "postgresql://" + user + (password.isEmpty() ? "" : ":" + password) + "@" + host + ":" + port + "/"
          + database;
    }
  }

  /** Which server the run uses: {@code env}, {@code testcontainers} or {@code embedded}. */
  public static synchronized String kind() {
    return server().kind();
  }

  /** A {@code postgresql://} URL of a new, empty database. */
  public static String freshDatabaseUrl() {
    Server s = server();
    String name = "arbiter_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection(s.jdbc(s.adminDatabase()), s.user(), s.password());
         Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name + " on the " + s.kind() + " server: "
          + e.getMessage(), e);
    }
    return s.url(name);
  }

  private static synchronized Server server() {
    if (server == null) {
      server = start();
    }
    return server;
  }

  private static Server start() {
    String fromEnv = System.getenv("ARBITER_TEST_DB_URL");
    if (fromEnv != null && !fromEnv.isBlank()) {
      PgConnectOptions o = PgConnectOptions.fromUri(fromEnv);
      return new Server("env", o.getHost(), o.getPort(), o.getUser(), o.getPassword() == null ? "" : o.getPassword(),
          o.getDatabase());
    }
    if (dockerAnswers()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17");
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      return new Server("testcontainers", container.getHost(), container.getFirstMappedPort(), container.getUsername(),
          container.getPassword(), container.getDatabaseName());
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (IOException ignored) {
          // the JVM is going away
        }
      }));
      return new Server("embedded", "localhost", embedded.getPort(), "postgres", "", "postgres");
    } catch (IOException e) {
      throw new UncheckedIOException("no test database: no ARBITER_TEST_DB_URL, no Docker engine, and the embedded "
          + "PostgreSQL did not start", e);
    }
  }

  private static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | Error e) {
      return false;
    }
  }
}
