-- The console's reads over a time window: tasks by the time they finished (throughput and end-to-end latency per
-- step), and reported attempts by tenant or by agent (failures per step; an agent's recent results). Each reads its
-- window through an index instead of every finished task or result.

CREATE INDEX tasks_tenant_finished ON tasks (tenant_id, finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX task_results_tenant_reported ON task_results (tenant_id, reported_at);
CREATE INDEX task_results_agent_reported ON task_results (tenant_id, agent_id, reported_at DESC);
