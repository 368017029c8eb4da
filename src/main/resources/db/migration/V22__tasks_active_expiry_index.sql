-- One index instead of two on the time a held task's lease or deadline passes. The lease rescuer looks for held tasks
-- whose lease or deadline passed; it now finds them through the earlier of the two, so every version of a held task's
-- row (assigned, then running) enters one index for it instead of two. The tasks of offline agents, which the rescuer
-- also takes, are found through tasks_active_agent.
DROP INDEX tasks_active_lease;
DROP INDEX tasks_active_deadline;
CREATE INDEX tasks_active_expiry ON tasks ((least(lease_expires_at, deadline_at)))
  WHERE state IN ('assigned', 'running');
