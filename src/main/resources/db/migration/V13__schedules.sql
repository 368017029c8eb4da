-- Schedules: recurring tasks. A schedule holds a cron expression (UNIX, five fields), an IANA time zone and the task
-- submission it fires at each occurrence; next_run_at is the next occurrence to fire (null while none lies ahead).
-- Each fired occurrence is one row of schedule_runs, unique per (schedule, occurrence): with the task domain's
-- idempotency key derived from the same pair, an occurrence yields one task however many nodes see it due.

CREATE TABLE schedules (
  id               uuid        NOT NULL,
  tenant_id        text        NOT NULL,
  name             text        NOT NULL,
  cron             text        NOT NULL,
  time_zone        text        NOT NULL,
  template         jsonb       NOT NULL,
  overlap          text        NOT NULL DEFAULT 'skip',
  catch_up         text        NOT NULL DEFAULT 'latest',
  paused           boolean     NOT NULL DEFAULT false,
  next_run_at      timestamptz,
  -- no foreign key: retention purges finished tasks, and a purged last run reads as finished
  last_run_task_id uuid,
  last_run_at      timestamptz,
  created_by       text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT schedules_pkey PRIMARY KEY (id),
  CONSTRAINT schedules_name_unique UNIQUE (tenant_id, name),
  CONSTRAINT schedules_name_given CHECK (length(btrim(name)) BETWEEN 1 AND 200),
  CONSTRAINT schedules_cron_bounded CHECK (length(cron) BETWEEN 1 AND 120),
  CONSTRAINT schedules_time_zone_bounded CHECK (length(time_zone) BETWEEN 1 AND 64),
  CONSTRAINT schedules_template_object CHECK (jsonb_typeof(template) = 'object'),
  CONSTRAINT schedules_overlap_known CHECK (overlap IN ('skip', 'queue', 'cancel')),
  CONSTRAINT schedules_catch_up_known CHECK (catch_up IN ('latest', 'none', 'all')),
  CONSTRAINT schedules_last_run_together CHECK (last_run_task_id IS NULL OR last_run_at IS NOT NULL)
);

-- The firing poll: due schedules that are not paused, oldest occurrence first.
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE NOT paused AND next_run_at IS NOT NULL;
-- Listing, newest first.
CREATE INDEX schedules_tenant_created ON schedules (tenant_id, created_at DESC, id DESC);

-- One row per occurrence handled: submitted (with its task), skipped (the previous run had not finished) or refused
-- (the task domain refused the submission, e.g. after the tenant's limits changed). A submitted run goes with its
-- task when retention purges it (ON DELETE CASCADE): the run is a view of the task, and nothing else refers to it.
CREATE TABLE schedule_runs (
  schedule_id   uuid        NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  tenant_id     text        NOT NULL,
  occurrence_at timestamptz NOT NULL,
  outcome       text        NOT NULL,
  task_id       uuid        REFERENCES tasks (id) ON DELETE CASCADE,
  detail        text,
  fired_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT schedule_runs_pkey PRIMARY KEY (schedule_id, occurrence_at),
  CONSTRAINT schedule_runs_outcome_known CHECK (outcome IN ('submitted', 'skipped', 'refused')),
  CONSTRAINT schedule_runs_task_iff_submitted CHECK ((outcome = 'submitted') = (task_id IS NOT NULL)),
  CONSTRAINT schedule_runs_detail_bounded CHECK (detail IS NULL OR length(detail) <= 1000)
);

-- Purging a task finds its run without a scan.
CREATE INDEX schedule_runs_task ON schedule_runs (task_id) WHERE task_id IS NOT NULL;
