package io.arbiter.audit;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.db.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The check at start that the database's transaction counter is ahead of the audit chain's last seal. Seals cover
 * ranges of transaction ids, so a new record must get an id above every sealed range: a logical dump restored into a
 * new PostgreSQL cluster starts the counter low again, and every record written after it would fall inside a sealed
 * range, never be sealed, and make the chain fail verification for good (the highest id of a record not yet sealed
 * counts too). Arbiter refuses to start on such a database and names the repair (raising the counter's epoch with
 * {@code pg_resetwal -e}).
 */
public final class SealCounter {
  private SealCounter() {}

  static final String CHECK = """
      SELECT pg_current_xact_id()::text::bigint AS current,
             greatest((SELECT max(to_txid) FROM audit_seals), (SELECT max(txid) FROM audit_log)) AS sealed
      """;

  /** Throws with an operator's explanation when the counter is not ahead of the last seal; blocking. */
  public static void requireAhead(ArbiterConfig.Db db) throws SQLException {
    try (Connection connection = Database.jdbc(db); Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery(CHECK)) {
      row.next();
      long current = row.getLong("current");
      long sealed = row.getLong("sealed");
      if (!row.wasNull() && current < sealed) {
        throw new IllegalStateException(message(current, sealed));
      }
    }
  }

  static String message(long current, long sealed) {
    return "the database's transaction counter (" + current + ") is behind the audit chain's last seal (" + sealed
        + "): this database was restored from a logical dump into a new PostgreSQL cluster, and audit records "
        + "written now could never be sealed. Stop PostgreSQL and raise its transaction id epoch with "
        + "pg_resetwal -e " + ((sealed >>> 32) + 1) + " before starting Arbiter (docs/runbook.md, Backup and restore)";
  }
}
