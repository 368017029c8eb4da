package io.arbiter.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded PostgreSQL that a test takes away and brings back (same data directory and port), to prove what
 * Arbiter does while its database is gone. Always embedded: a shared server cannot be stopped by one test.
 */
public final class StoppableDatabase implements AutoCloseable {

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres postgres;

  private StoppableDatabase(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  public static StoppableDatabase start() {
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      StoppableDatabase db = new StoppableDatabase(Files.createTempDirectory("arbiter-stoppable-pg"), port);
      db.resume();
      return db;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "postgresql://postgres@localhost:" + port + "/postgres";
  }

  public void stop() {
    try {
      postgres.close();
      postgres = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void resume() {
    try {
      postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server and deletes its data directory (about 40 MB). */
  @Override
  public void close() {
    if (postgres != null) {
      stop();
    }
    Trees.delete(dataDir);
  }
}
