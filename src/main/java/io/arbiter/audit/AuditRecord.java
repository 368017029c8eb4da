package io.arbiter.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One record of {@code audit_log}, with the values PostgreSQL returns for it. {@code prevHash} and {@code hash} are
 * null for records written before the chain existed, and before {@link AuditChain} chained a new record.
 */
public record AuditRecord(long id, Instant at, Instant recordedAt, String tenantId, String actorSub, String actorRole,
                          String action, String target, String outcome, String clientIp, String userAgent,
                          String correlationId, JsonObject details, List<String> tags, byte[] prevHash, byte[] hash) {

  public AuditRecord {
    tags = Collections.unmodifiableList(new ArrayList<>(tags));
  }

  /** The same record, chained after {@code prevHash}. */
  public AuditRecord chained(byte[] prevHash) {
    return withHashes(prevHash, AuditChain.hash(prevHash, this));
  }

  public AuditRecord withHashes(byte[] prevHash, byte[] hash) {
    return new AuditRecord(id, at, recordedAt, tenantId, actorSub, actorRole, action, target, outcome, clientIp,
        userAgent, correlationId, details, tags, prevHash, hash);
  }

  /** The API's form: every field, timestamps as in the canonical form, hashes in hex (null before the chain). */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("at", AuditChain.timestamp(at))
        .put("recordedAt", AuditChain.timestamp(recordedAt)).put("tenant", tenantId).put("actor", actorSub)
        .put("actorRole", actorRole).put("action", action).put("target", target).put("outcome", outcome)
        .put("clientIp", clientIp).put("userAgent", userAgent).put("correlationId", correlationId)
        .put("details", details).put("tags", new JsonArray(tags))
        .put("prevHash", AuditChain.hex(prevHash)).put("hash", AuditChain.hex(hash));
  }
}
