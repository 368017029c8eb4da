-- The deny list of token ids (the jti claim): a token whose tenant and jti are listed here is refused until it
-- expires, after which its row is purged (an expired token is refused anyway).
CREATE TABLE revoked_tokens (
  jti        text        NOT NULL,
  tenant_id  text        NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_by text        NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT revoked_tokens_pkey PRIMARY KEY (tenant_id, jti),
  CONSTRAINT revoked_tokens_jti_length CHECK (length(jti) BETWEEN 1 AND 200),
  CONSTRAINT revoked_tokens_tenant_length CHECK (length(tenant_id) BETWEEN 1 AND 200)
);

-- Each node reloads what was revoked since its last look.
CREATE INDEX revoked_tokens_revoked_at ON revoked_tokens (revoked_at);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
