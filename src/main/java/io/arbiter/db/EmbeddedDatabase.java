package io.arbiter.db;

import io.arbiter.config.ArbiterConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The dev-mode database: a real PostgreSQL started by this process from Maven artifacts, its data kept under
 * {@code <dataDir>/pg} between runs. Commits are durable ({@code fsync=on} and {@code synchronous_commit=on}; the
 * library starts PostgreSQL with both off): a task Arbiter has accepted must survive a crash of the machine, in dev
 * mode too.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (or restarts on its existing data) the embedded server; blocking. */
  public static EmbeddedDatabase start(Path dataDir, int port) {
    try {
      Path pgData = dataDir.resolve("pg");
      Files.createDirectories(pgData);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on");
      if (port > 0) {
        builder.setPort(port);
      }
      return new EmbeddedDatabase(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start under " + dataDir + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /** The same database settings with the connection pointed at this server. */
  public ArbiterConfig.Db settings(ArbiterConfig.Db base) {
    return new ArbiterConfig.Db("", "localhost", port(), "postgres", "postgres", "", base.poolSize(),
        base.connectTimeoutMs(), base.embeddedPort(), base.maxWaitQueue());
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
