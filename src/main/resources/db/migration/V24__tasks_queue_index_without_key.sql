-- The queue's index no longer holds the task's key. With the key as its last column, a plan could find tasks by key
-- through it (the assignment's update of the tasks the dispatcher had just locked) and read every queued task of the
-- tenant for each of them, whenever the statistics said the queue was small: on a new database, or on one whose rows
-- were all finished tasks when it was last analyzed. Tasks of one priority submitted in one transaction share their
-- creation time; the dispatcher takes them in the index's order instead of by key.
CREATE INDEX tasks_queue_ready ON tasks (tenant_id, type, priority DESC, created_at) WHERE state = 'queued';
DROP INDEX tasks_queue;
ALTER INDEX tasks_queue_ready RENAME TO tasks_queue;
