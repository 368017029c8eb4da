-- The idempotency key's uniqueness, for the tasks that carry a key. Most tasks carry none, yet as a table constraint
-- every version of their rows entered the index as (tenant, NULL): a task's submission, assignment, delivery,
-- acknowledgement and result each added an entry, all with the same key, that served no lookup and no check (NULLs
-- never conflict). A partial unique index keeps the same guarantee for keyed tasks (a repeated key inserts nothing,
-- ON CONFLICT DO NOTHING) and the same lookups (by tenant and key), without those entries.
ALTER TABLE tasks DROP CONSTRAINT tasks_idempotency_key_unique;
CREATE UNIQUE INDEX tasks_idempotency_key_unique ON tasks (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Marking a tenant's unassigned tasks unroutable (after an agent left or changed its capabilities) read them through
-- the key's index, by tenant, with every finished task beside them. It reads only the candidates now: a task enters
-- this index once, when it is submitted (or queued again for a retry), and leaves it when it is assigned or marked.
CREATE INDEX tasks_routable_unassigned ON tasks (tenant_id, type)
  WHERE unroutable IS NULL AND state IN ('scheduled', 'waiting', 'queued');
