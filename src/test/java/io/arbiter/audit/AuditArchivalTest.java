package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Role;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.TestDatabase;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Audit archival after retention, on one database whose story the tests tell in order: purged tasks' records are
 * archived behind a checkpoint, a dead task's records hold archival back, and tampering after the checkpoint is found.
 */
@ArbiterApp({"retention.intervalMs=1000", "audit.archiveAfterDays=1"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Audit archival keeps the chain verifiable from a checkpoint")
class AuditArchivalTest {

  @ArbiterApp.Inject private static TestApp app;

  private static String canceled(String tenant) {
    String token = app.tokens().of(tenant, Role.SUBMITTER, "client");
    Http.Reply submitted = app.http().post("/api/v1/tasks", token, new JsonObject().put("type", "archived"));
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    String id = submitted.json().getString("id");
    assertThat(app.http().post("/api/v1/tasks/" + id + "/cancel", token, new JsonObject()).status()).isEqualTo(200);
    return id;
  }

  private static void finishedLongAgo(List<String> ids) {
    app.sql("UPDATE tasks SET finished_at = now() - interval '31 days' WHERE id = ANY($1::uuid[])",
        (Object) ids.stream().map(UUID::fromString).toArray(UUID[]::new));
  }

  private static long count(String sql, Object... params) {
    return app.sql(sql, params).iterator().next().getLong(0);
  }

  private static void awaitSealed() {
    TestApp.eventually(Duration.ofSeconds(10), "every record is sealed",
        () -> count(TestApp.UNSEALED) == 0);
  }

  /** Makes every seal written so far look older than the archive horizon (sealed records are not touched). */
  private static void ageSeals() {
    app.sqlTransaction("ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_append_only",
        "UPDATE audit_seals SET first_at = first_at - interval '100 days', last_at = last_at - interval '100 days'",
        "ALTER TABLE audit_seals ENABLE TRIGGER audit_seals_append_only");
  }

  private static JsonObject verify(String tenant, Role role) {
    Http.Reply reply = app.http().get("/api/v1/audit/verify", app.tokens().of(tenant, role, "auditor"));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }

  @Test
  @Order(1)
  @DisplayName("purged tasks' records are archived behind a checkpoint, and verify starts there and reports it")
  void archivesPurgedTasksRecordsBehindACheckpoint() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(canceled("arch"));
    }
    finishedLongAgo(ids);
    TestApp.eventually(Duration.ofSeconds(20), "the tasks are purged",
        () -> count("SELECT count(*) FROM tasks WHERE tenant_id = 'arch'") == 0);
    awaitSealed();
    long seals = count("SELECT count(*) FROM audit_seals");
    ageSeals();

    TestApp.eventually(Duration.ofSeconds(20), "a checkpoint is written",
        () -> count("SELECT count(*) FROM audit_checkpoints") > 0);

    assertThat(count("SELECT count(*) FROM audit_log WHERE target = ANY($1::text[])",
        (Object) ids.stream().map(id -> "task:" + id).toArray(String[]::new))).isZero();
    assertThat(count("SELECT count(*) FROM audit_seals")).isGreaterThanOrEqualTo(seals);
    var checkpoint = app.sql("SELECT c.seal_id, c.last_id, c.hash, c.archived, s.hash AS seal_hash "
        + "FROM audit_checkpoints c JOIN audit_seals s ON s.id = c.seal_id ORDER BY c.id DESC LIMIT 1").iterator().next();
    assertThat(checkpoint.getBuffer("hash").getBytes()).isEqualTo(checkpoint.getBuffer("seal_hash").getBytes());

    JsonObject verified = verify("arch", Role.PLATFORM);
    assertThat(verified.getBoolean("ok")).as(verified.encode()).isTrue();
    JsonObject reported = verified.getJsonObject("checkpoint");
    assertThat(reported.getString("hash"))
        .isEqualTo(HexFormat.of().formatHex(checkpoint.getBuffer("hash").getBytes()));
    assertThat(reported.getLong("archived")).isEqualTo(checkpoint.getLong("archived"));
    assertThat(reported.getLong("lastId")).isEqualTo(checkpoint.getLong("last_id"));
    assertThat(reported.getLong("sealId")).isEqualTo(checkpoint.getLong("seal_id"));

    JsonObject tenantView = verify("arch", Role.AUDITOR);
    assertThat(tenantView.getBoolean("ok")).as(tenantView.encode()).isTrue();
    assertThat(tenantView.getJsonObject("checkpoint").getString("hash")).isEqualTo(reported.getString("hash"));
    assertThat(tenantView.getJsonObject("checkpoint").containsKey("lastId")).isFalse();
  }

  @Test
  @Order(2)
  @DisplayName("a dead task's records hold archival back: the prefix stops before them, and its history stays whole")
  void deadTasksRecordsStayUntilItIsPurged() {
    String before = canceled("arch");
    awaitSealed();
    String dead = canceled("arch");
    app.sql("UPDATE tasks SET state = 'dead' WHERE id = $1", UUID.fromString(dead));
    awaitSealed();
    String after = canceled("arch");
    finishedLongAgo(List.of(before, dead, after));
    TestApp.eventually(Duration.ofSeconds(20), "the canceled tasks are purged",
        () -> count("SELECT count(*) FROM tasks WHERE tenant_id = 'arch'") == 1);
    awaitSealed();
    ageSeals();
    long lastOfBefore = count("SELECT max(id) FROM audit_log WHERE target = $1", "task:" + before);
    long firstOfDead = count("SELECT min(id) FROM audit_log WHERE target = $1", "task:" + dead);
    long deadRecords = count("SELECT count(*) FROM audit_log WHERE target = $1", "task:" + dead);
    long afterRecords = count("SELECT count(*) FROM audit_log WHERE target = $1", "task:" + after);
    assertThat(deadRecords).isGreaterThanOrEqualTo(2);

    TestApp.eventually(Duration.ofSeconds(20), "the records of the task purged before the dead one are archived",
        () -> count("SELECT max(last_id) FROM audit_checkpoints") >= lastOfBefore);

    assertThat(count("SELECT max(last_id) FROM audit_checkpoints")).isLessThan(firstOfDead);
    assertThat(count("SELECT count(*) FROM audit_log WHERE target = $1", "task:" + dead)).isEqualTo(deadRecords);
    assertThat(count("SELECT count(*) FROM audit_log WHERE target = $1", "task:" + after))
        .as("records after the dead task's stay too: archival takes a prefix of the chain").isEqualTo(afterRecords);
    JsonObject history = app.http().get("/api/v1/tasks/" + dead + "/history",
        app.tokens().of("arch", Role.OPERATOR, "ops")).json();
    assertThat(history.getJsonArray("items")).as("its transitions: submitted, canceled").hasSize(2);
    JsonObject verified = verify("arch", Role.PLATFORM);
    assertThat(verified.getBoolean("ok")).as(verified.encode()).isTrue();
    assertThat(verified.getJsonObject("checkpoint").getLong("lastId")).isGreaterThanOrEqualTo(lastOfBefore);
  }

  @Test
  @Order(3)
  @DisplayName("a record changed after the checkpoint is still found, and archival stops rather than remove it unchecked")
  void tamperingAfterTheCheckpointIsDetected() {
    canceled("arch");
    awaitSealed();
    long target = count("SELECT max(id) FROM audit_log WHERE tenant_id = 'arch'");
    app.sqlTransaction("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "UPDATE audit_log SET outcome = 'failure' WHERE id = " + target,
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");

    JsonObject verified = verify("arch", Role.PLATFORM);
    assertThat(verified.getBoolean("ok")).as(verified.encode()).isFalse();
    assertThat(verified.getLong("brokenId")).isEqualTo(target);
    assertThat(verified.containsKey("checkpoint")).isTrue();

    app.sql("DELETE FROM tasks WHERE tenant_id = 'arch'");
    ageSeals();
    long archived = count("SELECT max(archived) FROM audit_checkpoints");
    JsonObject step = TestApp.await(app.arbiter().vertx().eventBus().<JsonObject>request(Addresses.AUDIT_ARCHIVE,
        new JsonObject(), RequestContext.system("test").deliveryOptions(10_000))).body();
    assertThat(step.getLong("archived")).as(step.encode()).isZero();
    assertThat(step.getJsonObject("broken").getLong("brokenId")).isEqualTo(target);
    assertThat(count("SELECT max(archived) FROM audit_checkpoints")).isEqualTo(archived);
    assertThat(count("SELECT count(*) FROM audit_log WHERE id = $1", target)).isEqualTo(1);
  }

  @Test
  @Order(4)
  @DisplayName("records chained before seals existed are archived together behind a checkpoint of their own, and the "
      + "first seal verifies from it")
  void archivesRecordsFromBeforeSeals() throws Exception {
    String url = TestDatabase.freshDatabaseUrl();
    PgConnectOptions o = PgConnectOptions.fromUri(url);
    String jdbc = "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
    Flyway.configure().dataSource(jdbc, o.getUser(), o.getPassword()).locations("classpath:db/migration")
        .target("8").load().migrate();
    byte[] prev = AuditChain.genesis();
    Instant at = Instant.now().minus(Duration.ofDays(400)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    try (Connection c = DriverManager.getConnection(jdbc, o.getUser(), o.getPassword())) {
      for (long id = 1; id <= 3; id++) {
        AuditRecord r = new AuditRecord(id, at.plusSeconds(id), at.plusSeconds(id), "old", "admin", "admin",
            "agent.registered", "agent:old-" + id, "success", null, null, null, new JsonObject().put("n", id),
            List.of(), null, null).chained(prev);
        prev = r.hash();
        try (PreparedStatement insert = c.prepareStatement("""
            INSERT INTO audit_log (id, at, recorded_at, tenant_id, actor_sub, actor_role, action, target, outcome,
                                   details, tags, outbox_seq, prev_hash, hash)
            OVERRIDING SYSTEM VALUE VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, '{}', ?, ?, ?)""")) {
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
    }

    try (TestApp upgraded = TestApp.start(Map.of("db.url", url, "retention.intervalMs", 1000,
        "audit.archiveAfterDays", 1))) {
      assertThat(upgraded.http().post("/api/v1/agents", upgraded.tokens().admin("new"), Agents.registration("new-1"))
          .status()).isEqualTo(201);
      TestApp.eventually(Duration.ofSeconds(20), "the old records are archived",
          () -> upgraded.sql("SELECT count(*) FROM audit_checkpoints").iterator().next().getLong(0) > 0);
      TestApp.eventually(Duration.ofSeconds(10), "every record is sealed",
          () -> upgraded.sql(TestApp.UNSEALED).iterator().next().getLong(0) == 0);

      var checkpoint = upgraded.sql("SELECT seal_id, last_id, hash, archived FROM audit_checkpoints").iterator().next();
      assertThat(checkpoint.getLong("seal_id")).isZero();
      assertThat(checkpoint.getLong("last_id")).isEqualTo(3);
      assertThat(checkpoint.getBuffer("hash").getBytes()).isEqualTo(prev);
      assertThat(upgraded.sql("SELECT count(*) FROM audit_log WHERE txid IS NULL").iterator().next().getLong(0))
          .isZero();
      JsonObject verified = upgraded.http().get("/api/v1/audit/verify",
          upgraded.tokens().of("any", Role.PLATFORM, "platform")).json();
      assertThat(verified.getBoolean("ok")).as(verified.encode()).isTrue();
      assertThat(verified.getLong("checked"))
          .isEqualTo(upgraded.sql("SELECT count(*) FROM audit_log").iterator().next().getLong(0)).isPositive();
      assertThat(verified.getJsonObject("checkpoint").getLong("archived")).isEqualTo(3);
    }
  }
}
