package io.arbiter.task;

import io.arbiter.audit.AuditLog;
import io.arbiter.callback.CallbackOutbox;
import io.arbiter.db.TenantCheck;
import io.arbiter.registry.AgentPresence;
import io.arbiter.registry.AgentSlots;
import io.arbiter.registry.SpecializationRecord;
import io.arbiter.routing.ArmsFold;
import io.arbiter.routing.DecisionsPurge;

/**
 * All SQL of the task domain. Every statement is scoped by tenant, except the lease rescuer and the queue-depth figure,
 * which are system work across tenants. Each state change is one statement that guards on {@link TaskState}'s table,
 * writes its audit record(s) (through {@link AuditLog#cte}; a transition's record is also its history entry, see
 * {@link Transitions}), and frees the holding
 * agent's slot in the same transaction, so no crash can separate them: directly when a task is canceled, requeued or
 * rescued, and through one {@code agent_outcomes} row, applied by {@link #FOLD_OUTCOMES}, when its result is recorded.
 *
 * <p>The task domain writes its own tables only ({@code tasks}, {@code task_results}, {@code task_dependencies},
 * {@code agent_outcomes}); a statement that must change another domain's table takes that domain's CTE fragment:
 * {@link AuditLog#cte}, {@link CallbackOutbox#cte}, {@link AgentSlots} and {@link AgentPresence} for the agent rows,
 * {@link ArmsFold#cte} for the learning arms, {@link SpecializationRecord#foldCte} for the specialization records,
 * {@link DecisionsPurge#cte} for the routing decisions of purged tasks.
 *
 * <p>Locks are always taken in one order, so that concurrent statements cannot deadlock: task rows first, then agent
 * rows (several at once only in (tenant, id) order).
 *
 * <p>Statements that act for a caller end with the five actor parameters (subject, role, client IP, user agent,
 * correlation id), numbered as their Javadoc says.
 */
final class TaskSql {
  private TaskSql() {}

  /** Full-jitter exponential backoff for the attempt just failed: random() * min(cap, base * 2^(attempt-1)). */
  private static String backoff(String base, String cap) {
    return "now() + make_interval(secs => random() * least(%s::float8, %s::float8 * power(2, greatest(t.attempt - 1, 0)))"
        .formatted(cap, base) + " / 1000.0)";
  }

  /** The audit columns for one event per row of {@code rows}, acted by the statement's caller ($s..$s+4). */
  private static String actorEvents(String rows, String action, String target, String details, int firstActorParam) {
    return actorEvents(rows, action, target, details, firstActorParam, "");
  }

  /** As above, the events inserted in {@code orderBy}'s order (an ORDER BY clause, or empty). */
  private static String actorEvents(String rows, String action, String target, String details, int firstActorParam,
                                    String orderBy) {
    int p = firstActorParam;
    return ("SELECT %s.tenant_id, $%d, $%d, %s, %s, 'success', $%d, $%d, $%d, %s, '{}'::text[] FROM %s %s")
        .formatted(rows, p, p + 1, action, target, p + 2, p + 3, p + 4, details, rows, orderBy);
  }

  /**
   * The audit columns for one event per row of {@code rows}, acted by the caller whose request the row came from: the
   * row carries its actor ({@code actor_sub, actor_role, client_ip, user_agent, correlation_id}), as the reports of
   * {@link #lockedBatch} do, so that one statement can write the reports of several requests.
   */
  private static String reportedEvents(String rows, String action, String target, String details, String orderBy) {
    return ("SELECT %1$s.tenant_id, %1$s.actor_sub, %1$s.actor_role, %2$s, %3$s, 'success', %1$s.client_ip, "
        + "%1$s.user_agent, %1$s.correlation_id, %4$s, '{}'::text[] FROM %1$s %5$s")
        .formatted(rows, action, target, details, orderBy);
  }

  /**
   * $1 a JSON array of submissions, each {id, tenant_id, type, priority, payload, requirements, budget, gates,
   * timeout_ms, max_attempts, idempotency_key, request_hash, actor_sub, actor_role, client_ip, user_agent,
   * correlation_id, accepted_at, state, run_at, queue_timeout_ms, depends_on, callback_url}: the group commit of many
   * requests in one statement. A repeated idempotency key, or an id that already landed (a retried or replayed
   * submission), inserts nothing (its row is not returned); every other row enters {@code state} (queued, scheduled
   * until {@code run_at}, or waiting on the parents of {@code depends_on}, [{parent_id, on_failure}]) with its edges and
   * its transition's audit event; a task no registered agent of its tenant takes is marked unroutable, with a
   * {@code task.unroutable} event. {@code accepted_at} (journal replays only) becomes the task's age. A submission with
   * a {@code callback_url} registers its completion callback ({@link CallbackOutbox}) in the same statement.
   */
  static final String SUBMIT = """
      WITH input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
          id uuid, tenant_id text, type text, priority smallint, payload jsonb, requirements jsonb, budget jsonb,
          gates jsonb, timeout_ms bigint, max_attempts integer, idempotency_key text, request_hash text,
          actor_sub text, actor_role text, client_ip text, user_agent text, correlation_id text, accepted_at timestamptz,
          state text, run_at timestamptz, queue_timeout_ms bigint, depends_on jsonb, callback_url text)
      ),
      routable AS (
        SELECT k.tenant_id, k.type, CASE WHEN %s THEN %s END AS unroutable
        FROM (SELECT DISTINCT tenant_id, type FROM input) k
      ),
      inserted AS (
        INSERT INTO tasks (id, tenant_id, type, priority, payload, requirements, budget, gates, timeout_ms,
                           max_attempts, attempt_budget, idempotency_key, request_hash, created_at,
                           state, run_after, queue_timeout_ms, unroutable)
        SELECT id, tenant_id, type, priority, COALESCE(payload, 'null'::jsonb), COALESCE(requirements, '{}'::jsonb),
               COALESCE(budget, '{}'::jsonb), COALESCE(gates, '{}'::jsonb), timeout_ms, max_attempts, max_attempts,
               idempotency_key, request_hash, COALESCE(accepted_at, now()),
               COALESCE(state, 'queued'), COALESCE(run_at, now()), queue_timeout_ms,
               (SELECT r.unroutable FROM routable r WHERE r.tenant_id = input.tenant_id AND r.type = input.type)
        FROM input
        ON CONFLICT DO NOTHING
        RETURNING id, tenant_id, type, priority, created_at, state, unroutable
      ),
      dependencies AS (
        INSERT INTO task_dependencies (task_id, parent_id, on_failure, tenant_id)
        SELECT n.id, (d ->> 'parent_id')::uuid, d ->> 'on_failure', n.tenant_id
        FROM inserted n JOIN input i ON i.id = n.id
        CROSS JOIN LATERAL jsonb_array_elements(COALESCE(i.depends_on, '[]'::jsonb)) AS d
      ),
      """.formatted(noAgentTakes("k.tenant_id", "k.type"), unroutableReason("k.type"))
      + AuditLog.cte("audited", """
        SELECT n.tenant_id, i.actor_sub, i.actor_role, 'task.' || n.state, 'task:' || n.id, 'success', i.client_ip,
               i.user_agent, i.correlation_id, %s, '{}'::text[]
        FROM inserted n JOIN input i ON i.id = n.id
      """.formatted(Transitions.details("NULL", "n.state", "0", "NULL", "'submitted'",
          "jsonb_build_object('type', n.type, 'priority', n.priority)"))) + ",\n"
      + AuditLog.cte("unroutable_audited", unroutableEvents("inserted")) + ",\n"
      + CallbackOutbox.cte("callbacks", """
        SELECT n.id, n.tenant_id, i.callback_url
        FROM inserted n JOIN input i ON i.id = n.id
        WHERE i.callback_url IS NOT NULL
      """) + """
      SELECT id, created_at FROM inserted
      """;

  /** $1 tenant ids, $2 idempotency keys (parallel arrays): the tasks that already hold those keys. */
  static final String SELECT_BY_KEYS = """
      SELECT t.* FROM unnest($1::text[], $2::text[]) AS k(tenant_id, key)
      JOIN tasks t ON t.tenant_id = k.tenant_id AND t.idempotency_key = k.key AND t.idempotency_key IS NOT NULL
      """;

  /**
   * $1 tenant ids, $2 agent ids (parallel arrays): ends now the leases those agents hold, so that the rescuer retries
   * their tasks without waiting for the leases to run out (a graceful shutdown with {@code shutdown.leases: release}).
   */
  static final String RELEASE_LEASES = """
      UPDATE tasks t SET lease_expires_at = now(), updated_at = now()
      FROM unnest($1::text[], $2::text[]) AS a(tenant_id, agent_id)
      WHERE t.tenant_id = a.tenant_id AND t.assigned_agent_id = a.agent_id AND t.state IN ('assigned', 'running')
      RETURNING t.id
      """;

  /**
   * $1 tenant ids, $2 task ids (parallel arrays): those of the tasks that exist (a submission retried or replayed
   * after it had landed).
   */
  static final String SELECT_BY_IDS = """
      SELECT t.* FROM unnest($1::text[], $2::uuid[]) AS k(tenant_id, id)
      JOIN tasks t ON t.id = k.id AND %s
      """.formatted(TenantCheck.of("t.tenant_id", "k.tenant_id"));

  /** $1 tenant, $2 id: the task, with its {@link #parentsOf parents}. */
  static final String SELECT_ONE = "SELECT t.*, " + parentsOf("t.id") + " FROM tasks t WHERE t.id = $2 AND "
      + TenantCheck.of("t.tenant_id", "$1");

  /**
   * The parents of the task whose id is {@code task} (an SQL expression), as a column {@code parents}: a JSON array of
   * {id, state, result}, or null for a task without any. A submission names at most
   * {@code Flow.MAX_PARENTS} of them.
   */
  private static String parentsOf(String task) {
    return """
        (SELECT jsonb_agg(jsonb_build_object('id', p.id, 'state', p.state, 'result', p.result) ORDER BY p.id)
         FROM task_dependencies d JOIN tasks p ON p.id = d.parent_id WHERE d.task_id = %s) AS parents"""
        .formatted(task);
  }

  /** $1 tenant, $2 state, $3 type, $4 agent (each null for any), $5 created_at and $6 id of the cursor (or null),
   * $7 limit, $8 created at or after and $9 created before (each null for no bound). Newest first. */
  static final String LIST = """
      SELECT * FROM tasks
      WHERE tenant_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR type = $3)
        AND ($4::text IS NULL OR assigned_agent_id = $4)
        AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
        AND created_at >= COALESCE($8::timestamptz, '-infinity') AND created_at < COALESCE($9::timestamptz, 'infinity')
      ORDER BY created_at DESC, id DESC
      LIMIT $7
      """;

  /** Latency percentiles, in milliseconds, of {@code interval}: an array of p50, p95 and p99. */
  private static String percentiles(String interval) {
    return "percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY extract(epoch FROM %s) * 1000)"
        .formatted(interval);
  }

  /**
   * The tenant's figures per step of a window: $1 tenant, $2 window start (a multiple of the step), $3 window end, $4
   * step in seconds. One row per step that saw anything ({@code at} its start), and one with a null {@code at} for the
   * whole window: tasks submitted (and, of those that were assigned, the time from submission to their latest
   * assignment), tasks that succeeded (and their time from submission to success), went dead or were canceled, and
   * attempts that failed. Each part reads its window through an index the task pipeline keeps anyway, so the charts
   * cost no write on the hot path: {@code tasks_tenant_created}, {@code tasks_purgeable} (succeeded and canceled, by
   * when they finished), {@code tasks_dead} (by when they went dead), and for the failed attempts their
   * {@code task.failed} transition records, from the first record of the window ({@code audit_log_tenant_at}) on
   * ({@code audit_log_tenant_action}).
   */
  static final String TIMESERIES = """
      WITH submitted AS (
        SELECT date_bin(make_interval(secs => $4::int), created_at, $2::timestamptz) AS at, count(*) AS submitted,
               %1$s FILTER (WHERE assigned_at IS NOT NULL) AS assign_ms
        FROM tasks WHERE tenant_id = $1 AND created_at >= $2::timestamptz AND created_at < $3::timestamptz
        GROUP BY ROLLUP (1)
      ),
      finished AS (
        SELECT date_bin(make_interval(secs => $4::int), ended_at, $2::timestamptz) AS at,
               count(*) FILTER (WHERE state = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE state = 'dead') AS dead,
               count(*) FILTER (WHERE state = 'canceled') AS canceled,
               %2$s FILTER (WHERE state = 'succeeded') AS end_to_end_ms
        FROM (
          SELECT state, finished_at AS ended_at, created_at FROM tasks
          WHERE tenant_id = $1 AND state IN ('succeeded', 'canceled')
            AND finished_at >= $2::timestamptz AND finished_at < $3::timestamptz
          UNION ALL
          SELECT state, updated_at, created_at FROM tasks
          WHERE tenant_id = $1 AND state = 'dead' AND updated_at >= $2::timestamptz AND updated_at < $3::timestamptz
        ) ended
        GROUP BY ROLLUP (1)
      ),
      failed AS (
        SELECT date_bin(make_interval(secs => $4::int), at, $2::timestamptz) AS at, count(*) AS failed
        FROM audit_log
        WHERE tenant_id = $1 AND action = 'task.failed'
          AND id >= (SELECT id FROM audit_log WHERE tenant_id = $1 AND at >= $2::timestamptz ORDER BY at, id LIMIT 1)
          AND at >= $2::timestamptz AND at < $3::timestamptz
        GROUP BY ROLLUP (1)
      )
      SELECT COALESCE(s.at, f.at, r.at) AS at, COALESCE(s.submitted, 0) AS submitted,
             COALESCE(f.succeeded, 0) AS succeeded, COALESCE(r.failed, 0) AS failed, COALESCE(f.dead, 0) AS dead,
             COALESCE(f.canceled, 0) AS canceled, s.assign_ms, f.end_to_end_ms
      FROM submitted s
      FULL JOIN finished f ON COALESCE(f.at, '-infinity') = COALESCE(s.at, '-infinity')
      FULL JOIN failed r ON COALESCE(r.at, '-infinity') = COALESCE(s.at, f.at, '-infinity')
      """.formatted(percentiles("assigned_at - created_at"), percentiles("ended_at - created_at"));

  /** $1 tenant, $2 agent, $3 most: the tasks the agent holds now (assigned or running), earliest assigned first. */
  static final String AGENT_LEASES = """
      SELECT id, type, priority, state, attempt, assigned_at, started_at, lease_expires_at FROM tasks
      WHERE tenant_id = $1 AND assigned_agent_id = $2 AND state IN ('assigned', 'running')
      ORDER BY assigned_at, id
      LIMIT $3
      """;

  /**
   * $1 tenant, $2 agent, $3 most: the attempts the agent reported, newest first, with their task's type. They are
   * found through the transition records each report wrote as the agent ({@code audit_log_tenant_actor}), so that no
   * index on the results table is kept for this page alone. Each record then finds its result and task by their keys
   * (a subquery with {@code LIMIT 1} is not flattened into a join that would read the tenant's results whole).
   */
  static final String AGENT_RESULTS = """
      SELECT r.task_id, r.attempt, t.type, r.outcome, r.quality, left(r.error, 500) AS error, r.reported_at
      FROM (
        SELECT substr(target, 6)::uuid AS task_id, (details ->> 'attempt')::int AS attempt, id
        FROM audit_log
        WHERE tenant_id = $1 AND actor_sub = $2 AND action IN ('task.succeeded', 'task.failed')
        ORDER BY id DESC
        LIMIT $3
      ) reported
      CROSS JOIN LATERAL (
        SELECT * FROM task_results r
        WHERE r.task_id = reported.task_id AND r.attempt = reported.attempt AND r.tenant_id = $1
        LIMIT 1
      ) r
      CROSS JOIN LATERAL (SELECT type FROM tasks t WHERE t.id = r.task_id LIMIT 1) t
      ORDER BY reported.id DESC
      """;

  /**
   * $1 tenant, $2 task id. Oldest first: the task's transition records in the audit log ({@link Transitions}), after
   * any history rows written before transitions lived there.
   */
  static final String HISTORY = """
      SELECT from_state, to_state, attempt, agent_id, reason, at FROM (
        SELECT from_state, to_state, attempt, agent_id, reason, at, 0 AS part, id FROM task_history_archive
        WHERE tenant_id = $1 AND task_id = $2
        UNION ALL
        SELECT details ->> 'from', details ->> 'to', (details ->> 'attempt')::int, details ->> 'agentId',
               details ->> 'reason', at, 1, id
        FROM audit_log
        WHERE tenant_id = $1 AND target = 'task:' || $2 AND action LIKE 'task.%' AND details ? 'to'
      ) h
      ORDER BY part, id
      """;

  /** $1 tenant, $2 task id. Latest attempt first. */
  static final String DECISIONS = """
      SELECT * FROM routing_decisions WHERE tenant_id = $1 AND task_id = $2 ORDER BY attempt DESC
      """;

  /** The transition record of an acknowledgement, for the rows of {@code moved}. */
  private static final String ACKNOWLEDGED = Transitions.details("'assigned'", "'running'", "moved.attempt",
      "moved.assigned_agent_id", "'acknowledged'", null);

  /**
   * A batch of one tenant's claims and the tasks they take: $1 tenant, $2 the claims, a JSON array of objects
   * {@code n} (1-based position), {@code agent}, {@code max} (most tasks), {@code self} (the agent's own claim, see
   * {@link AgentPresence#claimed}) and the actor of the request each came from ({@code actor_sub, actor_role,
   * client_ip, user_agent, correlation_id}), $3 refresh interval ms: one statement takes the claims of one request, or
   * of several requests by several agents (group commit). {@code wanted} holds each agent's claims together;
   * {@code locked}, each agent's assigned tasks not yet delivered, best first, locked (up to the sum of its claims'
   * {@code max}); {@code picked} hands them out to the agent's claims in order ({@code n}), each up to its {@code max}.
   * A claim also shows the agent is alive ({@code alive}).
   */
  private static final String PICKED = """
      WITH input AS (
        SELECT * FROM jsonb_to_recordset($2::jsonb) AS i(n integer, agent text, max integer, self boolean,
                                                          actor_sub text, actor_role text, client_ip text,
                                                          user_agent text, correlation_id text)
      ),
      wanted AS (
        SELECT agent, sum(max)::integer AS total, bool_or(self) AS self FROM input GROUP BY agent
      ),
      locked AS (
        SELECT p.id, w.agent,
               row_number() OVER (PARTITION BY w.agent ORDER BY p.priority DESC, p.assigned_at, p.id) AS rank
        FROM wanted w CROSS JOIN LATERAL (
          SELECT id, priority, assigned_at FROM tasks
          WHERE tenant_id = $1 AND assigned_agent_id = w.agent AND delivered_at IS NULL AND
      """
      + TaskState.guard("state", TaskState.RUNNING) + """

          ORDER BY priority DESC, assigned_at
          LIMIT w.total
          FOR UPDATE SKIP LOCKED
        ) p
      ),
      picked AS (
        SELECT l.id, c.n, c.actor_sub, c.actor_role, c.client_ip, c.user_agent, c.correlation_id
        FROM locked l
        JOIN (SELECT i.*, sum(i.max) OVER (PARTITION BY i.agent ORDER BY i.n) AS upto FROM input i) c
          ON c.agent = l.agent AND l.rank > c.upto - c.max AND l.rank <= c.upto
      ),
      """ + AgentPresence.claimed("alive", "$1", "wanted", "$3") + ",\n";

  /**
   * $1 tenant, $2 the claims, $3 refresh interval ms (see {@link #PICKED}): marks the claimed tasks delivered and
   * returns them, each with the position {@code n} of the claim it went to. A claim also shows the agent is alive: it
   * refreshes {@code last_heartbeat_at} when that is older than $3, so an agent that keeps polling does not go
   * offline. Bringing an offline agent back still takes an explicit heartbeat. The agent's own claim ({@code self})
   * makes it a consuming claim agent; the bridge's claim for a connected agent leaves that to the channel.
   */
  static final String CLAIM = PICKED + """
      delivered AS (
        UPDATE tasks t SET delivered_at = now(), updated_at = now()
        FROM picked WHERE t.id = picked.id
        RETURNING picked.n, t.id, t.attempt, t.type, t.priority, t.payload, t.requirements, t.budget, t.gates,
                  t.timeout_ms, t.lease_expires_at
      )
      SELECT delivered.*, """ + parentsOf("delivered.id") + """

      FROM delivered
      ORDER BY n
      """;

  /**
   * $1 tenant, $2 the claims, $3 refresh interval ms (see {@link #PICKED}), $4 lease ms: claims that acknowledge at
   * once. Takes the agents' assigned, undelivered tasks as {@link #CLAIM} does (a result's next work is a claim whose
   * {@code self} is false: it leaves the agent's delivery channel as it is) and moves each assigned → running with
   * its lease, history row and audit event, acted by the request of the claim it went to, as {@link #ACK} does: one
   * statement instead of a claim and an ack.
   */
  static final String CLAIM_RUNNING = PICKED + """
      moved AS (
        UPDATE tasks t SET state = 'running', delivered_at = now(), started_at = now(),
               lease_expires_at = now() + $4 * interval '1 millisecond', updated_at = now()
        FROM picked WHERE t.id = picked.id
        RETURNING t.id, t.tenant_id, t.attempt, t.assigned_agent_id, t.type, t.priority, t.payload, t.requirements,
                  t.budget, t.gates, t.timeout_ms, t.lease_expires_at, picked.n, picked.actor_sub, picked.actor_role,
                  picked.client_ip, picked.user_agent, picked.correlation_id
      ),
      """ + AuditLog.cte("audited", reportedEvents("moved", "'task.running'", "'task:' || moved.id", ACKNOWLEDGED, ""))
      + """
      SELECT n, id, attempt, type, priority, payload, requirements, budget, gates, timeout_ms, lease_expires_at,
             """ + parentsOf("moved.id") + """

      FROM moved
      ORDER BY n
      """;

  /** The locked task row every guarded change starts from: $1 id, $2 tenant. */
  private static final String LOCKED = """
      WITH t0 AS (
        SELECT id, state, attempt, assigned_agent_id, max_attempts, assigned_at, lease_expires_at
        FROM tasks WHERE id = $1 AND %s FOR UPDATE
      ),
      """.formatted(TenantCheck.of("tenant_id", "$2"));

  /**
   * A batch of one tenant's reports and their tasks: $1 tenant, $2 the reports, a JSON array of objects with the given
   * columns, {@code n}, their 1-based position, {@code agent}, the agent that reports, and the actor of the request
   * each came from ({@code actor_sub, actor_role, client_ip, user_agent, correlation_id}): one statement writes the reports
   * of one request, or of several requests by several agents (group commit). {@code input} holds the reports,
   * {@code t0} their tasks, locked in id order (the order every statement takes task rows in). The reports arrive as
   * one JSON document, as submissions do: the planner's estimate of the batch is then the same for every batch, so
   * PostgreSQL keeps one generic plan for the statement, where arrays would show it each batch's length and have it
   * planned again on every call.
   */
  private static String lockedBatch(String columns) {
    return """
        WITH input AS (
          SELECT * FROM jsonb_to_recordset($2::jsonb) AS i(n integer, agent text, actor_sub text, actor_role text,
                                                            client_ip text, user_agent text, correlation_id text, %s)
        ),
        t0 AS (
          SELECT id, state, attempt, assigned_agent_id, max_attempts, assigned_at, lease_expires_at, type, requirements
          FROM tasks WHERE id = ANY (ARRAY(SELECT id FROM input)) AND %s
          ORDER BY id
          FOR UPDATE
        ),
        """.formatted(columns, TenantCheck.of("tenant_id", "$1"));
  }

  /**
   * $1 tenant, $2 the acks ({id, attempt, n, agent, actor}, see {@link #lockedBatch}), $3 lease ms. assigned →
   * running for each task its holder acknowledges on its attempt, the first such ack of the batch moving it (its
   * request is the audit record's actor). One row per ack, in order: the task's state (after this batch; null for
   * an unknown task), its attempt and holder, the lease, and whether this ack moved it.
   */
  static final String ACK = lockedBatch("id uuid, attempt integer") + """
      updated AS (
        UPDATE tasks t SET state = 'running', started_at = now(), delivered_at = COALESCE(t.delivered_at, now()),
               lease_expires_at = now() + $3 * interval '1 millisecond', updated_at = now()
        FROM t0
        WHERE t.id = t0.id AND
      """ + TaskState.guard("t0.state", TaskState.RUNNING)
      + """

          AND EXISTS (SELECT 1 FROM input i
                      WHERE i.id = t0.id AND i.attempt = t0.attempt AND i.agent = t0.assigned_agent_id)
        RETURNING t.id, t.tenant_id, t.attempt, t.assigned_agent_id, t.lease_expires_at
      ),
      moved AS (
        SELECT DISTINCT ON (u.id) u.*, i.n, i.actor_sub, i.actor_role, i.client_ip, i.user_agent, i.correlation_id
        FROM updated u JOIN input i ON i.id = u.id AND i.attempt = u.attempt AND i.agent = u.assigned_agent_id
        ORDER BY u.id, i.n
      ),
      """ + AuditLog.cte("audited", reportedEvents("moved", "'task.running'", "'task:' || moved.id", ACKNOWLEDGED, ""))
      + """
      SELECT i.n, CASE WHEN m.id IS NOT NULL THEN 'running' ELSE t0.state END AS state, t0.attempt,
             t0.assigned_agent_id, COALESCE(m.lease_expires_at, t0.lease_expires_at) AS lease_expires_at,
             m.n IS NOT NULL AND m.n = i.n AS moved
      FROM input i LEFT JOIN t0 ON t0.id = i.id LEFT JOIN moved m ON m.id = i.id
      ORDER BY i.n
      """;

  /** $1 id, $2 tenant, $3 attempt, $4 agent, $5 lease ms, $6 progress (jsonb or null). Extends a running lease and
   * counts as the agent's heartbeat. */
  static final String EXTEND = LOCKED + """
      extended AS (
        UPDATE tasks t SET lease_expires_at = now() + $5 * interval '1 millisecond',
               progress = COALESCE($6::jsonb, t.progress), updated_at = now()
        FROM t0
        WHERE t.id = t0.id AND t0.state = 'running' AND t0.attempt = $3 AND t0.assigned_agent_id = $4
        RETURNING t.lease_expires_at
      ),
      """ + AgentPresence.heartbeat("alive", "$2", "$4", "EXISTS (SELECT 1 FROM extended)") + """

      SELECT t0.state, t0.attempt, t0.assigned_agent_id, COALESCE(e.lease_expires_at, t0.lease_expires_at)
               AS lease_expires_at, e.lease_expires_at IS NOT NULL AS moved
      FROM t0 LEFT JOIN extended e ON true
      """;

  /**
   * $1 tenant, $2 the results ({id, attempt, outcome, result, error, quality, filesChanged, linesChanged, testsPassed,
   * coverage, verdict, n, agent, actor}, see {@link #lockedBatch}), $3 backoff base ms, $4 backoff cap ms. A result
   * counts only from the task's holder on its attempt, and each record's actor is the request it came from.
   * {@code verdict} is the result gates' verdict on the result ({@code io.arbiter.policy.Verdict#toJson}, absent when
   * the task has no policy or the attempt did not report success): a result the gates failed arrives here already
   * turned into a failed outcome naming the rules.
   *
   * <p>Records each outcome once per (task, attempt), the first of the batch winning: succeeded ends the task; failed
   * retries after backoff or ends it dead. In the same statement, each recorded outcome leaves one
   * {@code agent_outcomes} row for {@link #FOLD_OUTCOMES} (which frees the agent's slot and moves its figures, arms
   * and specialization records; this statement takes no agent or arm row lock), and each recorded verdict goes into
   * the transition record of the result it judged, under {@code verdict}, committed with it; a verdict that is not a
   * pass (a failed or waived gate) is also an audit event of its own, {@code policy.verdict}.
   *
   * <p>One row per result, in order: the task's state (after this batch; null for an unknown task), its attempt and
   * holder, {@code moved} when this result was recorded, the state after it, and {@code recorded_outcome}, the
   * outcome of that attempt already recorded (by an earlier statement or earlier in this batch) when it is a repeat.
   */
  static final String RESULT = lockedBatch("""
      id uuid, attempt integer, outcome text, result jsonb, error text, quality float8, "filesChanged" integer,
                     "linesChanged" integer, "testsPassed" boolean, coverage float8, verdict jsonb""") + """
      chosen AS (
        SELECT DISTINCT ON (i.id) i.*, t0.state AS from_state, t0.assigned_at, t0.type, t0.requirements
        FROM input i JOIN t0 ON t0.id = i.id
        WHERE t0.attempt = i.attempt AND t0.assigned_agent_id = i.agent AND
      """
      + TaskState.guard("t0.state", TaskState.SUCCEEDED) + """

        ORDER BY i.id, i.n
      ),
      recorded AS (
        INSERT INTO task_results (task_id, attempt, tenant_id, agent_id, outcome, result, error, quality,
                                  files_changed, lines_changed, tests_passed, coverage)
        SELECT id, attempt, $1, agent, outcome, result, error, quality, "filesChanged", "linesChanged", "testsPassed",
               coverage
        FROM chosen
        ON CONFLICT (task_id, attempt) DO NOTHING
        RETURNING task_id
      ),
      finished AS (
        UPDATE tasks t SET
          state = CASE WHEN c.outcome = 'succeeded' THEN 'succeeded' WHEN t.attempt >= t.max_attempts THEN 'dead'
                       ELSE 'queued' END,
          result = c.result, error = c.error, lease_expires_at = NULL, deadline_at = NULL,
          run_after = CASE WHEN c.outcome <> 'succeeded' AND t.attempt < t.max_attempts THEN %s ELSE t.run_after END,
          finished_at = CASE WHEN c.outcome = 'succeeded' OR t.attempt >= t.max_attempts THEN now() END,
          updated_at = now()
        FROM chosen c
        WHERE t.id = c.id AND c.id IN (SELECT task_id FROM recorded)
        RETURNING t.id, t.tenant_id, t.state, t.attempt, t.assigned_agent_id, c.from_state, c.assigned_at, c.type,
                  c.requirements, c.outcome, c.quality, c.n, c.verdict, c.actor_sub, c.actor_role, c.client_ip,
                  c.user_agent, c.correlation_id
      ),
      outcomes AS (
        INSERT INTO agent_outcomes (tenant_id, agent_id, task_type, outcome, quality, latency_ms, specializations)
        SELECT f.tenant_id, f.assigned_agent_id, f.type, f.outcome, f.quality,
               EXTRACT(EPOCH FROM now() - f.assigned_at) * 1000,
               COALESCE(f.requirements -> 'specializations', '[]'::jsonb)
        FROM finished f ORDER BY f.n
      ),
      moves AS (
        SELECT f.id, f.tenant_id, f.attempt, f.assigned_agent_id, f.actor_sub, f.actor_role, f.client_ip,
               f.user_agent, f.correlation_id, s.n, s.from_state, s.to_state, f.verdict
        FROM finished f
        CROSS JOIN LATERAL (VALUES (1, f.from_state, f.outcome), (2, 'failed', f.state)) AS s(n, from_state, to_state)
        WHERE s.n = 1 OR f.outcome = 'failed'
      ),
      """.formatted(backoff("$3", "$4")) + AuditLog.cte("verdicts", """
        SELECT f.tenant_id, f.actor_sub, f.actor_role, 'policy.verdict', 'task:' || f.id,
               CASE WHEN f.verdict ->> 'verdict' = 'fail' THEN 'failure' ELSE 'success' END, f.client_ip,
               f.user_agent, f.correlation_id,
               f.verdict || jsonb_build_object('attempt', f.attempt, 'agentId', f.assigned_agent_id),
               '{}'::text[]
        FROM finished f WHERE f.verdict IS NOT NULL AND f.verdict ->> 'verdict' <> 'pass'
      """) + ",\n" + AuditLog.cte("audited", reportedEvents("moves",
      "'task.' || moves.to_state", "'task:' || moves.id",
      Transitions.details("moves.from_state", "moves.to_state", "moves.attempt", "moves.assigned_agent_id", """
          CASE WHEN moves.n = 1 THEN 'result reported' WHEN moves.to_state = 'dead' THEN 'no attempts left'
               ELSE 'retry after backoff' END""", """
          CASE WHEN moves.n = 1 AND moves.verdict IS NOT NULL THEN jsonb_build_object('verdict', moves.verdict)
               ELSE '{}'::jsonb END"""), "ORDER BY moves.id, moves.n"))
      + """
      SELECT i.n, COALESCE(f.state, t0.state) AS state, t0.attempt, t0.assigned_agent_id, f.state AS after_state,
             f.id IS NOT NULL AND f.n = i.n AS moved,
             COALESCE(CASE WHEN f.id IS NOT NULL AND c.attempt = i.attempt THEN c.outcome END,
                      (SELECT outcome FROM task_results r
                       WHERE r.tenant_id = $1 AND r.task_id = i.id AND r.attempt = i.attempt)) AS recorded_outcome
      FROM input i LEFT JOIN t0 ON t0.id = i.id LEFT JOIN finished f ON f.id = i.id LEFT JOIN chosen c ON c.id = i.id
      ORDER BY i.n
      """;

  /**
   * $1 most outcomes, $2 the learning discount. Applies the oldest {@code agent_outcomes} rows, at most $1, and deletes
   * them in the same statement, so that each recorded outcome is applied exactly once: only one transaction can delete
   * a row, and a fold that meets a row another fold is deleting waits for it and, once that fold commits, leaves the
   * row out. The rows are not locked before their delete (a lock is a WAL record of its own for every outcome); folds
   * on several nodes that pick the same oldest rows take them one after the other. For each agent at once: its slots
   * are freed (a draining agent that empties goes offline) and its running figures move (the baseline counts as one
   * prior observation, every completed attempt as one more); the learning router's arm for each task type takes the
   * rewards in the order they were recorded (see V4__routing_learning.sql and routing/Arm); the agent's record in each
   * specialization the tasks required grows. Agent rows are locked in (tenant, id) order. Returns how many outcomes it
   * applied.
   */
  static final String FOLD_OUTCOMES = fold("""
      SELECT seq FROM agent_outcomes ORDER BY seq LIMIT $1""");

  /**
   * $1 most outcomes, $2 the learning discount, $3 tenant, $4 agent: {@link #FOLD_OUTCOMES} for one agent's outcomes;
   * it waits for those another fold is applying, so that once it returns every outcome recorded before it began is
   * applied: used before an agent is deregistered, so that a slot its last result freed counts as free.
   */
  static final String FOLD_AGENT_OUTCOMES = fold("""
      SELECT seq FROM agent_outcomes WHERE tenant_id = $3 AND agent_id = $4 ORDER BY seq LIMIT $1""");

  private static String fold(String picked) {
    return """
      WITH batch AS (
        DELETE FROM agent_outcomes
        WHERE seq IN (%s)
        RETURNING *
      ),
      per_agent AS (
        SELECT tenant_id, agent_id, count(*)::int AS n, count(*) FILTER (WHERE outcome = 'succeeded') AS successes,
               count(quality) AS rated, COALESCE(sum(quality), 0) AS quality_sum, sum(latency_ms) AS latency_sum
        FROM batch GROUP BY tenant_id, agent_id
      ),
      """.formatted(picked) + AgentSlots.lock("agents_locked", "per_agent") + ",\n"
        + AgentSlots.foldOutcomes("agent", "agents_locked", "per_agent") + ",\n"
        + ArmsFold.cte("arms", "batch", "agents_locked", "$2") + ",\n"
        + SpecializationRecord.foldCte("specializations", "batch", "agents_locked") + """

      SELECT count(*)::int AS applied FROM batch
      """;
  }

  /** $1 tenant, $2 task id, $3 attempt: the outcome recorded for that attempt. Read after a {@link #RESULT} that
   * neither recorded nor found one: a concurrent statement may have recorded it after this one's snapshot was taken
   * (a statement that waited on the task's row lock sees the row's new state, but its other reads keep their older
   * snapshot). */
  static final String RECORDED_OUTCOME = """
      SELECT outcome FROM task_results WHERE tenant_id = $1 AND task_id = $2 AND attempt = $3
      """;

  /** $1 id, $2 tenant, $3 states it may be canceled from, $4..$8 actor. Releases the holder's slot if it had one. */
  static final String CANCEL = LOCKED + """
      moved AS (
        UPDATE tasks t SET state = 'canceled', lease_expires_at = NULL, deadline_at = NULL, finished_at = now(),
               updated_at = now()
        FROM t0 WHERE t.id = t0.id AND t0.state = ANY($3::text[])
        RETURNING t.id, t.tenant_id, t.attempt, t0.state AS from_state, t0.assigned_agent_id
      ),
      holder AS (
        SELECT tenant_id, assigned_agent_id AS agent_id FROM moved WHERE %s
      ),
      """.formatted(TaskState.in("from_state", java.util.List.of(TaskState.ASSIGNED, TaskState.RUNNING)))
      + AgentSlots.lock("agent_locked", "holder") + ",\n"
      + AgentSlots.release("released", "agent_locked", "1") + ",\n"
      + AuditLog.cte("audited", actorEvents("moved", "'task.canceled'", "'task:' || moved.id",
          Transitions.details("moved.from_state", "'canceled'", "moved.attempt", "moved.assigned_agent_id",
              "'canceled by ' || $4", null), 4)) + """
      SELECT t0.state, t0.attempt, t0.assigned_agent_id, m.id IS NOT NULL AS moved FROM t0 LEFT JOIN moved m ON true
      """;

  /** $1 id, $2 tenant, $3..$7 actor. dead → queued with a fresh set of attempts: attempt numbers keep growing, and
   * max_attempts grows by the task's attempt budget. */
  static final String REQUEUE = LOCKED + """
      moved AS (
        UPDATE tasks t SET state = 'queued', max_attempts = t.attempt + t.attempt_budget, run_after = now(),
               finished_at = NULL, updated_at = now()
        FROM t0 WHERE t.id = t0.id AND
      """ + TaskState.guard("t0.state", TaskState.QUEUED, TaskState.DEAD) + """

        RETURNING t.id, t.tenant_id, t.attempt, t.max_attempts
      ),
      """ + AuditLog.cte("audited", actorEvents("moved", "'task.requeued'", "'task:' || moved.id",
      Transitions.details("'dead'", "'queued'", "moved.attempt", "NULL", "'requeued by ' || $3",
          "jsonb_build_object('attemptsUsed', moved.attempt, 'maxAttempts', moved.max_attempts)"), 3)) + """
      SELECT t0.state, t0.attempt, t0.assigned_agent_id, m.id IS NOT NULL AS moved FROM t0 LEFT JOIN moved m ON true
      """;

  /**
   * $1 tenant, $2 task type, $3 most, $4..$8 actor. Requeues ({@link #REQUEUE}) up to $3 of the tenant's dead tasks of
   * the type, longest dead first, skipping rows another statement holds; one audit record per task. Returns the ids
   * of the tasks it requeued.
   */
  static final String REQUEUE_DEAD = """
      WITH t0 AS (
        SELECT id, state FROM tasks
        WHERE tenant_id = $1 AND type = $2 AND
      """ + TaskState.guard("state", TaskState.QUEUED, TaskState.DEAD) + """

        ORDER BY updated_at, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      ),
      moved AS (
        UPDATE tasks t SET state = 'queued', max_attempts = t.attempt + t.attempt_budget, run_after = now(),
               finished_at = NULL, updated_at = now()
        FROM t0 WHERE t.id = t0.id AND
      """ + TaskState.guard("t0.state", TaskState.QUEUED, TaskState.DEAD) + """

        RETURNING t.id, t.tenant_id, t.attempt, t.max_attempts
      ),
      """ + AuditLog.cte("audited", actorEvents("moved", "'task.requeued'", "'task:' || moved.id",
      Transitions.details("'dead'", "'queued'", "moved.attempt", "NULL", "'requeued by ' || $4",
          "jsonb_build_object('attemptsUsed', moved.attempt, 'maxAttempts', moved.max_attempts, 'bulk', true)"), 4,
      "ORDER BY moved.id")) + """
      SELECT id FROM moved ORDER BY id
      """;

  /**
   * The CTEs that delete the result and routing decision rows of the deleted tasks {@code gone} ({@code id}): neither
   * table references its task through a foreign key (a key's check looked the task row up again for every insert), so
   * a purge removes them itself, in the statement that deletes their tasks.
   */
  private static String dependentsPurged(String gone) {
    return "results_purged AS (DELETE FROM task_results r USING %1$s g WHERE r.task_id = g.id),\n".formatted(gone)
        + DecisionsPurge.cte("decisions_purged", gone);
  }

  /**
   * Retention: the tenants that hold tasks the timer may purge ({@link Retention#PURGED_BY_AGE}), each read once from
   * the {@code tasks_purgeable} index (a skip scan, not a read of every finished task).
   */
  static final String PURGE_TENANTS = """
      WITH RECURSIVE tenant AS (
        (SELECT tenant_id FROM tasks WHERE %1$s ORDER BY tenant_id LIMIT 1)
        UNION ALL
        SELECT (SELECT t.tenant_id FROM tasks t WHERE %2$s AND t.tenant_id > tenant.tenant_id
                ORDER BY t.tenant_id LIMIT 1)
        FROM tenant WHERE tenant.tenant_id IS NOT NULL
      )
      SELECT tenant_id FROM tenant WHERE tenant_id IS NOT NULL
      """.formatted(Retention.purgeable("state"), Retention.purgeable("t.state"));

  /**
   * Retention, one batch of one tenant: $1 tenant, $2 finished before (timestamptz), $3 batch size. Deletes up to $3 of
   * the tenant's tasks that succeeded or were canceled before $2, oldest first, skipping rows another node holds;
   * their results and routing decisions go with them ({@link #dependentsPurged}), and every other row that references
   * them too (ON DELETE CASCADE). One audit record ({@code tasks.purged} on {@code tasks}) counts them. Returns
   * {@code purged}.
   */
  static final String PURGE_FINISHED = """
      WITH doomed AS (
        SELECT id FROM tasks WHERE tenant_id = $1 AND %s AND finished_at < $2
        ORDER BY finished_at LIMIT $3 FOR UPDATE SKIP LOCKED
      ),
      gone AS (
        DELETE FROM tasks t USING doomed d WHERE t.id = d.id RETURNING t.id
      ),
      %s,
      counted AS (SELECT count(*) AS purged FROM gone),
      """.formatted(Retention.purgeable("state"), dependentsPurged("gone")) + AuditLog.cte("audited", """
        SELECT $1, 'arbiter', 'system', 'tasks.purged', 'tasks', 'success', NULL, NULL, NULL,
               jsonb_build_object('purged', c.purged, 'finishedBefore', $2::timestamptz), '{}'::text[]
        FROM counted c WHERE c.purged > 0
      """) + """
      SELECT purged FROM counted
      """;

  /**
   * An operator's purge of one task: $1 id, $2 tenant, $3 the states a task may be purged in (the finished ones),
   * $4..$8 actor. Deletes the task with every row that references it ({@link #dependentsPurged}, ON DELETE CASCADE)
   * and writes {@code task.purged}. Returns the task's state and whether it was purged; no row when the tenant has no
   * such task.
   */
  static final String PURGE_ONE = """
      WITH t0 AS (
        SELECT id, tenant_id, state FROM tasks WHERE id = $1 AND %s FOR UPDATE
      ),
      gone AS (
        DELETE FROM tasks t USING t0 WHERE t.id = t0.id AND t0.state = ANY($3::text[])
        RETURNING t.id, t.tenant_id, t0.state
      ),
      """.formatted(TenantCheck.of("tenant_id", "$2")) + dependentsPurged("gone") + ",\n"
      + AuditLog.cte("audited", actorEvents("gone", "'task.purged'", "'task:' || gone.id",
      "jsonb_build_object('state', gone.state)", 4)) + """
      SELECT t0.state, g.id IS NOT NULL AS purged FROM t0 LEFT JOIN gone g ON true
      """;

  /**
   * Whether this transaction may rescue leases: one rescuer at a time across every node sharing the database. The lock
   * ends with the transaction (or with a node's connection), so another node takes over at its next tick.
   */
  static final String TRY_LOCK_RESCUE = "SELECT pg_try_advisory_xact_lock(hashtext('arbiter.tasks.rescue')) AS held";

  /**
   * System sweep, all tenants. $1 batch size, $2 backoff base ms, $3 backoff cap ms. Every held task whose lease or
   * deadline passed, or whose agent went offline, becomes a timed-out attempt: back to queued after backoff, or dead
   * without attempts left; its agent's slot is released and the attempt counts as a failure in its figures. A push
   * agent whose delivery was not acknowledged in time stops consuming (the dispatcher gives it no new work). One
   * statement per batch.
   *
   * <p>The held tasks are found through two indexes, not by reading every held task: those whose lease or deadline
   * passed, earliest first, through the index on the earlier of the two ({@code tasks_active_expiry}), and those of
   * offline agents through the index of each agent's held tasks ({@code tasks_active_agent}).
   */
  static final String RESCUE = """
      WITH candidates AS (
        (SELECT id FROM tasks
         WHERE %1$s AND least(lease_expires_at, deadline_at) < now()
         ORDER BY least(lease_expires_at, deadline_at)
         LIMIT $1)
        UNION
        (SELECT t.id FROM agents a
         JOIN tasks t ON t.tenant_id = a.tenant_id AND t.assigned_agent_id = a.id AND %2$s
         WHERE a.status = 'offline'
         LIMIT $1)
      ),
      expired AS (
        SELECT t.id, t.tenant_id, t.state AS from_state, t.assigned_agent_id, t.attempt,
               CASE WHEN t.deadline_at < now() THEN 'task timeout'
                    WHEN a.status = 'offline' THEN 'agent offline'
                    WHEN t.state = 'assigned' THEN 'not acknowledged in time'
                    ELSE 'lease expired' END AS reason
        FROM tasks t
        LEFT JOIN agents a ON a.tenant_id = t.tenant_id AND a.id = t.assigned_agent_id
        WHERE t.id IN (SELECT id FROM candidates) AND %2$s
          AND (least(t.lease_expires_at, t.deadline_at) < now() OR a.status = 'offline')
        ORDER BY least(t.lease_expires_at, t.deadline_at)
        LIMIT $1
        FOR UPDATE OF t SKIP LOCKED
      ),
      """.formatted(TaskState.guard("state", TaskState.TIMED_OUT, TaskState.ASSIGNED, TaskState.RUNNING),
          TaskState.guard("t.state", TaskState.TIMED_OUT, TaskState.ASSIGNED, TaskState.RUNNING)) + """

      moved AS (
        UPDATE tasks t SET
          state = CASE WHEN t.attempt >= t.max_attempts THEN 'dead' ELSE 'queued' END,
          lease_expires_at = NULL, deadline_at = NULL, error = e.reason,
          run_after = CASE WHEN t.attempt < t.max_attempts THEN %s ELSE t.run_after END,
          finished_at = CASE WHEN t.attempt >= t.max_attempts THEN now() END,
          updated_at = now()
        FROM expired e WHERE t.id = e.id
        RETURNING t.id, t.tenant_id, t.state, t.attempt, e.from_state, e.assigned_agent_id, e.reason
      ),
      per_agent AS (
        SELECT tenant_id, assigned_agent_id AS agent_id, count(*)::int AS n,
               count(*) FILTER (WHERE reason = 'not acknowledged in time')::int AS unacked
        FROM moved GROUP BY 1, 2
      ),
      %s,
      %s,
      %s,
      moves AS (
        SELECT m.id, m.tenant_id, m.attempt, m.assigned_agent_id, m.reason, s.n, s.from_state, s.to_state
        FROM moved m
        CROSS JOIN LATERAL (VALUES (1, m.from_state, 'timed_out'), (2, 'timed_out', m.state)) AS s(n, from_state, to_state)
      ),
      """.formatted(backoff("$2", "$3"), AgentSlots.lock("agents_locked", "per_agent"),
          AgentSlots.timeOut("released", "agents_locked", "per_agent"), AuditLog.cte("stalled_audited", """
        SELECT tenant_id, 'arbiter', 'system', 'agent.stopped-consuming', 'agent:' || id, 'success', NULL, NULL,
               'lease-rescuer', jsonb_build_object('reason', 'pushed deliveries not acknowledged in time',
               'unacknowledged', unacked), '{}'::text[]
        FROM released WHERE stalled
      """)) + AuditLog.cte("audited", """
        SELECT tenant_id, 'arbiter', 'system', 'task.' || to_state, 'task:' || id, 'success', NULL, NULL,
               'lease-rescuer', %s, '{}'::text[]
        FROM moves ORDER BY id, n
      """.formatted(Transitions.details("from_state", "to_state", "attempt", "assigned_agent_id", """
          CASE WHEN n = 1 THEN reason WHEN to_state = 'dead' THEN 'no attempts left' ELSE 'retry after backoff' END""",
          null))) + """
      SELECT id, tenant_id, state, assigned_agent_id, reason FROM moved
      """;

  // ---- time and flows: the timer's statements, dependencies and the unroutable mark ----

  /** The audit CTE {@code audited} of one system transition per row of {@code rows} (id, tenant_id, attempt). */
  private static String systemTransitions(String rows, String from, String to, String reason, String actor) {
    return AuditLog.cte("audited", """
        SELECT %1$s.tenant_id, 'arbiter', 'system', 'task.' || %3$s, 'task:' || %1$s.id, 'success', NULL, NULL, '%5$s',
               %6$s, '{}'::text[]
        FROM %1$s ORDER BY %1$s.id
      """.formatted(rows, from, to, reason, actor, Transitions.details(from, to, rows + ".attempt", "NULL", reason,
        null)));
  }

  /**
   * System timer, all tenants. $1 batch size. Moves the scheduled tasks whose due time ({@code run_after}) came to
   * the queue, earliest first, found through the partial index on the due time; rows another node holds are skipped,
   * so timers on several nodes take disjoint batches. Returns the moved tasks (id, tenant_id).
   */
  static final String PROMOTE_DUE = """
      WITH due AS (
        SELECT id FROM tasks
        WHERE %s AND run_after <= now()
        ORDER BY run_after
        LIMIT $1
        FOR UPDATE SKIP LOCKED
      ),
      moved AS (
        UPDATE tasks t SET state = 'queued', updated_at = now()
        FROM due WHERE t.id = due.id
        RETURNING t.id, t.tenant_id, t.attempt
      ),
      """.formatted(TaskState.guard("state", TaskState.QUEUED, TaskState.SCHEDULED))
      + systemTransitions("moved", "'scheduled'", "'queued'", "'due'", "timer") + """
      SELECT id, tenant_id FROM moved
      """;

  /**
   * System timer, all tenants. $1 batch size. Every queued task whose queue time-out passed since it became ready
   * ({@code run_after}: submitted, due, released or retried) times out and ends dead, "queue timeout": a queue
   * time-out never retries. Returns the ended tasks (id, tenant_id).
   */
  static final String QUEUE_TIMEOUTS = """
      WITH expired AS (
        SELECT id FROM tasks
        WHERE %s AND queue_timeout_ms IS NOT NULL
          AND run_after + queue_timeout_ms * interval '1 millisecond' < now()
        ORDER BY run_after
        LIMIT $1
        FOR UPDATE SKIP LOCKED
      ),
      moved AS (
        UPDATE tasks t SET state = 'dead', error = 'queue timeout', finished_at = now(), updated_at = now()
        FROM expired e WHERE t.id = e.id
        RETURNING t.id, t.tenant_id, t.attempt
      ),
      moves AS (
        SELECT m.id, m.tenant_id, m.attempt, s.n, s.from_state, s.to_state
        FROM moved m
        CROSS JOIN LATERAL (VALUES (1, 'queued', 'timed_out'), (2, 'timed_out', 'dead')) AS s(n, from_state, to_state)
      ),
      """.formatted(TaskState.guard("state", TaskState.TIMED_OUT, TaskState.QUEUED)) + AuditLog.cte("audited", """
        SELECT tenant_id, 'arbiter', 'system', 'task.' || to_state, 'task:' || id, 'success', NULL, NULL, 'timer', %s,
               '{}'::text[]
        FROM moves ORDER BY id, n
      """.formatted(Transitions.details("from_state", "to_state", "attempt", "NULL",
          "CASE WHEN n = 1 THEN 'queue timeout' ELSE 'a queue time-out ends the task' END", null))) + """
      SELECT id, tenant_id FROM moved
      """;

  /** The states a parent ends in; on a {@code cancel} edge the last two end its dependants too. */
  private static final String ENDED = TaskState.in("p.state",
      java.util.List.of(TaskState.SUCCEEDED, TaskState.DEAD, TaskState.CANCELED));
  private static final String ENDED_BADLY = TaskState.in("p.state", java.util.List.of(TaskState.DEAD, TaskState.CANCELED));

  /**
   * $1 task ids (or null for every waiting task), $2 batch size. Settles the waiting tasks among $1 and the children of
   * $1 (or any, for the poll that stands in for a lost nudge): one whose parent ended dead or canceled on a
   * {@code cancel} edge ends canceled, naming that parent and its end state; one whose parents all ended (succeeded,
   * or any end on a {@code continue} edge) goes to the queue, or to scheduled while its due time is ahead. The others
   * stay waiting. The guard on waiting and the row lock make each move happen once, whichever node or nudge gets
   * there first. Returns the moved tasks (id, tenant_id, state).
   */
  static final String SETTLE = """
      WITH candidates AS (
        SELECT t.id FROM tasks t
        WHERE %1$s
          AND ($1::uuid[] IS NULL OR t.id = ANY ($1::uuid[])
               OR t.id IN (SELECT d.task_id FROM task_dependencies d WHERE d.parent_id = ANY ($1::uuid[])))
          AND (NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks p ON p.id = d.parent_id
                           WHERE d.task_id = t.id AND NOT (%2$s))
               OR EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks p ON p.id = d.parent_id
                          WHERE d.task_id = t.id AND d.on_failure = 'cancel' AND %3$s))
        ORDER BY t.id
        LIMIT $2
        FOR UPDATE OF t SKIP LOCKED
      ),
      blocked AS (
        SELECT DISTINCT ON (c.id) c.id, p.id AS parent_id, p.state AS parent_state
        FROM candidates c JOIN task_dependencies d ON d.task_id = c.id JOIN tasks p ON p.id = d.parent_id
        WHERE d.on_failure = 'cancel' AND %3$s
        ORDER BY c.id, p.id
      ),
      moved AS (
        UPDATE tasks t SET
          state = CASE WHEN b.id IS NOT NULL THEN 'canceled' WHEN t.run_after > now() THEN 'scheduled' ELSE 'queued' END,
          run_after = CASE WHEN b.id IS NULL AND t.run_after < now() THEN now() ELSE t.run_after END,
          error = CASE WHEN b.id IS NOT NULL THEN 'parent ' || b.parent_id || ' ended ' || b.parent_state END,
          finished_at = CASE WHEN b.id IS NOT NULL THEN now() END,
          updated_at = now()
        FROM candidates c LEFT JOIN blocked b ON b.id = c.id
        WHERE t.id = c.id
        RETURNING t.id, t.tenant_id, t.attempt, t.state, t.error
      ),
      """.formatted(TaskState.guard("t.state", TaskState.QUEUED, TaskState.WAITING), ENDED, ENDED_BADLY)
      + systemTransitions("moved", "'waiting'", "moved.state", "COALESCE(moved.error, 'parents finished')",
          "dependencies") + """
      SELECT id, tenant_id, state FROM moved
      """;

  /** $1 tenant, $2 task ids: those of them that exist in the tenant (the parents a submission names). */
  static final String EXISTING = """
      SELECT id FROM tasks WHERE id = ANY ($2::uuid[]) AND %s
      """.formatted(TenantCheck.of("tenant_id", "$1"));

  /**
   * $1 tenant, $2 task id, $3 most nodes: the tasks reachable from the task over dependency edges in either
   * direction (at most $3, the task first), and the edges among them. One row: {@code nodes} [{id, type, state}],
   * {@code edges} [{from (the parent), to, onFailure}].
   */
  static final String GRAPH = """
      WITH RECURSIVE reach(id) AS (
        SELECT $2::uuid
        UNION
        SELECT CASE WHEN d.task_id = r.id THEN d.parent_id ELSE d.task_id END
        FROM reach r JOIN task_dependencies d ON d.tenant_id = $1 AND (d.task_id = r.id OR d.parent_id = r.id)
      ),
      nodes AS (
        SELECT t.id, t.type, t.state FROM tasks t
        WHERE t.tenant_id = $1 AND t.id IN (SELECT id FROM reach LIMIT $3)
      )
      SELECT (SELECT jsonb_agg(jsonb_build_object('id', id, 'type', type, 'state', state) ORDER BY id) FROM nodes)
               AS nodes,
             (SELECT jsonb_agg(jsonb_build_object('from', d.parent_id, 'to', d.task_id, 'onFailure', d.on_failure)
                               ORDER BY d.parent_id, d.task_id)
              FROM task_dependencies d
              WHERE d.tenant_id = $1 AND d.task_id IN (SELECT id FROM nodes) AND d.parent_id IN (SELECT id FROM nodes))
               AS edges
      """;

  /** A task no registered agent of its tenant can take: none, in any status, does its type. */
  private static String noAgentTakes(String tenant, String type) {
    return """
        NOT EXISTS (SELECT 1 FROM agents a
                    WHERE a.tenant_id = %s AND a.deregistered_at IS NULL AND a.task_types @> ARRAY[%s])"""
        .formatted(tenant, type);
  }

  /** The unroutable mark of a task whose type is {@code type}. */
  private static String unroutableReason(String type) {
    return "'no registered agent of the tenant takes task type ' || " + type;
  }

  /** The {@code task.unroutable} audit events (on the task's stream) of the marked rows of {@code rows}. */
  private static String unroutableEvents(String rows) {
    return """
        SELECT tenant_id, 'arbiter', 'system', 'task.unroutable', 'task:' || id, 'success', NULL, NULL, 'routing',
               jsonb_build_object('reason', unroutable, 'missing', jsonb_build_object('taskType', type)), '{}'::text[]
        FROM %s WHERE unroutable IS NOT NULL ORDER BY id
      """.formatted(rows);
  }

  private static final String NOT_YET_ASSIGNED = TaskState.in("t.state",
      java.util.List.of(TaskState.SCHEDULED, TaskState.WAITING, TaskState.QUEUED));

  /**
   * $1 tenant ids: clears the mark of their unroutable tasks that a registered agent can now take, with a
   * {@code task.routable} event each. Returns the cleared tasks (id, tenant_id).
   */
  static final String CLEAR_UNROUTABLE = """
      WITH cleared AS (
        UPDATE tasks t SET unroutable = NULL
        WHERE t.tenant_id = ANY ($1::text[]) AND t.unroutable IS NOT NULL AND %s AND NOT (%s)
        RETURNING t.id, t.tenant_id, t.type
      ),
      """.formatted(NOT_YET_ASSIGNED, noAgentTakes("t.tenant_id", "t.type")) + AuditLog.cte("audited", """
        SELECT tenant_id, 'arbiter', 'system', 'task.routable', 'task:' || id, 'success', NULL, NULL, 'routing',
               jsonb_build_object('taskType', type), '{}'::text[]
        FROM cleared ORDER BY id
      """) + """
      SELECT id, tenant_id FROM cleared
      """;

  /**
   * $1 tenant ids: marks their unassigned tasks that no registered agent takes any more (after an agent left or
   * changed its capabilities), with a {@code task.unroutable} event each. Returns the marked tasks (id, tenant_id).
   */
  static final String MARK_UNROUTABLE = """
      WITH marked AS (
        UPDATE tasks t SET unroutable = %s
        WHERE t.tenant_id = ANY ($1::text[]) AND t.unroutable IS NULL AND %s AND %s
        RETURNING t.id, t.tenant_id, t.type, t.unroutable
      ),
      """.formatted(unroutableReason("t.type"), NOT_YET_ASSIGNED, noAgentTakes("t.tenant_id", "t.type"))
      + AuditLog.cte("audited", unroutableEvents("marked")) + """
      SELECT id, tenant_id FROM marked
      """;

  /** $1 tenant, $2 task type: the tenant's registered agents that take the type, for a queued task's explanation. */
  static final String CAPABLE_AGENTS = """
      SELECT a.id, a.status, a.consuming, a.current_load, a.max_concurrent_tasks, a.average_quality, a.languages,
             a.specializations
      FROM agents a
      WHERE a.tenant_id = $1 AND a.deregistered_at IS NULL AND a.task_types @> ARRAY[$2::text]
      ORDER BY a.id
      LIMIT 100
      """;

  /** $1 tenant: its unfinished tasks by state and priority. */
  static final String QUEUE_BY_PRIORITY = """
      SELECT state, priority, count(*) AS tasks FROM tasks
      WHERE tenant_id = $1 AND state IN ('scheduled', 'waiting', 'queued', 'assigned', 'running')
      GROUP BY state, priority
      """;

  /**
   * System figures, all tenants: the unfinished tasks and the dead letters by state, and the unroutable tasks, each
   * counted through its partial index (finished tasks are counted as they finish, not here).
   */
  static final String STATE_COUNTS = """
      SELECT (SELECT count(*) FROM tasks WHERE state = 'queued') AS queued,
             (SELECT count(*) FROM tasks WHERE state = 'scheduled') AS scheduled,
             (SELECT count(*) FROM tasks WHERE state = 'waiting') AS waiting,
             (SELECT count(*) FROM tasks WHERE state = 'assigned') AS assigned,
             (SELECT count(*) FROM tasks WHERE state = 'running') AS running,
             (SELECT count(*) FROM tasks WHERE state = 'dead') AS dead,
             (SELECT count(*) FROM tasks WHERE unroutable IS NOT NULL
                AND state IN ('scheduled', 'waiting', 'queued')) AS unroutable
      """;
}
