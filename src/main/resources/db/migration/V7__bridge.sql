-- Push delivery over the event-bus bridge. An agent is delivered to either by its own claims (REST) or by
-- push over a bridge channel it opened; it is "consuming" while that channel is open and it acknowledges what it is
-- sent. The dispatcher routes new work only to consuming agents.

ALTER TABLE agents
  ADD COLUMN delivery            text        NOT NULL DEFAULT 'claim',
  ADD COLUMN consuming           boolean     NOT NULL DEFAULT true,
  ADD COLUMN consuming_changed_at timestamptz,
  ADD CONSTRAINT agents_delivery_known CHECK (delivery IN ('claim', 'push')),
  ADD CONSTRAINT agents_claim_agents_consume CHECK (delivery = 'push' OR consuming);
