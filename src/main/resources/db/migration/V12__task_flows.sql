-- Time and flows. A task may wait before it joins the queue: until its due time (scheduled; run_after holds the time)
-- or until its parents finish (waiting; its edges in task_dependencies). A queued task may carry its own queue
-- time-out, and a task no registered agent of its tenant can take carries the reason (unroutable) until one can.

ALTER TABLE tasks DROP CONSTRAINT tasks_state_known;
ALTER TABLE tasks ADD CONSTRAINT tasks_state_known
  CHECK (state IN ('scheduled', 'waiting', 'queued', 'assigned', 'running', 'succeeded', 'failed', 'timed_out',
                   'canceled', 'dead'));

ALTER TABLE tasks ADD COLUMN queue_timeout_ms bigint;
ALTER TABLE tasks ADD COLUMN unroutable text;
ALTER TABLE tasks ADD CONSTRAINT tasks_queue_timeout_positive CHECK (queue_timeout_ms IS NULL OR queue_timeout_ms > 0);

-- the timer that moves due tasks to the queue
CREATE INDEX tasks_scheduled_due ON tasks (run_after) WHERE state = 'scheduled';
-- the poll that releases (or cancels) tasks whose parents finished
CREATE INDEX tasks_waiting ON tasks (id) WHERE state = 'waiting';
-- the queue time-out sweep
CREATE INDEX tasks_queue_timeout ON tasks (run_after) WHERE state = 'queued' AND queue_timeout_ms IS NOT NULL;
-- the unroutable tasks, cleared when an able agent registers, and their gauge
CREATE INDEX tasks_unroutable ON tasks (tenant_id, type)
  WHERE unroutable IS NOT NULL AND state IN ('scheduled', 'waiting', 'queued');

CREATE TABLE task_dependencies (
  task_id    uuid NOT NULL,
  parent_id  uuid NOT NULL,
  on_failure text NOT NULL DEFAULT 'cancel',
  tenant_id  text NOT NULL,
  CONSTRAINT task_dependencies_pkey PRIMARY KEY (task_id, parent_id),
  CONSTRAINT task_dependencies_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
  CONSTRAINT task_dependencies_parent_fk FOREIGN KEY (parent_id) REFERENCES tasks (id) ON DELETE CASCADE,
  CONSTRAINT task_dependencies_on_failure_known CHECK (on_failure IN ('cancel', 'continue')),
  CONSTRAINT task_dependencies_not_self CHECK (task_id <> parent_id)
);
CREATE INDEX task_dependencies_parent ON task_dependencies (parent_id);
