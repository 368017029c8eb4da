-- Incremental verification. The last whole-chain verification that found the chain intact records how far it reached:
-- the last seal it walked, that seal's last record and its chain hash. The next whole-chain verification starts there
-- (or at the latest archival checkpoint, whichever is later) and walks only what was sealed since. One row, moved
-- only forward by a guarded upsert; GET /api/v1/audit/verify?full=true still walks every stored record.
CREATE TABLE audit_verified (
  id          smallint    NOT NULL DEFAULT 1,
  seal_id     bigint      NOT NULL,
  last_id     bigint      NOT NULL,
  hash        bytea       NOT NULL,
  verified_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT audit_verified_pkey PRIMARY KEY (id),
  CONSTRAINT audit_verified_one_row CHECK (id = 1),
  CONSTRAINT audit_verified_sealed CHECK (seal_id > 0 AND last_id > 0),
  CONSTRAINT audit_verified_sha256 CHECK (octet_length(hash) = 32)
);
