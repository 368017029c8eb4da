package io.arbiter.policy;

/**
 * The SQL of the token deny list ({@code revoked_tokens}). Revoking is scoped by tenant; the reload and the purge read
 * across tenants on purpose: every node must refuse every revoked token, whichever tenant it belongs to.
 */
final class RevocationSql {
  private RevocationSql() {}

  /**
   * $1 tenant, $2 jti, $3 expires at, $4 who. Revoking a listed token again keeps the later expiry; {@code existed}
   * tells a repeat from a first revocation.
   */
  static final String REVOKE = """
      INSERT INTO revoked_tokens AS r (tenant_id, jti, expires_at, revoked_by)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (tenant_id, jti) DO UPDATE SET expires_at = GREATEST(r.expires_at, EXCLUDED.expires_at)
      RETURNING r.*, (xmax <> 0) AS existed
      """;

  /**
   * $1 revoked at or after (or null for all): one row, {@code as_of} (the database's clock, where the next reload
   * starts from) and {@code items}, the entries not yet expired as a JSON array of {@code {tenantId, jti, expiresAt}}
   * (epoch ms).
   */
  static final String UNEXPIRED_SINCE = """
      SELECT now() AS as_of,
             COALESCE(jsonb_agg(jsonb_build_object('tenantId', tenant_id, 'jti', jti,
                                                   'expiresAt', (extract(epoch FROM expires_at) * 1000)::bigint)),
                      '[]'::jsonb) AS items
      FROM revoked_tokens
      WHERE expires_at > now() AND ($1::timestamptz IS NULL OR revoked_at >= $1)
      """;

  /** Deletes the entries whose token has expired: such a token is refused for its expiry already. */
  static final String PURGE_EXPIRED = "DELETE FROM revoked_tokens WHERE expires_at <= now()";
}
