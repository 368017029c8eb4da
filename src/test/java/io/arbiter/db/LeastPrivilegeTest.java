package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.TestApp;
import io.arbiter.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Migrations as the schema's owner, the service as a role that only reads and appends the audit trail, and "
    + "archives it only through arbiter_archive_audit")
class LeastPrivilegeTest {

  @Test
  @DisplayName("with db.migrateUrl the service runs a task end to end and records how far the chain verified, and its "
      + "role cannot change or delete audit records or the schema, but archives old sealed records of purged tasks "
      + "through the owner's function")
  void serviceRoleMayOnlyAppendToTheAuditTrail() throws Exception {
    String ownerUrl = TestDatabase.freshDatabaseUrl();
    String role = "arbiter_service_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    PgConnectOptions owner = PgConnectOptions.fromUri(ownerUrl);
    try (Connection c = jdbc(owner, owner.getUser(), owner.getPassword()); Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'service-pw'");
    }
    String serviceUrl = "postgresql://" + role + ":service-pw@" + owner.getHost() + ":" + owner.getPort() + "/"
        + owner.getDatabase();

    try (TestApp app = TestApp.start(Map.of("db.url", serviceUrl, "db.migrateUrl", ownerUrl))) {
      AgentClient agent = new AgentClient(app, "least", "worker");
      assertThat(agent.register("privileged", 1).status()).isEqualTo(201);
      String id = app.http().post("/api/v1/tasks", app.tokens().of("least", Role.SUBMITTER, "c"),
          new JsonObject().put("type", "privileged")).json().getString("id");
      TestApp.eventually(Duration.ofSeconds(10), "delivery", () -> !agent.claim(0, 1).isEmpty());
      assertThat(agent.ack(id, 1).status()).isEqualTo(200);
      assertThat(agent.result(id, 1, "succeeded").status()).isEqualTo(200);
      TestApp.eventually(Duration.ofSeconds(10), "every record is sealed",
          () -> app.sql(TestApp.UNSEALED).iterator().next().getLong(0) == 0);
      JsonObject verified = app.http().get("/api/v1/audit/verify", app.tokens().of("least", Role.PLATFORM, "p"))
          .json();
      assertThat(verified.getBoolean("ok")).as(verified.encode()).isTrue();
    }

    try (Connection c = jdbc(owner, role, "service-pw"); Statement st = c.createStatement()) {
      assertThat(st.executeQuery("SELECT count(*) FROM audit_log WHERE target LIKE 'task:%'")).satisfies(rs -> {
        rs.next();
        assertThat(rs.getLong(1)).isPositive();
      });
      assertThat(st.executeQuery("SELECT count(*) FROM audit_verified")).as("the verification moved its checkpoint")
          .satisfies(rs -> {
            rs.next();
            assertThat(rs.getLong(1)).isOne();
          });
      st.execute("SET arbiter.audit_archiving = 'on'");
      for (String change : new String[] {"UPDATE audit_log SET outcome = 'success'", "DELETE FROM audit_seals",
          "TRUNCATE audit_log", "DELETE FROM audit_log", "DELETE FROM flyway_schema_history",
          "DELETE FROM audit_verified", "TRUNCATE audit_verified",
          "INSERT INTO audit_checkpoints (seal_id, last_id, hash, records, archived, horizon) "
              + "VALUES (1, 1, decode(repeat('00', 32), 'hex'), 1, 1, now())",
          "CREATE TABLE intruder (id int)", "DROP TABLE tasks"}) {
        assertThatThrownBy(() -> st.execute(change)).as(change).isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(change).isIn("42501"));
      }
      assertThatThrownBy(() -> st.execute("SELECT * FROM arbiter_archive_audit(now(), 1000)"))
          .as("a horizon less than a day old").isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22023"));
      assertThat(st.executeQuery("SELECT * FROM arbiter_archive_audit(now() - interval '2 days', 1000)").next())
          .as("nothing is old enough to archive").isFalse();
      assertThat(st.executeQuery("SELECT * FROM arbiter_archive_audit(NULL, 1000)").next())
          .as("no horizon archives nothing").isFalse();
      assertThat(st.executeQuery("SELECT count(*) FROM audit_checkpoints")).satisfies(rs -> {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      });
    }

    try (Connection c = jdbc(owner, owner.getUser(), owner.getPassword()); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_append_only");
      st.execute("UPDATE audit_seals SET first_at = first_at - interval '100 days', "
          + "last_at = last_at - interval '100 days'");
      st.execute("ALTER TABLE audit_seals ENABLE TRIGGER audit_seals_append_only");
    }
    try (Connection c = jdbc(owner, role, "service-pw"); Statement st = c.createStatement()) {
      st.execute("DELETE FROM tasks");
      assertThat(st.executeQuery("SELECT * FROM arbiter_archive_audit(now() - interval '2 days', 1000)"))
          .as("the service archives through the function").satisfies(rs -> {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong("records")).isPositive();
          });
      assertThat(st.executeQuery("SELECT count(*) FROM audit_log WHERE target LIKE 'task:%'")).satisfies(rs -> {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      });
    }
  }

  private static Connection jdbc(PgConnectOptions at, String user, String password) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + at.getHost() + ":" + at.getPort() + "/"
        + at.getDatabase(), user, password);
  }
}
