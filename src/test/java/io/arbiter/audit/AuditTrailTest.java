package io.arbiter.audit;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.Failure;
import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp
@ExtendWith(VertxExtension.class)
@DisplayName("The tamper-evident audit trail, against a real PostgreSQL")
class AuditTrailTest {

  private static final Duration DRAINED = Duration.ofSeconds(30);

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  @Test
  @DisplayName("200 concurrent audited requests leave one unbroken chain, every record linked to the one before it")
  void concurrentBurstLeavesAnUnbrokenChain(Vertx vertx) {
    String token = app.tokens().admin("burst");
    List<Integer> statuses = burst(vertx, app, token, "burst", 200);
    assertThat(statuses).containsOnly(201);
    awaitDrained(app);
    assertThat(count(app, "SELECT count(*) FROM audit_log WHERE tenant_id = 'burst'")).isEqualTo(200);

    assertChainLinksInSql(app);
    // other tests' agents may go silent meanwhile, and the sweeper's records are sealed a moment after they are written:
    // compare once a verify and the table agree on a moment with nothing left to seal; other tests verify too, so only
    // a full walk covers the whole log
    TestApp.eventually(DRAINED, "a verify covers every record of the log", () -> {
      awaitDrained(app);
      JsonObject verified = verify(app, "?full=true");
      assertThat(verified.getBoolean("ok")).as(verified.encode()).isTrue();
      return verified.getLong("checked") == count(app, "SELECT count(*) FROM audit_log")
          && verified.getLong("lastId") == count(app, "SELECT max(id) FROM audit_log");
    });
  }

  @Test
  @DisplayName("records written by SQL statements (task transitions and routing decisions) chain and verify too")
  void taskTransitionsChainAndVerify() {
    AgentClient agent = new AgentClient(app, "chained-tasks", "worker-1");
    assertThat(agent.register("code-editing", 4).status()).isEqualTo(201);
    String submitter = app.tokens().of("chained-tasks", Role.SUBMITTER, "client-1");
    for (int i = 0; i < 3; i++) {
      assertThat(http.post("/api/v1/tasks", submitter, new JsonObject().put("type", "code-editing")
          .put("payload", new JsonObject().put("n", i))).status()).isEqualTo(202);
    }
    List<JsonObject> claimed = new ArrayList<>();
    TestApp.eventually(DRAINED, "the three tasks are claimed", () -> {
      claimed.addAll(agent.claim(1, 3));
      return claimed.size() == 3;
    });
    for (JsonObject delivery : claimed) {
      String taskId = delivery.getString("taskId");
      assertThat(agent.ack(taskId, 1).status()).isEqualTo(200);
      assertThat(agent.result(taskId, new JsonObject().put("attempt", 1).put("outcome", "succeeded")
          .put("quality", 0.1 + 0.2)).status()).isEqualTo(200);
    }
    awaitDrained(app);
    assertThat(count(app, "SELECT count(*) FROM audit_log WHERE tenant_id = 'chained-tasks' AND target LIKE 'task:%'"))
        .as("submitted, assigned, running, succeeded for each task").isEqualTo(12);
    assertThat(verify(app, "").getBoolean("ok")).isTrue();
  }

  @Test
  @DisplayName("two Arbiter nodes appending concurrently to one database leave one unbroken chain")
  void twoNodesOnOneDatabaseKeepOneChain(Vertx vertx) {
    try (TestApp first = TestApp.start(); TestApp second = TestApp.start(Map.of("db.url", first.dbUrl()))) {
      for (int round = 0; round < 4; round++) {
        Future<List<Integer>> a = burstAsync(vertx, first, first.tokens().admin("node-a"), "a" + round, 50);
        Future<List<Integer>> b = burstAsync(vertx, second, second.tokens().admin("node-b"), "b" + round, 50);
        assertThat(TestApp.await(a)).containsOnly(201);
        assertThat(TestApp.await(b)).containsOnly(201);
      }
      awaitDrained(first);
      assertThat(count(first, "SELECT count(*) FROM audit_log WHERE tenant_id IN ('node-a', 'node-b')"))
          .isEqualTo(400);
      assertChainLinksInSql(first);
      assertThat(verify(second, "").getBoolean("ok")).isTrue();
      assertThat(verify(first, "?full=true").getLong("checked"))
          .isEqualTo(count(first, "SELECT count(*) FROM audit_log"));
      assertThat(chainedByNode(first)).as("records chained by the first node").isPositive();
      assertThat(chainedByNode(second)).as("records chained by the second node").isPositive();
    }
  }

  @Test
  @DisplayName("a record whose details were altered in SQL is reported by id as a hash mismatch")
  void alteredRecordIsReportedByIdAsHashMismatch() {
    try (TestApp own = TestApp.start()) {
      List<Long> ids = auditedRecords(own, "edited-tenant", 6);
      long victim = ids.get(3);
      tamper(own, "UPDATE audit_log SET details = details || '{\"name\": \"Someone else\"}' WHERE id = " + victim);

      JsonObject verified = verify(own, "");
      assertThat(verified.getBoolean("ok")).isFalse();
      assertThat(verified.getLong("brokenId")).isEqualTo(victim);
      assertThat(verified.getString("reason")).isEqualTo("hash mismatch: the record's fields were altered");
      assertThat(verified.encode()).doesNotContain("Someone else", "edited-tenant");
      assertThat(own.http().get("/metrics", null).text()).as("the broken verification is counted for the alert")
          .contains("arbiter_audit_verifications_total{result=\"broken\"} 1.0");

      String victimAt = own.sql("SELECT at FROM audit_log WHERE id = $1", victim).iterator().next()
          .getOffsetDateTime("at").toInstant().toString();
      assertThat(verify(own, "?from=" + encode(victimAt)).getLong("brokenId")).as("a range from it").isEqualTo(victim);
      // a range is verified by whole seals: end it before the first record of the victim's seal
      String victimSealAt = own.sql("""
          SELECT first_at FROM audit_seals
          WHERE to_txid > (SELECT txid FROM audit_log WHERE id = $1) ORDER BY to_txid LIMIT 1""", victim)
          .iterator().next().getOffsetDateTime("first_at").toInstant().toString();
      JsonObject before = verify(own, "?to=" + encode(victimSealAt));
      assertThat(before.getBoolean("ok")).as("a range that ends before it: " + before).isTrue();
      // empty when the victim's seal is the first; otherwise it stops short of the victim
      assertThat(before.getLong("lastId") == null ? 0L : before.getLong("lastId")).isLessThan(victim);
    }
  }

  @Test
  @DisplayName("a deleted record is reported as removed, at the record after it or at the end of its seal")
  void deletedRecordIsReportedAsRemoved() {
    try (TestApp own = TestApp.start()) {
      List<Long> ids = auditedRecords(own, "deleted", 6);
      tamper(own, "DELETE FROM audit_log WHERE id = " + ids.get(3));

      JsonObject verified = verify(own, "");
      assertThat(verified.getBoolean("ok")).isFalse();
      // the next record when both were in one seal; the deleted record's own id when it ended its seal
      assertThat(verified.getLong("brokenId")).isIn(ids.get(3), ids.get(4));
      assertThat(verified.getString("reason")).contains("removed");
    }
  }

  @Test
  @DisplayName("a record inserted into a sealed range is reported")
  void recordAddedToASealedRangeIsReported() {
    try (TestApp own = TestApp.start()) {
      auditedRecords(own, "added", 4);
      long forged = own.sql("""
          INSERT INTO audit_log (tenant_id, actor_sub, actor_role, action, target, outcome, txid)
          SELECT 'added', 'mallory', 'admin', 'agent.registered', 'agent:ghost', 'success', from_txid
          FROM audit_seals ORDER BY id DESC LIMIT 1
          RETURNING id""").iterator().next().getLong("id");

      JsonObject verified = verify(own, "");
      assertThat(verified.getBoolean("ok")).as(verified.encode()).isFalse();
      assertThat(verified.getLong("brokenId")).as(verified.encode()).isPositive();
      assertThat(verified.getString("reason")).matches(".*(added|altered|removed).*");
      assertThat(forged).isPositive();
    }
  }

  @Test
  @DisplayName("records wait for every older transaction to end before they are sealed, then the chain verifies")
  void recordsAreSealedOnlyBehindTheOldestRunningTransaction() throws Exception {
    try (TestApp own = TestApp.start()) {
      String token = own.tokens().admin("horizon");
      AutoCloseable held = own.holdTransaction("""
          INSERT INTO audit_log (tenant_id, actor_sub, actor_role, action, target, outcome)
          VALUES ('horizon', 'test', 'admin', 'test.held', 'test:held', 'success')""");
      try (held) {
        assertThat(own.http().post("/api/v1/agents", token, Agents.registration("late-1")).status()).isEqualTo(201);
        TestApp.eventually(DRAINED, "a seal pass saw the registration and left it unsealed",
            () -> metric(own, "arbiter_audit_unsealed") > 0);
        assertThat(count(own, "SELECT count(*) FROM audit_seals s JOIN audit_log l ON l.txid >= s.from_txid "
            + "AND l.txid < s.to_txid WHERE l.target = 'agent:late-1'")).as("the registration is not sealed").isZero();
      }
      awaitDrained(own);
      assertThat(count(own, "SELECT count(*) FROM audit_log WHERE action = 'test.held'")).isZero();
      JsonObject verified = verify(own, "");
      assertThat(verified.getBoolean("ok")).as(verified.encode()).isTrue();
      assertThat(verified.getLong("checked")).isEqualTo(count(own, "SELECT count(*) FROM audit_log"));
    }
  }

  @Test
  @DisplayName("the application's own connection cannot update, delete or truncate audit records")
  void auditLogIsAppendOnly() {
    auditedRecords(app, "append-only", 2);
    long before = count(app, "SELECT count(*) FROM audit_log");
    awaitDrained(app);
    for (String table : List.of("audit_log", "audit_seals")) {
      for (String change : List.of("UPDATE " + table + " SET tenant_id = 'x'", "UPDATE " + table + " SET records = 1",
          "DELETE FROM " + table, "TRUNCATE " + table)) {
        if (change.contains("tenant_id") == table.equals("audit_seals")) {
          continue;
        }
        String verb = change.split(" ")[0];
        assertThatThrownBy(() -> app.sql(change)).as(change)
            .hasMessageContaining(table + " is append-only: " + verb + " is refused");
      }
    }
    assertThat(count(app, "SELECT count(*) FROM audit_log")).isEqualTo(before);
    assertThat(verify(app, "").getBoolean("ok")).isTrue();
  }

  @Test
  @DisplayName("the query filters by time, actor, action, target and outcome, pages by cursor, and sees one tenant")
  void queryFiltersPagesAndIsTenantScoped() {
    String acme = app.tokens().admin("q-acme");
    for (String id : List.of("q-1", "q-2", "q-3")) {
      assertThat(http.post("/api/v1/agents", acme, Agents.registration(id)).status()).isEqualTo(201);
    }
    assertThat(http.patch("/api/v1/agents/q-1", acme, new JsonObject().put("name", "Renamed")).status())
        .isEqualTo(200);
    String nosy = app.tokens().of("q-acme", Role.SUBMITTER, "nosy");
    assertProblem(http.get("/api/v1/audit", nosy), Failure.FORBIDDEN);
    assertThat(http.post("/api/v1/agents", app.tokens().admin("q-globex"), Agents.registration("q-9")).status())
        .isEqualTo(201);
    awaitDrained(app);
    String auditor = app.tokens().of("q-acme", Role.AUDITOR, "auditor");
    TestApp.eventually(DRAINED, "the refusal is in the trail",
        () -> items(auditor, "?outcome=denied").size() == 1);
    // a record's hashes appear once its seal is written: compare pages only after every record is sealed
    TestApp.eventually(DRAINED, "every record is sealed",
        () -> items(auditor, "?limit=500").stream().allMatch(r -> r.getString("hash") != null));

    List<JsonObject> all = items(auditor, "?limit=500");
    assertThat(all).hasSize(5).allSatisfy(r -> assertThat(r.getString("tenant")).isEqualTo("q-acme"));
    assertThat(all.stream().map(r -> r.getLong("id")).toList()).isSortedAccordingTo((x, y) -> Long.compare(y, x));

    List<JsonObject> paged = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = http.get("/api/v1/audit?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), auditor)
          .json();
      page.getJsonArray("items").forEach(item -> paged.add((JsonObject) item));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertThat(paged).isEqualTo(all);

    assertThat(items(auditor, "?action=agent.updated")).singleElement()
        .satisfies(r -> assertThat(r.getString("target")).isEqualTo("agent:q-1"));
    assertThat(items(auditor, "?target=" + encode("agent:q-2"))).singleElement()
        .satisfies(r -> assertThat(r.getString("action")).isEqualTo("agent.registered"));
    assertThat(items(auditor, "?actor=nosy")).singleElement().satisfies(r -> {
      assertThat(r.getString("outcome")).isEqualTo("denied");
      assertThat(r.getString("action")).isEqualTo("access.denied");
      assertThat(r.getJsonArray("tags")).isEqualTo(new JsonArray(AuditEvent.SECURITY_TAGS));
    });
    assertThat(items(auditor, "?actor=admin&outcome=success")).hasSize(4);

    String middle = all.get(2).getString("at");
    assertThat(items(auditor, "?from=" + encode(middle)))
        .isEqualTo(all.stream().filter(r -> r.getString("at").compareTo(middle) >= 0).toList());
    assertThat(items(auditor, "?to=" + encode(middle)))
        .isEqualTo(all.stream().filter(r -> r.getString("at").compareTo(middle) < 0).toList());

    List<JsonObject> globex = items(app.tokens().of("q-globex", Role.AUDITOR, "auditor"), "");
    assertThat(globex).singleElement().satisfies(r -> assertThat(r.getString("target")).isEqualTo("agent:q-9"));
  }

  @Test
  @DisplayName("each record the query returns carries what anyone needs to recompute its hash")
  void queriedRecordsRecomputeToTheirHashes() {
    String token = app.tokens().admin("recompute");
    assertThat(http.post("/api/v1/agents", token, Agents.registration("r-1")).status()).isEqualTo(201);
    assertThat(http.patch("/api/v1/agents/r-1", token, new JsonObject().put("name", "Zoë 🚀 \"quoted\"")).status())
        .isEqualTo(200);
    awaitDrained(app);
    List<JsonObject> records = items(token, "");
    assertThat(records).hasSize(2);
    for (JsonObject r : records) {
      assertThat(r.getString("hash")).hasSize(64);
      AuditRecord parsed = fromApi(r);
      assertThat(AuditChain.hex(AuditChain.hash(parsed.prevHash(), parsed))).isEqualTo(r.getString("hash"));
    }
  }

  @Test
  @DisplayName("bad filter values answer 400 with a problem body")
  void badFiltersAreRefused() {
    String auditor = app.tokens().of("acme", Role.AUDITOR, "auditor");
    for (String query : List.of("?outcome=maybe", "?from=yesterday", "?to=2025-01-31", "?to=2025-13-45T00:00:00Z",
        "?limit=0", "?limit=501", "?cursor=not-a-cursor", "?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z",
        "?actor=")) {
      assertProblem(http.get("/api/v1/audit" + query, auditor), Failure.BAD_REQUEST);
    }
    assertProblem(http.get("/api/v1/audit/verify?from=soon", auditor), Failure.BAD_REQUEST);
  }

  @Test
  @DisplayName("a tenant's auditor's verification counts and names its own records only; a break at another tenant's "
      + "record comes without its id, while the platform role sees it")
  void verificationIsScopedToTheCallersTenant() {
    try (TestApp own = TestApp.start()) {
      List<Long> mine = auditedRecords(own, "scoped-mine", 3);
      auditedRecords(own, "scoped-theirs", 4);
      String auditor = own.tokens().of("scoped-mine", Role.AUDITOR, "auditor");
      TestApp.eventually(DRAINED, "every record is sealed", () -> count(own, TestApp.UNSEALED) == 0);
      JsonObject scoped = own.http().get("/api/v1/audit/verify", auditor).json();
      assertThat(scoped.getBoolean("ok")).isTrue();
      assertThat(scoped.getLong("checked")).isEqualTo(count(own,
          "SELECT count(*) FROM audit_log WHERE tenant_id = 'scoped-mine'"));
      assertThat(scoped.getLong("lastId")).isEqualTo(mine.get(mine.size() - 1));
      assertThat(verify(own, "?full=true").getLong("checked")).as("the platform's count is the whole log's")
          .isEqualTo(count(own, "SELECT count(*) FROM audit_log"));

      // after the verified checkpoint, where the next walk starts
      long victim = auditedRecords(own, "scoped-later", 4).get(1);
      tamper(own, "UPDATE audit_log SET details = details || '{\"x\": 1}' WHERE id = " + victim);
      JsonObject broken = own.http().get("/api/v1/audit/verify", auditor).json();
      assertThat(broken.getBoolean("ok")).isFalse();
      assertThat(broken.containsKey("brokenId")).as(broken.encode()).isFalse();
      assertThat(broken.getString("reason")).contains("outside this tenant");
      assertThat(verify(own, "").getLong("brokenId")).as("the platform role names it").isEqualTo(victim);
    }
  }

  @Test
  @DisplayName("only auditors and admins read or verify the trail (the platform role only verifies it): a submitter, an "
      + "operator or an agent gets 403")
  void onlyAuditorsAndAdminsMayReadTheTrail() {
    for (Role role : List.of(Role.SUBMITTER, Role.OPERATOR, Role.AGENT)) {
      String token = app.tokens().of("acme", role, "someone");
      assertProblem(http.get("/api/v1/audit", token), Failure.FORBIDDEN);
      assertProblem(http.get("/api/v1/audit/verify", token), Failure.FORBIDDEN);
    }
    String platform = app.tokens().of("acme", Role.PLATFORM, "someone");
    assertProblem(http.get("/api/v1/audit", platform), Failure.FORBIDDEN);
    assertProblem(http.get("/api/v1/agents", platform), Failure.FORBIDDEN);
    for (Role role : List.of(Role.AUDITOR, Role.ADMIN)) {
      String token = app.tokens().of("acme", role, "someone");
      assertThat(http.get("/api/v1/audit", token).status()).isEqualTo(200);
      assertThat(http.get("/api/v1/audit/verify", token).status()).isEqualTo(200);
    }
  }

  // ---- helpers ----

  /** {@code n} concurrent registrations (one audit event each) through one app; their HTTP statuses. */
  private static List<Integer> burst(Vertx vertx, TestApp target, String token, String prefix, int n) {
    return TestApp.await(burstAsync(vertx, target, token, prefix, n));
  }

  private static Future<List<Integer>> burstAsync(Vertx vertx, TestApp target, String token, String prefix, int n) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(target.arbiter().port()), new PoolOptions().setHttp1MaxSize(64));
    List<Future<Integer>> calls = IntStream.range(0, n).mapToObj(i -> client.post("/api/v1/agents")
            .putHeader("Authorization", "Bearer " + token)
            .sendJsonObject(Agents.registration(prefix + "-" + i))
            .map(r -> r.statusCode()))
        .toList();
    return Future.join(calls).onComplete(done -> client.close())
        .map(all -> calls.stream().map(f -> f.succeeded() ? f.result() : -1).toList());
  }

  /** Registers {@code n} agents one after another in {@code tenant}; the ids of their audit records, in order. */
  private static List<Long> auditedRecords(TestApp target, String tenant, int n) {
    String token = target.tokens().admin(tenant);
    for (int i = 0; i < n; i++) {
      assertThat(target.http().post("/api/v1/agents", token, Agents.registration(tenant + "-" + i)).status())
          .isEqualTo(201);
    }
    awaitDrained(target);
    List<Long> ids = new ArrayList<>();
    target.sql("SELECT id FROM audit_log WHERE tenant_id = $1 ORDER BY id", tenant)
        .forEach(row -> ids.add(row.getLong("id")));
    assertThat(ids).hasSize(n);
    return ids;
  }

  private static void awaitDrained(TestApp target) {
    TestApp.eventually(DRAINED, "every audit record is sealed",
        () -> count(target, TestApp.UNSEALED) == 0);
  }

  /** What an attacker with the owner's rights does: switch the trigger off, change the log, switch it on again. */
  private static void tamper(TestApp target, String change) {
    target.sqlTransaction("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", change,
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
  }

  /**
   * Checks the seals with SQL alone: each linked to the one before (the first on the genesis value), no fork, no gap
   * or overlap between their transaction ranges, and every record in exactly one seal.
   */
  private static void assertChainLinksInSql(TestApp target) {
    Row row = target.sql("""
        SELECT count(*) FILTER (WHERE prev_hash IS DISTINCT FROM coalesce(before, decode(repeat('00', 32), 'hex')))
                 AS broken,
               count(*) - count(DISTINCT prev_hash) AS forks,
               count(*) FILTER (WHERE before_to IS NOT NULL AND from_txid <> before_to) AS gaps,
               sum(records) AS sealed,
               (SELECT count(*) FROM audit_log) AS records
        FROM (SELECT prev_hash, from_txid, records, lag(hash) OVER (ORDER BY id) AS before,
                     lag(to_txid) OVER (ORDER BY id) AS before_to FROM audit_seals) links
        """).iterator().next();
    assertThat(row.getLong("broken")).as("seals not linked to the one before").isZero();
    assertThat(row.getLong("forks")).as("seals sharing a prev_hash").isZero();
    assertThat(row.getLong("gaps")).as("seals whose ranges do not meet").isZero();
    assertThat(row.getLong("sealed")).as("records sealed").isEqualTo(row.getLong("records"));
  }

  /** The whole chain's verification, as the platform role sees it. */
  private static JsonObject verify(TestApp target, String query) {
    Http.Reply reply = target.http().get("/api/v1/audit/verify" + query,
        target.tokens().of("any", Role.PLATFORM, "platform"));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }

  private static List<JsonObject> items(String token, String query) {
    Http.Reply reply = http.get("/api/v1/audit" + query, token);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json().getJsonArray("items").stream().map(JsonObject.class::cast).toList();
  }

  private static long chainedByNode(TestApp node) {
    return metric(node, "arbiter_audit_chained_total");
  }

  private static long metric(TestApp node, String name) {
    return node.http().get("/metrics", null).text().lines()
        .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static long count(TestApp target, String sql) {
    return target.sql(sql).iterator().next().getLong(0);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static AuditRecord fromApi(JsonObject r) {
    HexFormat hex = HexFormat.of();
    return new AuditRecord(r.getLong("id"), Instant.parse(r.getString("at")), Instant.parse(r.getString("recordedAt")),
        r.getString("tenant"), r.getString("actor"), r.getString("actorRole"), r.getString("action"),
        r.getString("target"), r.getString("outcome"), r.getString("clientIp"), r.getString("userAgent"),
        r.getString("correlationId"), r.getJsonObject("details"),
        r.getJsonArray("tags").stream().map(String::valueOf).toList(), hex.parseHex(r.getString("prevHash")),
        hex.parseHex(r.getString("hash")));
  }
}
