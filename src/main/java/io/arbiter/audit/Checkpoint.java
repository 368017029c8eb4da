package io.arbiter.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Where the stored audit chain starts once a prefix of it was archived ({@code audit_checkpoints}): the last archived
 * seal ({@code sealId}, 0 when only records from before seals were archived), the last archived record
 * ({@code lastId}) and its chain hash, the records archived up to here, and when. The first record still stored links
 * to {@code hash}; the archived records' hashes stay in their seals.
 */
public record Checkpoint(long sealId, long lastId, byte[] hash, long archived, Instant archivedAt) {

  /** The verify reply's form: for the platform role every field, for a tenant's auditor no record or seal id. */
  public JsonObject toJson(boolean platform) {
    JsonObject json = new JsonObject().put("hash", AuditChain.hex(hash)).put("archived", archived)
        .put("archivedAt", AuditChain.timestamp(archivedAt));
    if (platform) {
      json.put("sealId", sealId).put("lastId", lastId);
    }
    return json;
  }
}
