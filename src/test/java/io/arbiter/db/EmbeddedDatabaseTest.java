package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded database of dev mode")
class EmbeddedDatabaseTest {

  @Test
  @DisplayName("flushes every commit to disk: fsync and synchronous_commit are on")
  void commitsAreDurable(@TempDir Path dataDir) throws Exception {
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0);
         Connection connection = DriverManager.getConnection(
             "jdbc:postgresql://localhost:" + database.port() + "/postgres", "postgres", "");
         Statement statement = connection.createStatement()) {
      assertThat(setting(statement, "fsync")).isEqualTo("on");
      assertThat(setting(statement, "synchronous_commit")).isEqualTo("on");
      assertThat(Files.isDirectory(dataDir.resolve("pg"))).isTrue();
    }
  }

  private static String setting(Statement statement, String name) throws Exception {
    try (ResultSet rows = statement.executeQuery("SHOW " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
