-- Recording a result no longer touches the agent's row. Every agent used to be one row that each of its results
-- updated (its load and running figures), next to one learning-arm row per task type: all of an agent's results
-- queued on those two row locks, each held until its commit. Now the result statement appends one row here, in the
-- same transaction as the outcome it records, and a fold applies these rows in batches: it frees the agents' slots,
-- moves their running figures, their learning arms and their specialization records, and deletes the rows it applied,
-- all in one transaction, so each outcome is applied exactly once. Rows are taken with SKIP LOCKED, so folds on
-- several nodes take disjoint batches.

CREATE TABLE agent_outcomes (
  seq             bigint           GENERATED ALWAYS AS IDENTITY,
  tenant_id       text             NOT NULL,
  agent_id        text             NOT NULL,
  task_type       text             NOT NULL,
  outcome         text             NOT NULL,
  quality         double precision,
  latency_ms      double precision NOT NULL,
  specializations jsonb            NOT NULL DEFAULT '[]',
  CONSTRAINT agent_outcomes_pkey PRIMARY KEY (seq),
  CONSTRAINT agent_outcomes_outcome_known CHECK (outcome IN ('succeeded', 'failed'))
);
