-- Dead tasks stay until they are requeued or purged: the gauge of tasks by state counts them, and an operator lists
-- them, through this partial index instead of a read of every finished task.

CREATE INDEX tasks_dead ON tasks (tenant_id, updated_at) WHERE state = 'dead';
