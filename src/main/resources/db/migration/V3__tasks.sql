-- Tasks, their history, routing decisions and reported results. Attempt numbers only grow: a requeue of a dead
-- task extends max_attempts by its attempt_budget (the maxAttempts it was submitted with), so that (task, attempt)
-- names one assignment for good.

CREATE TABLE tasks (
  id                uuid        NOT NULL,
  tenant_id         text        NOT NULL,
  type              text        NOT NULL,
  priority          smallint    NOT NULL,
  payload           jsonb       NOT NULL DEFAULT 'null'::jsonb,
  requirements      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  budget            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  timeout_ms        bigint      NOT NULL,
  max_attempts      integer     NOT NULL,
  attempt_budget    integer     NOT NULL,
  idempotency_key   text,
  request_hash      text,
  state             text        NOT NULL DEFAULT 'queued',
  attempt           integer     NOT NULL DEFAULT 0,
  assigned_agent_id text,
  run_after         timestamptz NOT NULL DEFAULT now(),
  lease_expires_at  timestamptz,
  deadline_at       timestamptz,
  delivered_at      timestamptz,
  progress          jsonb,
  result            jsonb,
  error             text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  assigned_at       timestamptz,
  started_at        timestamptz,
  finished_at       timestamptz,
  CONSTRAINT tasks_pkey PRIMARY KEY (id),
  CONSTRAINT tasks_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
  CONSTRAINT tasks_state_known
    CHECK (state IN ('queued', 'assigned', 'running', 'succeeded', 'failed', 'timed_out', 'canceled', 'dead')),
  CONSTRAINT tasks_priority_range CHECK (priority BETWEEN 0 AND 9),
  CONSTRAINT tasks_timeout_positive CHECK (timeout_ms > 0),
  CONSTRAINT tasks_attempts_positive CHECK (max_attempts >= 1 AND attempt_budget >= 1),
  CONSTRAINT tasks_attempt_within_max CHECK (attempt BETWEEN 0 AND max_attempts),
  CONSTRAINT tasks_lease_iff_active CHECK ((state IN ('assigned', 'running')) = (lease_expires_at IS NOT NULL)),
  CONSTRAINT tasks_active_has_agent CHECK (state NOT IN ('assigned', 'running') OR assigned_agent_id IS NOT NULL)
);

-- the dispatcher's queue: per tenant and type, most urgent then oldest first
CREATE INDEX tasks_queue ON tasks (tenant_id, type, priority DESC, created_at, id) WHERE state = 'queued';
-- claims: an agent's assigned, undelivered tasks
CREATE INDEX tasks_undelivered ON tasks (tenant_id, assigned_agent_id, priority DESC, assigned_at)
  WHERE state = 'assigned' AND delivered_at IS NULL;
-- the lease rescuer
CREATE INDEX tasks_active_lease ON tasks (lease_expires_at) WHERE state IN ('assigned', 'running');
CREATE INDEX tasks_active_deadline ON tasks (deadline_at) WHERE state IN ('assigned', 'running');
CREATE INDEX tasks_active_agent ON tasks (tenant_id, assigned_agent_id) WHERE state IN ('assigned', 'running');
-- listing, newest first
CREATE INDEX tasks_tenant_created ON tasks (tenant_id, created_at DESC, id DESC);

CREATE TABLE task_history (
  id         bigint      GENERATED ALWAYS AS IDENTITY,
  task_id    uuid        NOT NULL,
  tenant_id  text        NOT NULL,
  from_state text,
  to_state   text        NOT NULL,
  attempt    integer     NOT NULL,
  agent_id   text,
  reason     text        NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_history_pkey PRIMARY KEY (id),
  CONSTRAINT task_history_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id)
);
CREATE INDEX task_history_task ON task_history (task_id, id);

CREATE TABLE routing_decisions (
  task_id      uuid             NOT NULL,
  attempt      integer          NOT NULL,
  tenant_id    text             NOT NULL,
  agent_id     text             NOT NULL,
  strategy     text             NOT NULL,
  score        double precision NOT NULL,
  confidence   double precision NOT NULL,
  alternatives jsonb            NOT NULL,
  rationale    text             NOT NULL,
  decided_at   timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT routing_decisions_pkey PRIMARY KEY (task_id, attempt),
  CONSTRAINT routing_decisions_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id),
  CONSTRAINT routing_decisions_confidence_unit CHECK (confidence BETWEEN 0 AND 1)
);

-- one outcome per (task, attempt): a repeated result finds the first one here
CREATE TABLE task_results (
  task_id       uuid             NOT NULL,
  attempt       integer          NOT NULL,
  tenant_id     text             NOT NULL,
  agent_id      text             NOT NULL,
  outcome       text             NOT NULL,
  result        jsonb,
  error         text,
  quality       double precision,
  files_changed integer,
  lines_changed integer,
  tests_passed  boolean,
  coverage      double precision,
  reported_at   timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT task_results_pkey PRIMARY KEY (task_id, attempt),
  CONSTRAINT task_results_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id),
  CONSTRAINT task_results_outcome_known CHECK (outcome IN ('succeeded', 'failed')),
  CONSTRAINT task_results_quality_unit CHECK (quality IS NULL OR quality BETWEEN 0 AND 1),
  CONSTRAINT task_results_coverage_unit CHECK (coverage IS NULL OR coverage BETWEEN 0 AND 1)
);
