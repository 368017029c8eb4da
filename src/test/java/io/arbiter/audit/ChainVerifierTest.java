package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Verifying the audit chain finds the first record that breaks it")
class ChainVerifierTest {

  /** Records 1..n chained from genesis. */
  static List<AuditRecord> chain(int n) {
    List<AuditRecord> records = new ArrayList<>();
    byte[] prev = AuditChain.genesis();
    for (int id = 1; id <= n; id++) {
      AuditRecord r = unchained(id).chained(prev);
      records.add(r);
      prev = r.hash();
    }
    return records;
  }

  static AuditRecord unchained(long id) {
    return new AuditRecord(id, Instant.parse("2025-01-31T09:05:00Z").plusMillis(id), Instant.parse("2025-01-31T09:06:00Z"),
        id % 2 == 0 ? "acme" : "globex", "alice", "admin", "agent.updated", "agent:a-" + id, "success", null, null,
        "req-" + id, new JsonObject().put("n", id).put("secret-ish", "tenant content " + id), List.of(), null, null);
  }

  static JsonObject verify(ChainVerifier verifier, List<AuditRecord> records) {
    for (AuditRecord r : records) {
      if (verifier.accept(r).isPresent()) {
        break;
      }
    }
    return verifier.result();
  }

  @Test
  @DisplayName("an intact chain verifies: every record checked, the last id named")
  void intactChainVerifies() {
    assertThat(verify(ChainVerifier.fromStart(), chain(5)))
        .isEqualTo(new JsonObject().put("ok", true).put("checked", 5L).put("lastId", 5L));
    assertThat(verify(ChainVerifier.fromStart(), List.of()))
        .isEqualTo(new JsonObject().put("ok", true).put("checked", 0L).putNull("lastId"));
  }

  @Test
  @DisplayName("an altered field is a hash mismatch at exactly that record")
  void alteredRecordIsAHashMismatch() {
    List<AuditRecord> records = chain(5);
    AuditRecord r3 = records.get(2);
    records.set(2, new AuditRecord(3, r3.at(), r3.recordedAt(), r3.tenantId(), r3.actorSub(), r3.actorRole(),
        r3.action(), r3.target(), r3.outcome(), r3.clientIp(), r3.userAgent(), r3.correlationId(),
        r3.details().copy().put("n", 99), r3.tags(), r3.prevHash(), r3.hash()));
    JsonObject result = verify(ChainVerifier.fromStart(), records);
    assertThat(result).isEqualTo(new JsonObject().put("ok", false).put("checked", 3L).put("brokenId", 3L)
        .put("reason", "hash mismatch: the record's fields were altered"));
  }

  @Test
  @DisplayName("an altered record whose hash was recomputed breaks the link of the record after it")
  void rehashedRecordBreaksTheNextLink() {
    List<AuditRecord> records = chain(5);
    AuditRecord r3 = records.get(2);
    AuditRecord forged = new AuditRecord(3, r3.at(), r3.recordedAt(), r3.tenantId(), "mallory", r3.actorRole(),
        r3.action(), r3.target(), r3.outcome(), r3.clientIp(), r3.userAgent(), r3.correlationId(), r3.details(),
        r3.tags(), null, null).chained(r3.prevHash());
    records.set(2, forged);
    JsonObject result = verify(ChainVerifier.fromStart(), records);
    assertThat(result.getLong("brokenId")).isEqualTo(4L);
    assertThat(result.getString("reason")).isEqualTo(
        "prev_hash does not match the hash of record 3 (a record was deleted or reordered)");
  }

  @Test
  @DisplayName("a deleted record breaks the link of the record after it, naming the one before the gap")
  void deletedRecordBreaksTheNextLink() {
    List<AuditRecord> records = chain(5);
    records.remove(2);
    JsonObject result = verify(ChainVerifier.fromStart(), records);
    assertThat(result).isEqualTo(new JsonObject().put("ok", false).put("checked", 3L).put("brokenId", 4L)
        .put("reason", "prev_hash does not match the hash of record 2 (a record was deleted or reordered)"));
  }

  @Test
  @DisplayName("a deleted first record leaves the next one without the genesis link")
  void deletedFirstRecordIsFound() {
    List<AuditRecord> records = chain(3);
    records.remove(0);
    JsonObject result = verify(ChainVerifier.fromStart(), records);
    assertThat(result.getLong("brokenId")).isEqualTo(2L);
    assertThat(result.getString("reason")).startsWith("prev_hash is not the genesis value");
  }

  @Test
  @DisplayName("two records swapped in id order break at the first of them")
  void reorderedRecordsAreFound() {
    List<AuditRecord> records = chain(5);
    AuditRecord second = records.get(1);
    records.set(1, records.get(2));
    records.set(2, second);
    assertThat(verify(ChainVerifier.fromStart(), records).getLong("brokenId")).isEqualTo(3L);
  }

  @Test
  @DisplayName("records from before the chain are passed over and counted; the chain then starts from genesis")
  void recordsBeforeTheChainArePassedOver() {
    List<AuditRecord> records = new ArrayList<>(List.of(unchained(1), unchained(2)));
    byte[] prev = AuditChain.genesis();
    for (long id = 3; id <= 4; id++) {
      AuditRecord r = unchained(id).chained(prev);
      records.add(r);
      prev = r.hash();
    }
    assertThat(verify(ChainVerifier.fromStart(), records))
        .isEqualTo(new JsonObject().put("ok", true).put("checked", 2L).put("lastId", 4L).put("unchained", 2L));
  }

  @Test
  @DisplayName("a record whose hashes were removed inside the chain is a hash mismatch")
  void strippedHashesInsideTheChainAreFound() {
    List<AuditRecord> records = chain(4);
    records.set(2, records.get(2).withHashes(null, null));
    JsonObject result = verify(ChainVerifier.fromStart(), records);
    assertThat(result.getLong("brokenId")).isEqualTo(3L);
    assertThat(result.getString("reason")).isEqualTo(ChainVerifier.HASH_MISMATCH);
  }

  @Test
  @DisplayName("a walk over a range starts from the stored hash of the record before it")
  void rangeWalkStartsFromTheRecordBefore() {
    List<AuditRecord> records = chain(6);
    List<AuditRecord> range = records.subList(3, 6);
    assertThat(verify(ChainVerifier.after(3, records.get(2).hash()), range))
        .isEqualTo(new JsonObject().put("ok", true).put("checked", 3L).put("lastId", 6L));
    assertThat(verify(ChainVerifier.after(2, records.get(1).hash()), range).getString("reason"))
        .isEqualTo("prev_hash does not match the hash of record 2 (a record was deleted or reordered)");
  }

  @Test
  @DisplayName("the answer names ids and reasons only, never a record's content")
  void answerCarriesNoContent() {
    List<AuditRecord> records = chain(3);
    records.remove(1);
    JsonObject result = verify(ChainVerifier.fromStart(), records);
    assertThat(result.fieldNames()).containsExactlyInAnyOrder("ok", "checked", "brokenId", "reason");
    assertThat(result.encode()).doesNotContain("tenant content", "acme", "globex", "alice");
  }

  /** The seal of {@code records}: their hashes, in order. */
  private static List<byte[]> sealed(List<AuditRecord> records) {
    return records.stream().map(AuditRecord::hash).toList();
  }

  /** Feeds {@code records} (without their hashes) as the content of a seal of {@code sealedRecords}. */
  private static JsonObject verifySeal(List<AuditRecord> sealedRecords, List<AuditRecord> records) {
    ChainVerifier verifier = ChainVerifier.fromStart();
    List<byte[]> sealed = sealed(sealedRecords);
    int position = 0;
    for (AuditRecord r : records) {
      if (verifier.acceptSealed(r.withHashes(null, null), 7, position++, AuditChain.genesis(), sealed).isPresent()) {
        return verifier.result();
      }
    }
    verifier.sealEnded(7, sealedRecords.get(sealedRecords.size() - 1).id(), position, sealed.size());
    return verifier.result();
  }

  @Test
  @DisplayName("a seal's records verify against the hashes the seal holds")
  void sealedRecordsVerify() {
    List<AuditRecord> records = chain(4);
    assertThat(verifySeal(records, records))
        .isEqualTo(new JsonObject().put("ok", true).put("checked", 4L).put("lastId", 4L));
  }

  @Test
  @DisplayName("a record removed from the middle of a seal is named at the record after it")
  void recordRemovedInsideASealIsNamed() {
    List<AuditRecord> records = chain(5);
    List<AuditRecord> left = new ArrayList<>(records);
    left.remove(2);
    JsonObject result = verifySeal(records, left);
    assertThat(result.getBoolean("ok")).isFalse();
    assertThat(result.getLong("brokenId")).isEqualTo(4L);
    assertThat(result.getString("reason")).isEqualTo("the record sealed before it in seal 7 was removed");
  }

  @Test
  @DisplayName("a seal's last record removed is named at the seal's end")
  void lastRecordRemovedIsNamedAtTheSealsEnd() {
    List<AuditRecord> records = chain(3);
    JsonObject result = verifySeal(records, records.subList(0, 2));
    assertThat(result.getBoolean("ok")).isFalse();
    assertThat(result.getLong("brokenId")).isEqualTo(3L);
    assertThat(result.getString("reason")).isEqualTo("seal 7 holds 3 records, but only 2 are in its range (a record "
        + "was removed)");
  }

  @Test
  @DisplayName("a record added after a seal's last one is reported as added")
  void recordAddedToASealIsReported() {
    List<AuditRecord> records = chain(3);
    List<AuditRecord> more = new ArrayList<>(records);
    more.add(unchained(9));
    JsonObject result = verifySeal(records, more);
    assertThat(result.getBoolean("ok")).isFalse();
    assertThat(result.getLong("brokenId")).isEqualTo(9L);
    assertThat(result.getString("reason")).isEqualTo("seal 7 holds 3 records, but more are in its range (a record "
        + "was added)");
  }

  @Test
  @DisplayName("an altered record inside a seal is a hash mismatch at that record")
  void alteredSealedRecordIsAHashMismatch() {
    List<AuditRecord> records = chain(4);
    List<AuditRecord> altered = new ArrayList<>(records);
    AuditRecord r2 = records.get(1);
    altered.set(1, new AuditRecord(2, r2.at(), r2.recordedAt(), r2.tenantId(), "mallory", r2.actorRole(), r2.action(),
        r2.target(), r2.outcome(), r2.clientIp(), r2.userAgent(), r2.correlationId(), r2.details(), r2.tags(), null,
        null));
    JsonObject result = verifySeal(records, altered);
    assertThat(result.getLong("brokenId")).isEqualTo(2L);
    assertThat(result.getString("reason")).isEqualTo(ChainVerifier.HASH_MISMATCH);
  }

  @Test
  @DisplayName("from a checkpoint the rest of the chain verifies, a gap after it is found, and the answer reports it")
  void verifiesFromACheckpoint() {
    List<AuditRecord> records = chain(6);
    Checkpoint checkpoint = new Checkpoint(2, 3, records.get(2).hash(), 3, Instant.parse("2025-03-01T00:00:00Z"));
    JsonObject result = verify(ChainVerifier.fromCheckpoint(checkpoint), records.subList(3, 6));
    assertThat(result.getBoolean("ok")).as(result.encode()).isTrue();
    assertThat(result.getLong("checked")).isEqualTo(3);
    assertThat(result.getJsonObject("checkpoint")).isEqualTo(new JsonObject()
        .put("hash", AuditChain.hex(records.get(2).hash())).put("archived", 3L)
        .put("archivedAt", "2025-03-01T00:00:00.000000Z").put("sealId", 2L).put("lastId", 3L));

    JsonObject gap = verify(ChainVerifier.fromCheckpoint(checkpoint), records.subList(4, 6));
    assertThat(gap.getBoolean("ok")).isFalse();
    assertThat(gap.getLong("brokenId")).isEqualTo(5);
    assertThat(gap.getString("reason")).contains("record 3");

    ChainVerifier forTenant = ChainVerifier.fromCheckpoint(checkpoint);
    verify(forTenant, records.subList(3, 6));
    assertThat(forTenant.resultFor("acme").getJsonObject("checkpoint"))
        .as("a tenant's answer names no record or seal of the archived part").isEqualTo(new JsonObject()
            .put("hash", AuditChain.hex(records.get(2).hash())).put("archived", 3L)
            .put("archivedAt", "2025-03-01T00:00:00.000000Z"));
  }
}
