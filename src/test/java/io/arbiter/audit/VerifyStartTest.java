package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.audit.VerifyStart.Kind;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A whole-chain verification starts at the later of the archival and the verified checkpoint")
class VerifyStartTest {

  private static final Instant ARCHIVED_AT = Instant.parse("2025-03-01T00:00:00Z");
  private static final Instant VERIFIED_AT = Instant.parse("2025-03-02T00:00:00Z");

  private static Checkpoint archived(long sealId) {
    return new Checkpoint(sealId, sealId * 10, new byte[32], 100, ARCHIVED_AT);
  }

  private static VerifiedCheckpoint verified(long sealId) {
    byte[] hash = new byte[32];
    hash[0] = 1;
    return new VerifiedCheckpoint(sealId, sealId * 10 + 5, hash, VERIFIED_AT, hash);
  }

  @Test
  @DisplayName("with neither checkpoint it starts at the first record of the log")
  void startsAtGenesisWithoutCheckpoints() {
    assertThat(VerifyStart.choose(null, null, false).kind()).isEqualTo(Kind.GENESIS);
    assertThat(VerifyStart.choose(null, null, true).kind()).isEqualTo(Kind.GENESIS);
  }

  @Test
  @DisplayName("the verified checkpoint wins when it is later than the archival one, or when nothing was archived")
  void laterVerifiedCheckpointWins() {
    assertThat(VerifyStart.choose(null, verified(3), false).kind()).isEqualTo(Kind.VERIFIED);
    assertThat(VerifyStart.choose(archived(2), verified(3), false).kind()).isEqualTo(Kind.VERIFIED);
    assertThat(VerifyStart.choose(archived(0), verified(1), false).kind())
        .as("a checkpoint of records from before seals only").isEqualTo(Kind.VERIFIED);
  }

  @Test
  @DisplayName("the archival checkpoint wins when it is later or names the same seal: archived records are gone")
  void laterOrEqualArchivalCheckpointWins() {
    assertThat(VerifyStart.choose(archived(5), verified(3), false).kind()).isEqualTo(Kind.ARCHIVED);
    assertThat(VerifyStart.choose(archived(3), verified(3), false).kind()).isEqualTo(Kind.ARCHIVED);
    assertThat(VerifyStart.choose(archived(5), null, false).kind()).isEqualTo(Kind.ARCHIVED);
  }

  @Test
  @DisplayName("a full walk ignores the verified checkpoint but never starts before the archival one")
  void fullWalkIgnoresTheVerifiedCheckpoint() {
    assertThat(VerifyStart.choose(null, verified(3), true).kind()).isEqualTo(Kind.GENESIS);
    assertThat(VerifyStart.choose(archived(2), verified(3), true).kind()).isEqualTo(Kind.ARCHIVED);
  }

  @Test
  @DisplayName("chosen again after archival moved, the later of the two still wins, and full stays full")
  void choiceFollowsArchival() {
    VerifyStart start = VerifyStart.choose(archived(2), verified(3), false);
    assertThat(start.withArchived(archived(4)).kind()).isEqualTo(Kind.ARCHIVED);
    assertThat(start.withArchived(archived(4)).archived().sealId()).isEqualTo(4);
    assertThat(VerifyStart.choose(null, verified(3), true).withArchived(archived(1)).kind()).isEqualTo(Kind.ARCHIVED);
  }

  @Test
  @DisplayName("the answer names the kind, hash and time for everyone, and the seal and record for the platform role")
  void answerNamesTheStart() {
    JsonObject platform = VerifyStart.choose(archived(2), verified(3), false).toJson(true);
    assertThat(platform).isEqualTo(new JsonObject().put("kind", "verified").put("hash", "01" + "00".repeat(31))
        .put("at", "2025-03-02T00:00:00.000000Z").put("sealId", 3L).put("recordId", 35L));
    JsonObject tenant = VerifyStart.choose(archived(5), verified(3), false).toJson(false);
    assertThat(tenant).isEqualTo(new JsonObject().put("kind", "archived").put("hash", "00".repeat(32))
        .put("at", "2025-03-01T00:00:00.000000Z"));
    assertThat(VerifyStart.choose(null, null, false).toJson(true)).isEqualTo(new JsonObject().put("kind", "genesis"));
  }

  @Test
  @DisplayName("a walk from the verified checkpoint continues its chain, and records how far it reached")
  void walkFromTheVerifiedCheckpointReachesItsLastSeal() {
    List<AuditRecord> records = ChainVerifierTest.chain(6);
    AuditRecord third = records.get(2);
    VerifiedCheckpoint at = new VerifiedCheckpoint(1, 3, third.hash(), VERIFIED_AT, third.hash());
    ChainVerifier verifier = ChainVerifier.fromVerified(at);
    List<AuditRecord> next = records.subList(3, 6);
    List<byte[]> sealed = next.stream().map(AuditRecord::hash).toList();
    for (int i = 0; i < next.size(); i++) {
      assertThat(verifier.acceptSealed(next.get(i).withHashes(null, null), 2, i, third.hash(), sealed)).isEmpty();
    }
    verifier.sealEnded(2, 6, 3, 3);
    assertThat(verifier.result().getLong("checked")).isEqualTo(3);
    assertThat(verifier.reached()).hasValueSatisfying(reached -> {
      assertThat(reached.sealId()).isEqualTo(2);
      assertThat(reached.lastId()).isEqualTo(6);
      assertThat(reached.hash()).isEqualTo(records.get(5).hash());
    });
  }

  @Test
  @DisplayName("a walk that finds a break reaches nothing, so the verified checkpoint stays where it was")
  void brokenWalkReachesNothing() {
    List<AuditRecord> records = ChainVerifierTest.chain(4);
    ChainVerifier verifier = ChainVerifier.fromVerified(
        new VerifiedCheckpoint(1, 1, records.get(0).hash(), VERIFIED_AT, records.get(0).hash()));
    List<AuditRecord> next = records.subList(1, 4);
    List<byte[]> sealed = next.stream().map(AuditRecord::hash).toList();
    verifier.acceptSealed(next.get(0).withHashes(null, null), 2, 0, records.get(0).hash(), sealed);
    verifier.sealEnded(2, 4, 1, 3);
    assertThat(verifier.broken()).isPresent();
    assertThat(verifier.reached()).isEmpty();
    assertThat(ChainVerifier.fromStart().reached()).as("no seal walked").isEmpty();
  }

  @Test
  @DisplayName("a verified seal that no longer holds the hash it verified with is a break at its last record")
  void changedVerifiedSealIsABreak() {
    byte[] hash = new byte[32];
    byte[] changed = new byte[32];
    changed[31] = 7;
    JsonObject altered = ChainVerifier.fromVerified(new VerifiedCheckpoint(4, 40, hash, VERIFIED_AT, changed))
        .result();
    assertThat(altered.getBoolean("ok")).isFalse();
    assertThat(altered.getLong("brokenId")).isEqualTo(40);
    assertThat(altered.getString("reason")).contains("seal 4 no longer holds the hash");
    assertThat(ChainVerifier.fromVerified(new VerifiedCheckpoint(4, 40, hash, VERIFIED_AT, null)).broken())
        .as("the seal is gone").isPresent();
    assertThat(ChainVerifier.fromVerified(new VerifiedCheckpoint(4, 40, hash, VERIFIED_AT, null))
        .resultFor("acme").containsKey("brokenId")).as("no tenant owns a seal").isFalse();
  }
}
