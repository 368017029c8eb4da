package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.support.TestConfig;
import io.arbiter.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A database that applied a migration before its comments were reworded still migrates")
class RewordedMigrationsTest {

  @Test
  @DisplayName("the old wording's checksum is taken for the new one; any other change still fails validation")
  void oldWordingMigratesOtherChangesFail() throws Exception {
    ArbiterConfig.Db db = ArbiterConfig.from(TestConfig.defaultsWith(Map.of("db.url",
        TestDatabase.freshDatabaseUrl()))).db();
    Database.migrate(db);
    int current = checksum(db, "6");
    execute(db, "UPDATE flyway_schema_history SET checksum = -356620758 WHERE version = '6'");
    Database.migrate(db);
    assertThat(checksum(db, "6")).as("the reworded checksum replaces the old wording's").isEqualTo(current);

    execute(db, "UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '7'");
    assertThatThrownBy(() -> Database.migrate(db)).hasMessageContaining("checksum");
  }

  private static int checksum(ArbiterConfig.Db db, String version) throws Exception {
    try (Connection c = Database.jdbc(db); Statement st = c.createStatement();
         ResultSet row = st.executeQuery("SELECT checksum FROM flyway_schema_history WHERE version = '" + version
             + "'")) {
      row.next();
      return row.getInt(1);
    }
  }

  private static void execute(ArbiterConfig.Db db, String sql) throws Exception {
    try (Connection c = Database.jdbc(db); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
