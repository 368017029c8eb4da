-- Learning router: what the bandit knows of each agent per task type, and each agent's record per specialization.
-- Both change in the same statement as the result that teaches them (task/TaskSql.RESULT), so they survive restarts
-- and every node reads the same state.

-- The Beta posterior of routing/Arm, stored so that concurrent results can add to it with one upsert: with discount
-- d, after n outcomes alpha = 1 + 2*prior_mean*d^n + gained and beta = 1 + 2*(1 - prior_mean)*d^n + lost, where gained
-- and lost are the discounted rewards for and against (each outcome's reward r adds r and 1 - r, older ones weigh d
-- times less per later outcome). prior_mean is the agent's success rate when its first result for the type arrived.
CREATE TABLE routing_arms (
  tenant_id  text             NOT NULL,
  task_type  text             NOT NULL,
  agent_id   text             NOT NULL,
  prior_mean double precision NOT NULL,
  gained     double precision NOT NULL,
  lost       double precision NOT NULL,
  pulls      bigint           NOT NULL,
  reward_sum double precision NOT NULL,
  updated_at timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT routing_arms_pkey PRIMARY KEY (tenant_id, task_type, agent_id),
  CONSTRAINT routing_arms_agent_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id),
  CONSTRAINT routing_arms_prior_unit CHECK (prior_mean BETWEEN 0 AND 1),
  CONSTRAINT routing_arms_evidence_valid CHECK (gained >= 0 AND lost >= 0 AND pulls >= 0 AND reward_sum >= 0)
);

-- one row per agent and specialization it has been given tasks for; levels are earned from it (registry/Levels)
CREATE TABLE specialization_records (
  tenant_id     text             NOT NULL,
  agent_id      text             NOT NULL,
  name          text             NOT NULL,
  tasks         bigint           NOT NULL DEFAULT 0,
  successes     bigint           NOT NULL DEFAULT 0,
  quality_sum   double precision NOT NULL DEFAULT 0,
  quality_count bigint           NOT NULL DEFAULT 0,
  updated_at    timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT specialization_records_pkey PRIMARY KEY (tenant_id, agent_id, name),
  CONSTRAINT specialization_records_agent_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id),
  CONSTRAINT specialization_records_counts_valid CHECK (successes BETWEEN 0 AND tasks
    AND quality_count BETWEEN 0 AND tasks AND quality_sum BETWEEN 0 AND quality_count)
);

-- how a learning choice was made: mode (explore or exploit), the sampled and mean values of the chosen agent and of
-- the alternatives; null for the other strategies
ALTER TABLE routing_decisions ADD COLUMN details jsonb;
