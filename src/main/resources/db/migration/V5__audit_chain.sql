-- The tamper-evident audit trail. audit_log becomes append-only (a trigger refuses UPDATE, DELETE and TRUNCATE, even
-- for the table's owner), and each row is chained to the one before it: hash = SHA-256(prev_hash || canonical form of
-- the row), computed by the audit verticle (io.arbiter.audit.AuditChain defines the canonical form) while it holds
-- the drain lock, so the chain has one writer across nodes. Rows written before this migration keep null hashes:
-- they precede the chain, whose first row links to the genesis value (32 zero bytes).

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'audit records are never changed or removed; GET /api/v1/audit/verify checks the hash chain';
END;
$$;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- A chained row has both hashes (SHA-256, 32 bytes); only rows from before the chain have neither.
ALTER TABLE audit_log ADD CONSTRAINT audit_log_hashes_sha256 CHECK (
  (prev_hash IS NULL AND hash IS NULL) OR (octet_length(prev_hash) = 32 AND octet_length(hash) = 32));

-- The canonical form hashes details as a JSON object; refuse anything else where it is written, not where it is moved.
ALTER TABLE audit_outbox ADD CONSTRAINT audit_outbox_details_object CHECK (jsonb_typeof(details) = 'object');
ALTER TABLE audit_log ADD CONSTRAINT audit_log_details_object CHECK (jsonb_typeof(details) = 'object');

-- The query API: one tenant's records, newest first, optionally filtered by actor, target or outcome
-- (audit_log_tenant_action and audit_log_tenant_at of V1 serve the action and time filters).
CREATE INDEX audit_log_tenant_id ON audit_log (tenant_id, id);
CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor_sub, id);
CREATE INDEX audit_log_tenant_target ON audit_log (tenant_id, target, id);
CREATE INDEX audit_log_tenant_outcome ON audit_log (tenant_id, outcome, id);

-- Verify by time range: the first and last record of a range, across tenants.
CREATE INDEX audit_log_at_id ON audit_log (at, id);
