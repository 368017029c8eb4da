-- Audit: every state change writes an outbox row in its own transaction; the audit verticle, the only writer of
-- audit_log, moves outbox rows into the log in order and in batches. The hash chain (prev_hash, hash) is filled by a
-- later migration's writer; the columns exist now so the table's shape does not change.

CREATE TABLE audit_outbox (
  seq            bigint GENERATED ALWAYS AS IDENTITY,
  at             timestamptz NOT NULL DEFAULT clock_timestamp(),
  tenant_id      text        NOT NULL,
  actor_sub      text        NOT NULL,
  actor_role     text        NOT NULL,
  action         text        NOT NULL,
  target         text        NOT NULL,
  outcome        text        NOT NULL,
  client_ip      text,
  user_agent     text,
  correlation_id text,
  details        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  tags           text[]      NOT NULL DEFAULT '{}',
  CONSTRAINT audit_outbox_pkey PRIMARY KEY (seq),
  CONSTRAINT audit_outbox_outcome_known CHECK (outcome IN ('success', 'failure', 'denied'))
);

CREATE TABLE audit_log (
  id             bigint GENERATED ALWAYS AS IDENTITY,
  at             timestamptz NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  tenant_id      text        NOT NULL,
  actor_sub      text        NOT NULL,
  actor_role     text        NOT NULL,
  action         text        NOT NULL,
  target         text        NOT NULL,
  outcome        text        NOT NULL,
  client_ip      text,
  user_agent     text,
  correlation_id text,
  details        jsonb       NOT NULL,
  tags           text[]      NOT NULL,
  outbox_seq     bigint      NOT NULL,
  prev_hash      bytea,
  hash           bytea,
  CONSTRAINT audit_log_pkey PRIMARY KEY (id),
  CONSTRAINT audit_log_outbox_seq_unique UNIQUE (outbox_seq),
  CONSTRAINT audit_log_outcome_known CHECK (outcome IN ('success', 'failure', 'denied'))
);

CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
CREATE INDEX audit_log_tenant_action ON audit_log (tenant_id, action, id);
