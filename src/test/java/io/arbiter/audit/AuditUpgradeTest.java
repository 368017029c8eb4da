package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.Agents;
import io.arbiter.support.TestApp;
import io.arbiter.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A database whose audit records were chained in their own rows, and whose outbox still held an event, upgraded to
 * sealed batches: the first seal follows the last of the old records and the whole chain verifies.
 */
class AuditUpgradeTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  @DisplayName("records chained before seals existed open the chain, the outbox's last event is kept, and it verifies")
  void upgradeKeepsOneVerifiableChain() throws Exception {
    String url = TestDatabase.freshDatabaseUrl();
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    String jdbc = migratedTo(url, "8");

    List<AuditRecord> legacy = new ArrayList<>();
    byte[] prev = AuditChain.genesis();
    Instant at = Instant.parse("2026-01-02T03:04:05.123456Z");
    try (Connection c = DriverManager.getConnection(jdbc, o.getUser(), o.getPassword())) {
      for (long id = 1; id <= 3; id++) {
        AuditRecord r = new AuditRecord(id, at.plusSeconds(id), at.plusSeconds(id), "old", "admin", "admin",
            "agent.registered", "agent:old-" + id, "success", null, null, null, new JsonObject().put("n", id),
            List.of(), null, null).chained(prev);
        prev = r.hash();
        legacy.add(r);
        try (PreparedStatement insert = c.prepareStatement("""
            INSERT INTO audit_log (id, at, recorded_at, tenant_id, actor_sub, actor_role, action, target, outcome,
                                   details, tags, outbox_seq, prev_hash, hash)
            OVERRIDING SYSTEM VALUE
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, '{}', ?, ?, ?)""")) {
          insert.setLong(1, r.id());
          insert.setTimestamp(2, Timestamp.from(r.at()));
          insert.setTimestamp(3, Timestamp.from(r.recordedAt()));
          insert.setString(4, r.tenantId());
          insert.setString(5, r.actorSub());
          insert.setString(6, r.actorRole());
          insert.setString(7, r.action());
          insert.setString(8, r.target());
          insert.setString(9, r.outcome());
          insert.setString(10, r.details().encode());
          insert.setLong(11, r.id());
          insert.setBytes(12, r.prevHash());
          insert.setBytes(13, r.hash());
          insert.executeUpdate();
        }
      }
      c.createStatement().execute("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), 3)");
      c.createStatement().execute("""
          INSERT INTO audit_outbox (tenant_id, actor_sub, actor_role, action, target, outcome)
          VALUES ('old', 'admin', 'admin', 'agent.deregistered', 'agent:old-3', 'success')""");
    }

    try (TestApp app = TestApp.start(Map.of("db.url", url))) {
      String token = app.tokens().admin("new");
      assertThat(app.http().post("/api/v1/agents", token, Agents.registration("new-1")).status()).isEqualTo(201);
      TestApp.eventually(WAIT, "every record is sealed",
          () -> app.sql(TestApp.UNSEALED).iterator().next().getLong(0) == 0
              && app.sql("SELECT count(*) FROM audit_log WHERE target = 'agent:new-1'").iterator().next()
              .getLong(0) == 1);

      assertThat(app.sql("SELECT count(*) FROM audit_log WHERE action = 'agent.deregistered' AND txid IS NOT NULL")
          .iterator().next().getLong(0)).as("the outbox's event, now a record").isEqualTo(1);
      byte[] firstSealPrev = app.sql("SELECT prev_hash FROM audit_seals ORDER BY id LIMIT 1").iterator().next()
          .getBuffer("prev_hash").getBytes();
      assertThat(firstSealPrev).as("the first seal follows the last old record").isEqualTo(legacy.get(2).hash());

      JsonObject verified = app.http().get("/api/v1/audit/verify", app.tokens().of("any", Role.PLATFORM, "platform"))
          .json();
      assertThat(verified.getBoolean("ok")).as(verified.encode()).isTrue();
      assertThat(verified.getLong("checked"))
          .isEqualTo(app.sql("SELECT count(*) FROM audit_log").iterator().next().getLong(0));
    }
  }

  @Test
  @DisplayName("a task's history written before transitions lived in the audit log is kept, followed by the new ones")
  void historyFromBeforeTheUpgradeIsKept() throws Exception {
    String url = TestDatabase.freshDatabaseUrl();
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    String jdbc = migratedTo(url, "9");
    String taskId = "6f1c2a9e-0000-4000-8000-000000000001";
    try (Connection c = DriverManager.getConnection(jdbc, o.getUser(), o.getPassword())) {
      c.createStatement().execute("""
          INSERT INTO tasks (id, tenant_id, type, priority, timeout_ms, max_attempts, attempt_budget)
          VALUES ('%1$s', 'old', 'code-editing', 0, 60000, 3, 3);
          INSERT INTO task_history (task_id, tenant_id, from_state, to_state, attempt, reason)
          VALUES ('%1$s', 'old', NULL, 'queued', 0, 'submitted')""".formatted(taskId));
    }

    try (TestApp app = TestApp.start(Map.of("db.url", url))) {
      String admin = app.tokens().admin("old");
      assertThat(app.http().post("/api/v1/tasks/" + taskId + "/cancel", admin, new JsonObject()).status())
          .isEqualTo(200);
      List<JsonObject> history = app.http().get("/api/v1/tasks/" + taskId + "/history", admin).json()
          .getJsonArray("items").stream().map(JsonObject.class::cast).toList();
      assertThat(history).extracting(h -> h.getString("to")).containsExactly("queued", "canceled");
      assertThat(history.get(1).getString("from")).isEqualTo("queued");
      assertThat(history.get(1).getString("reason")).isEqualTo("canceled by admin");
      assertThat(app.sql("SELECT count(*) FROM task_history WHERE task_id::text = $1", taskId).iterator().next()
          .getLong(0)).as("the view shows both").isEqualTo(2);
    }
  }

  /** Migrates the database at {@code url} up to {@code version} only; returns its JDBC URL. */
  private static String migratedTo(String url, String version) {
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    String jdbc = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
    Flyway.configure().dataSource(jdbc, o.getUser(), o.getPassword()).locations("classpath:db/migration")
        .target(version).load().migrate();
    return jdbc;
  }
}
