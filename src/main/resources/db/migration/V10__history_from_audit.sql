-- One write per transition. A task's transition is recorded once, as its audit record (task.<state> on task:<id>,
-- with from, to, attempt, agentId and reason in its details); the history is read back from audit_log. Rows written
-- before this migration stay in task_history_archive, and the task_history view shows both, so ad-hoc queries keep
-- working (filter on tenant and target, as the history API does, to use audit_log's indexes).

ALTER TABLE task_history RENAME TO task_history_archive;
ALTER INDEX task_history_pkey RENAME TO task_history_archive_pkey;
ALTER INDEX task_history_task RENAME TO task_history_archive_task;

CREATE VIEW task_history AS
SELECT id, task_id, tenant_id, from_state, to_state, attempt, agent_id, reason, at
FROM task_history_archive
UNION ALL
SELECT id, substr(target, 6)::uuid, tenant_id, details ->> 'from', details ->> 'to', (details ->> 'attempt')::int,
       details ->> 'agentId', details ->> 'reason', at
FROM audit_log
WHERE action LIKE 'task.%' AND target LIKE 'task:%' AND details ? 'to';
