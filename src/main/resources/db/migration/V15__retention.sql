-- Retention. Finished tasks (succeeded, canceled) older than their tenant's retention are purged with every row that
-- references them; dead tasks stay until an operator requeues or purges them. The audit trail keeps its chain across
-- what it no longer holds: a prefix of whole seals is archived (the records' bodies removed, the seals with every
-- record's hash kept), and a checkpoint names the last archived record and its hash, where verification starts.

-- Rows of a task go with it.
ALTER TABLE task_results DROP CONSTRAINT task_results_task_fk,
  ADD CONSTRAINT task_results_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE;
ALTER TABLE routing_decisions DROP CONSTRAINT routing_decisions_task_fk,
  ADD CONSTRAINT routing_decisions_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE;
ALTER TABLE task_history_archive DROP CONSTRAINT task_history_task_fk,
  ADD CONSTRAINT task_history_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE;

-- The purge: a tenant's finished tasks, oldest first.
CREATE INDEX tasks_purgeable ON tasks (tenant_id, finished_at) WHERE state IN ('succeeded', 'canceled');

-- One row per archival step; the latest is where verification starts. seal_id 0: only records from before seals
-- existed were archived.
CREATE TABLE audit_checkpoints (
  id          bigint      GENERATED ALWAYS AS IDENTITY,
  seal_id     bigint      NOT NULL,
  last_id     bigint      NOT NULL,
  hash        bytea       NOT NULL,
  records     bigint      NOT NULL,
  archived    bigint      NOT NULL,
  horizon     timestamptz NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT audit_checkpoints_pkey PRIMARY KEY (id),
  CONSTRAINT audit_checkpoints_sha256 CHECK (octet_length(hash) = 32),
  CONSTRAINT audit_checkpoints_records CHECK (records > 0 AND archived >= records),
  CONSTRAINT audit_checkpoints_seal_unique UNIQUE (seal_id)
);

CREATE TRIGGER audit_checkpoints_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- audit_log stays append-only, except for the DELETE that arbiter_archive_audit runs itself.
CREATE FUNCTION audit_log_refuse_change_unless_archiving() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('arbiter.audit_archiving', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation',
          HINT = 'audit records are never changed; only arbiter_archive_audit removes archived ones';
END;
$$;

DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change_unless_archiving();

-- The task a record names as its target (task:<uuid>), or null.
CREATE FUNCTION audit_task_id(target text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN target ~ '^task:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
              THEN substr(target, 6)::uuid END
$$;

-- Archives the chain's prefix up to seal upto_seal: first the records from before seals existed (all of them at once),
-- then whole seals in order, stopping at the first seal that holds a record at or after the horizon, a record of a
-- task that still exists, or not exactly the records it sealed. The horizon must lie a day in the past at least, so
-- that no caller removes what was written today (STRICT: a null argument archives nothing). Returns the new
-- checkpoint, or no row when nothing was archived.
-- Runs as its owner (the schema's owner), so the service role, which may not delete audit records, can call it.
CREATE FUNCTION arbiter_archive_audit(horizon timestamptz, upto_seal bigint)
RETURNS TABLE (seal_id bigint, last_id bigint, hash bytea, records bigint, archived bigint)
LANGUAGE plpgsql STRICT SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  cp        audit_checkpoints%ROWTYPE;
  s         audit_seals%ROWTYPE;
  done_seal bigint;
  done_id   bigint;
  done_hash bytea;
  moved     bigint := 0;
  n         bigint;
BEGIN
  IF horizon > clock_timestamp() - interval '1 day' THEN
    RAISE EXCEPTION 'the archive horizon % is less than a day old', horizon USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('arbiter.audit.drain'));
  SELECT * INTO cp FROM audit_checkpoints c ORDER BY c.id DESC LIMIT 1;
  done_seal := cp.seal_id;
  done_id := cp.last_id;
  done_hash := cp.hash;
  PERFORM set_config('arbiter.audit_archiving', 'on', true);

  IF cp.id IS NULL AND EXISTS (SELECT 1 FROM audit_log l WHERE l.txid IS NULL) THEN
    IF EXISTS (SELECT 1 FROM audit_log l WHERE l.txid IS NULL AND (l.at >= horizon OR EXISTS (
                 SELECT 1 FROM tasks t WHERE t.id = audit_task_id(l.target)))) THEN
      PERFORM set_config('arbiter.audit_archiving', 'off', true);
      RETURN;
    END IF;
    SELECT l.id, COALESCE(l.hash, decode(repeat('00', 32), 'hex')) INTO done_id, done_hash
    FROM audit_log l WHERE l.txid IS NULL ORDER BY l.id DESC LIMIT 1;
    DELETE FROM audit_log l WHERE l.txid IS NULL;
    GET DIAGNOSTICS moved = ROW_COUNT;
    done_seal := 0;
  END IF;

  FOR s IN SELECT * FROM audit_seals a WHERE a.id > COALESCE(cp.seal_id, 0) AND a.id <= upto_seal ORDER BY a.id LOOP
    EXIT WHEN s.last_at >= horizon;
    EXIT WHEN EXISTS (SELECT 1 FROM audit_log l JOIN tasks t ON t.id = audit_task_id(l.target)
                      WHERE l.txid >= s.from_txid AND l.txid < s.to_txid);
    EXIT WHEN (SELECT count(*) FROM audit_log l WHERE l.txid >= s.from_txid AND l.txid < s.to_txid) <> s.records;
    DELETE FROM audit_log l WHERE l.txid >= s.from_txid AND l.txid < s.to_txid;
    GET DIAGNOSTICS n = ROW_COUNT;
    moved := moved + n;
    done_seal := s.id;
    done_id := s.last_id;
    done_hash := s.hash;
  END LOOP;
  PERFORM set_config('arbiter.audit_archiving', 'off', true);

  IF moved > 0 THEN
    INSERT INTO audit_checkpoints (seal_id, last_id, hash, records, archived, horizon)
    VALUES (done_seal, done_id, done_hash, moved, COALESCE(cp.archived, 0) + moved, horizon);
    RETURN QUERY SELECT done_seal, done_id, done_hash, moved, COALESCE(cp.archived, 0) + moved;
  END IF;
END;
$$;

REVOKE ALL ON FUNCTION arbiter_archive_audit(timestamptz, bigint) FROM PUBLIC;
