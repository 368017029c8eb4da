-- A task's result row and its routing decision rows no longer check their task through a foreign key. Each check
-- looked the task row up again after every insert (two lookups per task), although both rows are only ever written by
-- statements that lock their task first and check its state (an assignment takes queued tasks, a result takes its
-- holder's task on its attempt), so they cannot name a task that does not exist. The purges that delete tasks now
-- delete their results and decisions in the same statement, as the cascade did.
ALTER TABLE task_results DROP CONSTRAINT task_results_task_fk;
ALTER TABLE routing_decisions DROP CONSTRAINT routing_decisions_task_fk;
