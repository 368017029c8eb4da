package io.arbiter.policy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One entry of the token deny list: the token {@code jti} of {@code tenantId} is refused until {@code expiresAt}. */
public record RevokedToken(String tenantId, String jti, Instant expiresAt, String revokedBy, Instant revokedAt) {

  public JsonObject toJson() {
    return new JsonObject().put("tenantId", tenantId).put("jti", jti).put("expiresAt", expiresAt.toString())
        .put("revokedBy", revokedBy).put("revokedAt", revokedAt.toString());
  }
}
