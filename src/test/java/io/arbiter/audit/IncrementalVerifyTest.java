package io.arbiter.audit;

import static io.arbiter.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Role;
import io.arbiter.support.Agents;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Incremental verification of the audit chain, on one database whose story the tests tell in order: each whole-chain
 * verification walks what was sealed since the last one that found the chain intact, archival and verification
 * together start at the later of their checkpoints, and tampering shows what an incremental walk finds and what takes
 * a full one.
 */
@ArbiterApp({"audit.archiveAfterDays=1", "retention.intervalMs=86400000"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("A whole-chain verification walks only what was sealed since the last intact one")
class IncrementalVerifyTest {

  private static final String TENANT = "incremental";
  private static final String CHAIN_LOCK = "SELECT pg_advisory_xact_lock(hashtext('arbiter.audit.drain'))";
  private static final AtomicInteger AGENTS = new AtomicInteger();

  @ArbiterApp.Inject private static TestApp app;
  @ArbiterApp.Inject private static Http http;

  /** Registers {@code n} agents (one audit record each) and waits until every record is sealed. */
  private static void audited(int n) {
    String admin = app.tokens().admin(TENANT);
    for (int i = 0; i < n; i++) {
      assertThat(http.post("/api/v1/agents", admin, Agents.registration("inc-" + AGENTS.incrementAndGet())).status())
          .isEqualTo(201);
    }
    TestApp.eventually(Duration.ofSeconds(10), "every record is sealed", () -> count(TestApp.UNSEALED) == 0);
  }

  private static JsonObject verify(String query) {
    Http.Reply reply = http.get("/api/v1/audit/verify" + query, app.tokens().of(TENANT, Role.PLATFORM, "platform"));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }

  /** The verified checkpoint: seal_id, last_id, hash; null before the first. */
  private static Row verified() {
    var rows = app.sql("SELECT seal_id, last_id, hash FROM audit_verified");
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  /** Records sealed in the seals after {@code afterSeal} up to {@code lastSeal}. */
  private static long sealedBetween(long afterSeal, long lastSeal) {
    return count("SELECT COALESCE(sum(records), 0) FROM audit_seals WHERE id > $1 AND id <= $2", afterSeal, lastSeal);
  }

  private static long count(String sql, Object... params) {
    return app.sql(sql, params).iterator().next().getLong(0);
  }

  private static String hex(Row row) {
    return HexFormat.of().formatHex(row.getBuffer("hash").getBytes());
  }

  private static void tamper(long id) {
    app.sqlTransaction("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "UPDATE audit_log SET details = details || '{\"forged\": true}' WHERE id = " + id,
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
  }

  private static long lastRecord() {
    return count("SELECT max(id) FROM audit_log WHERE tenant_id = $1", TENANT);
  }

  @Test
  @Order(1)
  @DisplayName("the first verification walks the whole chain from genesis; the second starts at the seal the first "
      + "reached and walks only the records sealed since")
  void secondVerificationWalksOnlyWhatWasSealedSince() {
    audited(3);
    assertThat(verified()).as("no verification yet").isNull();

    JsonObject first = verify("");
    assertThat(first.getBoolean("ok")).as(first.encode()).isTrue();
    assertThat(first.getJsonObject("from")).isEqualTo(new JsonObject().put("kind", "genesis"));
    Row reached = verified();
    assertThat(reached).isNotNull();
    long firstSeal = reached.getLong("seal_id");
    assertThat(first.getLong("checked")).isEqualTo(sealedBetween(0, firstSeal)).isPositive();
    assertThat(first.getLong("lastId")).isEqualTo(reached.getLong("last_id"));
    assertThat(hex(reached)).isEqualTo(HexFormat.of().formatHex(app.sql("SELECT hash FROM audit_seals WHERE id = $1",
        firstSeal).iterator().next().getBuffer("hash").getBytes()));

    audited(2);
    JsonObject second = verify("");
    assertThat(second.getBoolean("ok")).as(second.encode()).isTrue();
    assertThat(second.getJsonObject("from")).isEqualTo(new JsonObject().put("kind", "verified")
        .put("hash", hex(reached)).put("at", second.getJsonObject("from").getString("at"))
        .put("sealId", firstSeal).put("recordId", reached.getLong("last_id")));
    long secondSeal = verified().getLong("seal_id");
    assertThat(secondSeal).isGreaterThan(firstSeal);
    assertThat(second.getLong("checked")).isEqualTo(sealedBetween(firstSeal, secondSeal))
        .isLessThan(count("SELECT count(*) FROM audit_log")).isGreaterThanOrEqualTo(2);

    JsonObject full = verify("?full=true");
    assertThat(full.getBoolean("ok")).as(full.encode()).isTrue();
    assertThat(full.getJsonObject("from").getString("kind")).isEqualTo("genesis");
    assertThat(full.getLong("checked")).isEqualTo(sealedBetween(0, verified().getLong("seal_id")));
  }

  @Test
  @Order(2)
  @DisplayName("only the platform role forces a full walk: a tenant's admin or auditor gets 403, and its own answer "
      + "names where the walk started without seal or record ids")
  void onlyThePlatformRoleForcesAFullWalk() {
    String auditor = app.tokens().of(TENANT, Role.AUDITOR, "auditor");
    long before = verified().getLong("seal_id");
    assertProblem(http.get("/api/v1/audit/verify?full=true", auditor), Failure.FORBIDDEN);
    assertProblem(http.get("/api/v1/audit/verify?full=true", app.tokens().admin(TENANT)), Failure.FORBIDDEN);
    assertThat(assertProblem(http.get("/api/v1/audit/verify?full=true&from=2025-01-01T00:00:00Z",
        app.tokens().of(TENANT, Role.PLATFORM, "platform")), Failure.BAD_REQUEST).getString("field"))
        .isEqualTo("full");

    Http.Reply scoped = http.get("/api/v1/audit/verify?full=false", auditor);
    assertThat(scoped.status()).as(scoped.toString()).isEqualTo(200);
    JsonObject from = scoped.json().getJsonObject("from");
    assertThat(from.getString("kind")).isEqualTo("verified");
    assertThat(from.fieldNames()).containsExactlyInAnyOrder("kind", "hash", "at");
    assertThat(verified().getLong("seal_id")).isGreaterThanOrEqualTo(before);
  }

  @Test
  @Order(3)
  @DisplayName("verifications run while another holds the sealer's lock and beside each other; the checkpoint ends at "
      + "the last seal and an earlier one never moves it back")
  void concurrentVerificationsNeverMoveTheCheckpointBack() throws Exception {
    audited(3);
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try (AutoCloseable sealer = app.holdTransaction(CHAIN_LOCK)) {
      List<CompletableFuture<JsonObject>> answers = IntStream.range(0, 6)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> verify(i % 3 == 0 ? "?full=true" : ""), callers))
          .toList();
      for (CompletableFuture<JsonObject> answer : answers) {
        assertThat(answer.get().getBoolean("ok")).as(answer.get().encode()).isTrue();
      }
    } finally {
      callers.shutdown();
    }
    Row now = verified();
    assertThat(now.getLong("seal_id")).isEqualTo(count("SELECT max(id) FROM audit_seals"));

    Row earlier = app.sql("SELECT id, last_id, hash FROM audit_seals WHERE id < $1 ORDER BY id DESC LIMIT 1",
        now.getLong("seal_id")).iterator().next();
    assertThat(app.sql(AuditSql.ADVANCE_VERIFIED, earlier.getLong("id"), earlier.getLong("last_id"),
        Buffer.buffer(earlier.getBuffer("hash").getBytes())).size()).as("an earlier seal moves nothing").isZero();
    assertThat(verified().getLong("seal_id")).isEqualTo(now.getLong("seal_id"));
    assertThat(hex(verified())).isEqualTo(hex(now));
  }

  @Test
  @Order(4)
  @DisplayName("with archival the walk starts at the later checkpoint: the archival one after archiving past the "
      + "verified seal, the verified one once a verification reached beyond it")
  void archivalAndVerifiedCheckpointsPickTheLaterOne() {
    audited(2);
    long verifiedSeal = verified().getLong("seal_id");
    app.sqlTransaction("ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_append_only",
        "UPDATE audit_seals SET first_at = first_at - interval '100 days', last_at = last_at - interval '100 days'",
        "ALTER TABLE audit_seals ENABLE TRIGGER audit_seals_append_only");
    TestApp.eventually(Duration.ofSeconds(20), "every seal is archived", () -> {
      TestApp.await(app.arbiter().vertx().eventBus().request(Addresses.AUDIT_ARCHIVE, new JsonObject(),
          RequestContext.system("test").deliveryOptions(10_000)));
      return count("SELECT COALESCE(max(seal_id), 0) FROM audit_checkpoints")
          == count("SELECT max(id) FROM audit_seals");
    });
    long archivedSeal = count("SELECT max(seal_id) FROM audit_checkpoints");
    assertThat(archivedSeal).isGreaterThan(verifiedSeal);

    audited(2);
    JsonObject afterArchival = verify("");
    assertThat(afterArchival.getBoolean("ok")).as(afterArchival.encode()).isTrue();
    assertThat(afterArchival.getJsonObject("from").getString("kind")).isEqualTo("archived");
    assertThat(afterArchival.getJsonObject("from").getLong("sealId")).isEqualTo(archivedSeal);
    long reached = verified().getLong("seal_id");
    assertThat(reached).isGreaterThan(archivedSeal);
    assertThat(afterArchival.getLong("checked")).isEqualTo(sealedBetween(archivedSeal, reached));
    assertThat(afterArchival.getJsonObject("checkpoint").getLong("sealId")).isEqualTo(archivedSeal);

    audited(1);
    JsonObject next = verify("");
    assertThat(next.getBoolean("ok")).as(next.encode()).isTrue();
    assertThat(next.getJsonObject("from").getString("kind")).isEqualTo("verified");
    assertThat(next.getJsonObject("from").getLong("sealId")).isEqualTo(reached);
    assertThat(next.getJsonObject("checkpoint").getLong("sealId")).as("the archival checkpoint is still reported")
        .isEqualTo(archivedSeal);
    assertThat(verify("?full=true").getJsonObject("from").getString("kind")).isEqualTo("archived");
  }

  @Test
  @Order(5)
  @DisplayName("a record changed before the verified checkpoint is missed by the incremental walk and found by a full "
      + "one, which leaves the checkpoint where it was")
  void tamperingBeforeTheCheckpointTakesAFullWalk() {
    audited(2);
    assertThat(verify("").getBoolean("ok")).isTrue();
    Row checkpoint = verified();
    long victim = lastRecord();
    tamper(victim);

    JsonObject incremental = verify("");
    assertThat(incremental.getBoolean("ok")).as("the record lies before the walk: " + incremental.encode()).isTrue();
    assertThat(incremental.getJsonObject("from").getString("kind")).isEqualTo("verified");

    JsonObject full = verify("?full=true");
    assertThat(full.getBoolean("ok")).as(full.encode()).isFalse();
    assertThat(full.getLong("brokenId")).isEqualTo(victim);
    assertThat(full.getJsonObject("from").getString("kind")).isEqualTo("archived");
    assertThat(verified().getLong("seal_id")).isEqualTo(checkpoint.getLong("seal_id"));
  }

  @Test
  @Order(6)
  @DisplayName("a record changed after the verified checkpoint is found by the incremental walk, which then leaves the "
      + "checkpoint where it was, however many records are sealed after the break")
  void tamperingAfterTheCheckpointIsFoundAndHoldsTheCheckpoint() {
    Row before = verified();
    audited(2);
    long victim = lastRecord();
    tamper(victim);

    JsonObject broken = verify("");
    assertThat(broken.getBoolean("ok")).as(broken.encode()).isFalse();
    assertThat(broken.getLong("brokenId")).isEqualTo(victim);
    assertThat(broken.getJsonObject("from").getString("kind")).isEqualTo("verified");
    assertThat(broken.getJsonObject("from").getLong("sealId")).isEqualTo(before.getLong("seal_id"));
    assertThat(verified().getLong("seal_id")).isEqualTo(before.getLong("seal_id"));

    audited(2);
    assertThat(verify("").getLong("brokenId")).as("the next walk starts before the break again").isEqualTo(victim);
    assertThat(verified().getLong("seal_id")).isEqualTo(before.getLong("seal_id"));
    Http.Reply tenantView = http.get("/api/v1/audit/verify", app.tokens().of(TENANT, Role.AUDITOR, "auditor"));
    assertThat(tenantView.json().getBoolean("ok")).as(tenantView.toString()).isFalse();
    assertThat(tenantView.json().getLong("brokenId")).isEqualTo(victim);
  }
}
