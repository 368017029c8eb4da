-- Completion callbacks: one row per task submitted with a callback URL, written in the same statement as the task, so
-- that a task that exists and asked for a callback always has its row (the outbox). The callback verticle delivers a
-- row once its task is final (succeeded, canceled or dead) and records each attempt here.
--
-- next_attempt_at is when the row is next due: for a pending row the time of its next try, for a delivering row the
-- end of the lease the deliverer holds (a node that dies mid-delivery leaves a row that falls due again then).

CREATE TABLE task_callbacks (
  task_id uuid NOT NULL,
  tenant_id text NOT NULL,
  url text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_callbacks_pkey PRIMARY KEY (task_id),
  CONSTRAINT task_callbacks_task_fk FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
  CONSTRAINT task_callbacks_state_known CHECK (state IN ('pending', 'delivering', 'delivered', 'failed')),
  CONSTRAINT task_callbacks_attempts_nonnegative CHECK (attempts >= 0),
  CONSTRAINT task_callbacks_url_bounded CHECK (length(url) BETWEEN 1 AND 2048),
  CONSTRAINT task_callbacks_error_bounded CHECK (length(last_error) <= 500),
  CONSTRAINT task_callbacks_delivered_iff_state CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
);

-- The deliverer's scan: only rows still to deliver, in the order they fall due.
CREATE INDEX task_callbacks_due ON task_callbacks (next_attempt_at) WHERE state IN ('pending', 'delivering');
