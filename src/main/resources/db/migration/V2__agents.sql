-- Registry: one row per agent, keyed by tenant and the client-chosen id.

CREATE TABLE agents (
  tenant_id            text             NOT NULL,
  id                   text             NOT NULL,
  name                 text             NOT NULL,
  model_family         text             NOT NULL,
  task_types           text[]           NOT NULL,
  languages            text[]           NOT NULL DEFAULT '{}',
  specializations      jsonb            NOT NULL DEFAULT '[]'::jsonb,
  max_concurrent_tasks integer          NOT NULL,
  status               text             NOT NULL DEFAULT 'available',
  current_load         integer          NOT NULL DEFAULT 0,
  success_rate         double precision NOT NULL,
  average_quality      double precision NOT NULL,
  average_latency_ms   double precision NOT NULL,
  task_count           bigint           NOT NULL DEFAULT 0,
  last_heartbeat_at    timestamptz      NOT NULL DEFAULT now(),
  registered_at        timestamptz      NOT NULL DEFAULT now(),
  updated_at           timestamptz      NOT NULL DEFAULT now(),
  deregistered_at      timestamptz,
  CONSTRAINT agents_pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT agents_id_is_slug CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  CONSTRAINT agents_status_known CHECK (status IN ('available', 'busy', 'draining', 'offline')),
  CONSTRAINT agents_task_types_present CHECK (cardinality(task_types) > 0),
  CONSTRAINT agents_capacity_positive CHECK (max_concurrent_tasks BETWEEN 1 AND 1000),
  CONSTRAINT agents_load_within_capacity CHECK (current_load >= 0 AND current_load <= max_concurrent_tasks),
  CONSTRAINT agents_success_rate_unit CHECK (success_rate BETWEEN 0 AND 1),
  CONSTRAINT agents_average_quality_unit CHECK (average_quality BETWEEN 0 AND 1),
  CONSTRAINT agents_latency_nonnegative CHECK (average_latency_ms >= 0),
  CONSTRAINT agents_task_count_nonnegative CHECK (task_count >= 0),
  CONSTRAINT agents_deregistered_not_available CHECK (deregistered_at IS NULL OR status IN ('draining', 'offline'))
);

CREATE INDEX agents_task_types ON agents USING gin (task_types);
CREATE INDEX agents_heartbeat ON agents (last_heartbeat_at) WHERE status <> 'offline';
