package io.arbiter.audit;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Walks audit records in chain order and finds the first break of the chain ({@link AuditChain}). A record is intact when
 * its hash is the hash of its own fields after its prev_hash, and its prev_hash is the hash of the record before it
 * (the genesis value for the first record of the chain). Records from before the chain existed (no hashes, all ahead
 * of the first chained record) are counted as {@code unchained}, not checked.
 *
 * <p>Feed it pages with {@link #accept} until it reports a break or the records run out; {@link #result} is the
 * answer of {@code GET /api/v1/audit/verify}, which names ids and reasons only, never a record's content.
 */
public final class ChainVerifier {

  static final String HASH_MISMATCH = "hash mismatch: the record's fields were altered";
  static final String OTHER_TENANT = "the chain is broken at a record outside this tenant: a platform verification "
      + "(role platform) names it";

  /** The first record that does not verify, and why. */
  public record Break(long id, String reason) {}

  private byte[] previousHash;
  private long previousId;
  private long checked;
  private long unchained;
  private Long lastId;
  private Break broken;
  /** Per tenant: records checked and the last one's id, for an answer scoped to one tenant ({@link #resultFor}). */
  private final Map<String, long[]> perTenant = new HashMap<>();
  private String brokenTenant;
  private Checkpoint checkpoint;
  private VerifyStart start;
  private VerifiedCheckpoint reached;

  private ChainVerifier(long previousId, byte[] previousHash) {
    this.previousId = previousId;
    this.previousHash = previousHash;
  }

  /** A walk from the first record of the log. */
  public static ChainVerifier fromStart() {
    return new ChainVerifier(0, null);
  }

  /** A walk that starts after the record {@code id}, whose stored hash is taken as given (null before the chain). */
  public static ChainVerifier after(long id, byte[] hash) {
    return new ChainVerifier(id, hash);
  }

  /**
   * A walk that starts at the latest checkpoint: the first stored record must link to the last archived one's hash.
   * The answer reports the checkpoint.
   */
  public static ChainVerifier fromCheckpoint(Checkpoint checkpoint) {
    ChainVerifier verifier = new ChainVerifier(checkpoint.lastId(), checkpoint.hash());
    verifier.checkpoint = checkpoint;
    return verifier;
  }

  /**
   * A walk that starts after the last seal a verification found intact: the first record of the next seal must link to
   * the verified hash. A seal that no longer holds the hash it verified with is a break at its last record.
   */
  public static ChainVerifier fromVerified(VerifiedCheckpoint verified) {
    ChainVerifier verifier = new ChainVerifier(verified.lastId(), verified.hash());
    if (!verified.sealIntact()) {
      verifier.breakAt(verified.lastId(), "seal " + verified.sealId() + " no longer holds the hash it verified with "
          + "(the seal was altered or removed)");
    }
    return verifier;
  }

  /** The same walk, reporting where a whole-chain walk started ({@code from}) in its answer. */
  public ChainVerifier startingAt(VerifyStart start) {
    this.start = start;
    return this;
  }

  /** The same walk, reporting {@code checkpoint} (the chain's stored part starts there) in its answer. */
  public ChainVerifier reporting(Checkpoint checkpoint) {
    this.checkpoint = checkpoint;
    return this;
  }

  /** Checks the next record in id order; after a break, it ignores everything. */
  public Optional<Break> accept(AuditRecord record) {
    if (broken != null) {
      return Optional.of(broken);
    }
    if (record.hash() == null && record.prevHash() == null && previousHash == null) {
      unchained++;
      previousId = record.id();
      return Optional.empty();
    }
    checked++;
    String reason = reasonOf(record);
    if (reason != null) {
      broken = new Break(record.id(), reason);
      brokenTenant = record.tenantId();
      return Optional.of(broken);
    }
    previousId = record.id();
    previousHash = record.hash();
    lastId = record.id();
    long[] own = perTenant.computeIfAbsent(record.tenantId(), t -> new long[2]);
    own[0]++;
    own[1] = record.id();
    return Optional.empty();
  }

  private String reasonOf(AuditRecord record) {
    if (record.hash() == null || record.prevHash() == null || record.prevHash().length != AuditChain.HASH_BYTES
        || !Arrays.equals(record.hash(), AuditChain.hash(record.prevHash(), record))) {
      return HASH_MISMATCH;
    }
    if (previousHash == null) {
      return AuditChain.isGenesis(record.prevHash()) ? null
          : "prev_hash is not the genesis value although no chained record precedes it "
              + "(a record was deleted or reordered)";
    }
    return Arrays.equals(record.prevHash(), previousHash) ? null
        : "prev_hash does not match the hash of record " + previousId + " (a record was deleted or reordered)";
  }

  /**
   * The same walk, continued after the record {@code id} whose stored hash is taken as given: a verification that
   * skips records between two parts of the chain it checks.
   */
  public ChainVerifier continueAfter(long id, byte[] hash) {
    if (broken == null) {
      previousId = id;
      previousHash = hash;
    }
    return this;
  }

  /**
   * Checks the record at {@code position} of seal {@code sealId}, whose hashes the seal holds ({@code sealed}, in
   * chain order, and {@code sealPrevHash} before the first). A record in the seal's range beyond its count was added;
   * a record whose hash is the seal's next one means the record sealed at its position was removed.
   */
  public Optional<Break> acceptSealed(AuditRecord record, long sealId, int position, byte[] sealPrevHash,
                                      List<byte[]> sealed) {
    if (broken != null) {
      return Optional.of(broken);
    }
    if (position >= sealed.size()) {
      return breakAt(record.id(), "seal " + sealId + " holds " + sealed.size() + " records, but more are in its range "
          + "(a record was added)");
    }
    byte[] prevHash = position == 0 ? sealPrevHash : sealed.get(position - 1);
    byte[] hash = sealed.get(position);
    if (position + 1 < sealed.size() && !Arrays.equals(hash, AuditChain.hash(prevHash, record))
        && Arrays.equals(sealed.get(position + 1), AuditChain.hash(hash, record))) {
      checked++;
      return breakAt(record.id(), "the record sealed before it in seal " + sealId + " was removed");
    }
    return accept(record.withHashes(prevHash, hash));
  }

  /**
   * Ends seal {@code sealId} after {@code seen} of its records: fewer than it holds means records were removed. A seal
   * that ends intact is how far the walk {@link #reached}.
   */
  public Optional<Break> sealEnded(long sealId, long sealLastId, int seen, int sealedCount) {
    if (broken == null && seen < sealedCount) {
      return breakAt(sealLastId, "seal " + sealId + " holds " + sealedCount + " records, but only " + seen
          + " are in its range (a record was removed)");
    }
    if (broken == null) {
      reached = VerifiedCheckpoint.reached(sealId, sealLastId, previousHash);
    }
    return broken();
  }

  /**
   * The last seal the walk found intact, with its last record and that record's hash, while nothing is broken: where
   * the next whole-chain verification may start. Empty after a break, or when no seal was walked to its end.
   */
  public Optional<VerifiedCheckpoint> reached() {
    return broken == null ? Optional.ofNullable(reached) : Optional.empty();
  }

  private Optional<Break> breakAt(long id, String reason) {
    broken = new Break(id, reason);
    return Optional.of(broken);
  }

  public Optional<Break> broken() {
    return Optional.ofNullable(broken);
  }

  /** Records checked so far (a broken one included; unchained ones not). */
  public long checked() {
    return checked;
  }

  /**
   * {@code {ok: true, checked, lastId}} or {@code {ok: false, checked, brokenId, reason}}; {@code unchained} is added
   * when records from before the chain were passed over, {@code checkpoint} when part of the chain was archived, and
   * {@code from} when a whole-chain walk {@linkplain #startingAt started} at a chosen point.
   */
  public JsonObject result() {
    JsonObject result = new JsonObject().put("ok", broken == null).put("checked", checked);
    if (broken == null) {
      result.put("lastId", lastId);
    } else {
      result.put("brokenId", broken.id()).put("reason", broken.reason());
    }
    if (unchained > 0) {
      result.put("unchained", unchained);
    }
    if (checkpoint != null) {
      result.put("checkpoint", checkpoint.toJson(true));
    }
    if (start != null) {
      result.put("from", start.toJson(true));
    }
    return result;
  }

  /**
   * {@link #result} for one tenant's auditor: the walk checked the whole chain (its integrity depends on every record),
   * but the answer counts and names that tenant's records only, and a break at another tenant's record (or at a seal,
   * which no tenant owns) comes without its id.
   */
  public JsonObject resultFor(String tenantId) {
    long[] own = perTenant.getOrDefault(tenantId, new long[2]);
    JsonObject result = new JsonObject().put("ok", broken == null).put("checked", own[0]);
    if (broken == null) {
      result.put("lastId", own[0] == 0 ? null : own[1]);
    } else if (tenantId.equals(brokenTenant)) {
      result.put("brokenId", broken.id()).put("reason", broken.reason());
    } else {
      result.put("reason", OTHER_TENANT);
    }
    if (checkpoint != null) {
      result.put("checkpoint", checkpoint.toJson(false));
    }
    if (start != null) {
      result.put("from", start.toJson(false));
    }
    return result;
  }
}
