-- Policy: a task's quality gates next to its budget, each tenant's limits on what its tasks may ask for,
-- and operators' waivers of result gates. Rule names live in io.arbiter.policy (ResultGates.RULES,
-- TenantLimits.RULES); the API refuses unknown ones before they reach these tables.

ALTER TABLE tasks ADD COLUMN gates jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE tasks ADD CONSTRAINT tasks_budget_object CHECK (jsonb_typeof(budget) = 'object');
ALTER TABLE tasks ADD CONSTRAINT tasks_gates_object CHECK (jsonb_typeof(gates) = 'object');

-- One row per tenant that set limits; a null column (or no task types) is no limit.
CREATE TABLE tenant_limits (
  tenant_id         text        NOT NULL,
  max_files         integer,
  max_loc           integer,
  max_payload_bytes bigint,
  task_types        text[]      NOT NULL DEFAULT '{}',
  updated_by        text        NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenant_limits_pkey PRIMARY KEY (tenant_id),
  CONSTRAINT tenant_limits_max_files_nonnegative CHECK (max_files IS NULL OR max_files >= 0),
  CONSTRAINT tenant_limits_max_loc_nonnegative CHECK (max_loc IS NULL OR max_loc >= 0),
  CONSTRAINT tenant_limits_max_payload_positive CHECK (max_payload_bytes IS NULL OR max_payload_bytes > 0)
);

-- A waiver covers one rule for one scope until it expires or is revoked; rows are never deleted.
CREATE TABLE waivers (
  id          uuid        NOT NULL,
  tenant_id   text        NOT NULL,
  rule        text        NOT NULL,
  scope_kind  text        NOT NULL,
  scope_value text        NOT NULL,
  reason      text        NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  revoked_by  text,
  CONSTRAINT waivers_pkey PRIMARY KEY (id),
  CONSTRAINT waivers_scope_kind_known CHECK (scope_kind IN ('task', 'task_type', 'agent')),
  CONSTRAINT waivers_reason_given CHECK (length(btrim(reason)) > 0),
  CONSTRAINT waivers_expire_after_creation CHECK (expires_at > created_at),
  CONSTRAINT waivers_revoked_by_someone CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

-- The result path: the active waivers of a tenant for a scope.
CREATE INDEX waivers_active_scope ON waivers (tenant_id, scope_kind, scope_value) WHERE revoked_at IS NULL;
-- Listing, newest first.
CREATE INDEX waivers_tenant_created ON waivers (tenant_id, created_at DESC, id DESC);
