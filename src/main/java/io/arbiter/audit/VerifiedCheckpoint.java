package io.arbiter.audit;

import java.time.Instant;
import java.util.Arrays;

/**
 * How far the stored chain last verified intact ({@code audit_verified}): the last seal a whole-chain verification
 * walked ({@code sealId}), its last record ({@code lastId}) and that record's chain hash, and when. The next
 * whole-chain verification may start here: the first record of the next seal must link to {@code hash}.
 *
 * @param sealHash the hash seal {@code sealId} holds now, read with the checkpoint (null when the seal is gone): equal
 *                 to {@code hash} unless the seal was changed after it verified
 */
public record VerifiedCheckpoint(long sealId, long lastId, byte[] hash, Instant verifiedAt, byte[] sealHash) {

  /** What a walk reached: seal {@code sealId}, ending with record {@code lastId} whose hash is {@code hash}. */
  public static VerifiedCheckpoint reached(long sealId, long lastId, byte[] hash) {
    return new VerifiedCheckpoint(sealId, lastId, hash, null, hash);
  }

  /** Whether its seal still holds the hash it verified with. */
  public boolean sealIntact() {
    return Arrays.equals(hash, sealHash);
  }
}
