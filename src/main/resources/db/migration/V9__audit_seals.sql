-- One write per audit event. A domain that changes state inserts its audit events straight into audit_log, in the
-- transaction of the change; the outbox (an insert, a copy into the log and a delete per event) is gone.
--
-- The hash chain keeps its definition (each record's hash = SHA-256(previous record's hash || canonical form)), but
-- its hashes are no longer written into the records: the audit verticle seals batches. A seal covers every record
-- written by the transactions whose ids lie in [from_txid, to_txid), in chain order (transaction id, then record id),
-- and stores their hashes, 32 bytes each, in one row. It seals only transaction ids below the oldest transaction still
-- running (pg_snapshot_xmin), so no record can later appear inside a sealed range. Rows written before this migration
-- keep their own hashes and open the chain; the first seal follows the last of them.

ALTER TABLE audit_log
  ALTER COLUMN at SET DEFAULT clock_timestamp(),
  ALTER COLUMN details SET DEFAULT '{}'::jsonb,
  ALTER COLUMN tags SET DEFAULT '{}',
  ALTER COLUMN outbox_seq DROP NOT NULL,
  ADD COLUMN txid bigint;

-- Existing rows keep a null txid (they are chained by their own hashes); new rows take their writer's transaction id.
ALTER TABLE audit_log ALTER COLUMN txid SET DEFAULT pg_current_xact_id()::text::bigint;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_outbox_seq_unique;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_chained_one_way CHECK (txid IS NULL OR (prev_hash IS NULL AND hash IS NULL));
CREATE INDEX audit_log_txid ON audit_log (txid, id) WHERE txid IS NOT NULL;
-- The pre-seal records, found without walking the sealed ones; new rows never enter this index.
CREATE INDEX audit_log_pre_seal ON audit_log (id) WHERE txid IS NULL;

-- Fewer indexes on a table every task transition writes: an outcome filter is served by audit_log_tenant_id.
DROP INDEX audit_log_tenant_outcome;

-- Events still waiting in the outbox become records of this migration's transaction, sealed like any other.
INSERT INTO audit_log (at, tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent,
                       correlation_id, details, tags, outbox_seq)
SELECT at, tenant_id, actor_sub, actor_role, action, target, outcome, client_ip, user_agent, correlation_id, details,
       tags, seq
FROM audit_outbox ORDER BY seq;
DROP TABLE audit_outbox;

CREATE TABLE audit_seals (
  id         bigint      GENERATED ALWAYS AS IDENTITY,
  from_txid  bigint      NOT NULL,
  to_txid    bigint      NOT NULL,
  records    integer     NOT NULL,
  first_at   timestamptz NOT NULL,
  last_at    timestamptz NOT NULL,
  last_id    bigint      NOT NULL,
  prev_hash  bytea       NOT NULL,
  hash       bytea       NOT NULL,
  hashes     bytea       NOT NULL,
  sealed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT audit_seals_pkey PRIMARY KEY (id),
  CONSTRAINT audit_seals_range CHECK (from_txid < to_txid),
  CONSTRAINT audit_seals_records CHECK (records > 0 AND octet_length(hashes) = 32 * records),
  CONSTRAINT audit_seals_sha256 CHECK (octet_length(prev_hash) = 32 AND octet_length(hash) = 32),
  CONSTRAINT audit_seals_to_unique UNIQUE (to_txid)
);
-- Verify by time range: the seals whose records overlap it.
CREATE INDEX audit_seals_at ON audit_seals (last_at, first_at);

CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'audit records are never changed or removed; GET /api/v1/audit/verify checks the hash chain';
END;
$$;

CREATE TRIGGER audit_seals_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_seals
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
