-- A tenant's default queue time-out: applies to its tasks that give no queueTimeoutMs of their own, before the
-- configured tasks.defaultQueueTimeoutMs. Null: no tenant default. Bounded like a task's own queueTimeoutMs.
ALTER TABLE tenant_limits ADD COLUMN default_queue_timeout_ms bigint,
  ADD CONSTRAINT tenant_limits_default_queue_timeout_range
    CHECK (default_queue_timeout_ms IS NULL OR default_queue_timeout_ms BETWEEN 100 AND 31536000000);
