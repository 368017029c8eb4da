package io.arbiter.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/**
 * Where a whole-chain verification (no time range) starts: after the last verified seal when that is later than the
 * latest archival checkpoint (only what was sealed since is walked), else at the archival checkpoint, else at the
 * first record of the log. A full walk ignores the verified checkpoint; nothing starts before the archival
 * checkpoint, whose records are gone.
 */
public record VerifyStart(Kind kind, Checkpoint archived, VerifiedCheckpoint verified, boolean full) {

  /** The three start points, named in the answer's {@code from.kind}. */
  public enum Kind {
    /** After the last seal a verification found intact. */
    VERIFIED,
    /** At the latest archival checkpoint: the first stored record links to its hash. */
    ARCHIVED,
    /** At the first record of the log. */
    GENESIS;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The start for the archival checkpoint {@code archived} and the verified one {@code verified} (each null when there
   * is none); {@code full}: walk every stored record. On a tie the archival checkpoint wins: both name the same seal.
   */
  public static VerifyStart choose(Checkpoint archived, VerifiedCheckpoint verified, boolean full) {
    if (!full && verified != null && (archived == null || verified.sealId() > archived.sealId())) {
      return new VerifyStart(Kind.VERIFIED, archived, verified, false);
    }
    return new VerifyStart(archived == null ? Kind.GENESIS : Kind.ARCHIVED, archived, verified, full);
  }

  /** The same choice once archival moved its checkpoint to {@code now}. */
  public VerifyStart withArchived(Checkpoint now) {
    return choose(now, verified, full);
  }

  /**
   * The answer's {@code from}: {@code {kind, hash, at}} ({@code at}: when it was verified or archived; neither for the
   * genesis), plus {@code sealId} and {@code recordId} (the last seal and record before the walk) for the platform
   * role.
   */
  public JsonObject toJson(boolean platform) {
    JsonObject json = new JsonObject().put("kind", kind.wire());
    return switch (kind) {
      case VERIFIED -> point(json, verified.hash(), verified.verifiedAt(), verified.sealId(), verified.lastId(),
          platform);
      case ARCHIVED -> point(json, archived.hash(), archived.archivedAt(), archived.sealId(), archived.lastId(),
          platform);
      case GENESIS -> json;
    };
  }

  private static JsonObject point(JsonObject json, byte[] hash, Instant at, long sealId, long recordId,
                                  boolean platform) {
    json.put("hash", AuditChain.hex(hash)).put("at", AuditChain.timestamp(at));
    return platform ? json.put("sealId", sealId).put("recordId", recordId) : json;
  }
}
