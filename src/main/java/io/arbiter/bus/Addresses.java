package io.arbiter.bus;

/**
 * Every event-bus address Arbiter uses, defined once. Requests are {@code arbiter.<domain>.<verb>} and carry a
 * {@link RequestContext} in their headers; publishes are {@code arbiter.events.<kind>}. Bodies are JSON objects;
 * failures come back as {@link Failure} codes ({@code ReplyException.failureCode()}).
 *
 * <p>When nodes are clustered ({@code cluster.enabled}), requests are served by the node that received them (their
 * consumers are {@code localConsumer}s: every node runs every verticle over the shared database), while the events
 * under {@code arbiter.events.} and the agents' bridge channels reach every node.
 */
public final class Addresses {
  private Addresses() {}

  /** Register an agent. Body: the agent JSON of the API ({@code id, name, modelFamily, capabilities,
   * maxConcurrentTasks}). Reply: the stored agent. Fails {@link Failure#CONFLICT} when the id is taken. */
  public static final String REGISTRY_REGISTER = "arbiter.registry.register";
  /** Body {@code {id}}. Reply: the agent. Fails {@link Failure#NOT_FOUND} (also for another tenant's agent). */
  public static final String REGISTRY_GET = "arbiter.registry.get";
  /** Body {@code {limit, cursor?, status?, taskType?, languages?, specializations?}}. With {@code taskType} the
   * items are capable agents ranked by {@code matchScore}. Reply {@code {items, nextCursor}}. */
  public static final String REGISTRY_LIST = "arbiter.registry.list";
  /** Body {@code {id, name?, capabilities?, maxConcurrentTasks?, modelFamily?}}. Reply: the updated agent. */
  public static final String REGISTRY_UPDATE = "arbiter.registry.update";
  /** Body {@code {id}}. Reply: the agent, brought back to {@code available} if it was offline. */
  public static final String REGISTRY_HEARTBEAT = "arbiter.registry.heartbeat";
  /** Body {@code {id}}. Reply: the agent, {@code draining} while it has work, else {@code offline}. */
  public static final String REGISTRY_DEREGISTER = "arbiter.registry.deregister";
  /** Body {@code {id, open}}: the agent's event-bus bridge channel opened (it is delivered to by push, and consuming)
   * or closed (a push agent stops consuming). Reply: the agent. */
  public static final String REGISTRY_CHANNEL = "arbiter.registry.channel";
  /** No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the registry verticle. */
  public static final String REGISTRY_HEALTH = "arbiter.registry.health";

  /** Submit one task. Body: the submission JSON plus {@code idempotencyKey} (optional). Reply {@code {task, created}}:
   * {@code created} is false when the key repeats with the same body. Fails {@link Failure#CONFLICT} when the key
   * repeats with another body, {@link Failure#PAYLOAD_TOO_LARGE} over {@code tasks.maxPayloadBytes}. */
  public static final String TASKS_SUBMIT = "arbiter.tasks.submit";
  /** Body {@code {tasks: [submission…]}} (up to 1,000, one transaction). Reply {@code {tasks: [{id, state}]}}. */
  public static final String TASKS_SUBMIT_BATCH = "arbiter.tasks.submit-batch";
  /** Body {@code {nodes: [submission plus key…], edges: [{from, to, onFailure?}…]}}: a workflow, one transaction.
   * Reply {@code {tasks: {key: id}}}. Fails {@link Failure#BAD_REQUEST} naming the field for a repeated key, an edge to
   * an unknown key, a cycle (its keys) or an unknown parent. */
  public static final String TASKS_WORKFLOW = "arbiter.tasks.workflow";
  /** Body {@code {id}}. Reply {@code {taskId, nodes: [{id, type, state}], edges: [{from, to, onFailure}], truncated}}:
   * the tasks reachable from the task over dependency edges (bounded). */
  public static final String TASKS_GRAPH = "arbiter.tasks.graph";
  /** Body {@code {id}}. Reply: the task. */
  public static final String TASKS_GET = "arbiter.tasks.get";
  /** Body {@code {limit?, cursor?, state?, type?, agent?, from?, to?, tenant?}} ({@code from} and {@code to} bound
   * the creation time; {@code tenant} other than the caller's only for the platform role). Reply {@code {items,
   * nextCursor}}, newest first. */
  public static final String TASKS_LIST = "arbiter.tasks.list";
  /** Body {@code {id}}. Reply {@code {items: [{from, to, attempt, agentId, reason, at}]}}. */
  public static final String TASKS_HISTORY = "arbiter.tasks.history";
  /** Body {@code {id}}. Reply: the latest routing decision, earlier ones under {@code previous}; for a queued task
   * also {@code waiting}, why it waits (see {@code task/QueueExplanation}). */
  public static final String TASKS_DECISION = "arbiter.tasks.decision";
  /** Body {@code {id}}. Reply: the canceled task. Fails {@link Failure#CONFLICT} naming the state if it finished. */
  public static final String TASKS_CANCEL = "arbiter.tasks.cancel";
  /** Body {@code {id}}. Reply: the requeued task. Fails {@link Failure#CONFLICT} unless it is dead. */
  public static final String TASKS_REQUEUE = "arbiter.tasks.requeue";
  /** Body {@code {type, limit?}}. Requeues, as {@link #TASKS_REQUEUE} does, up to {@code limit} (default 100) of the
   * tenant's dead tasks of the type, longest dead first, each with its own audit record. Reply {@code {type, requeued,
   * taskIds}}. */
  public static final String TASKS_REQUEUE_DEAD = "arbiter.tasks.requeue-dead";
  /** Body {@code {window?, step?}} (such as {@code 1h} and {@code 1m}, the defaults; at most 24 hours in at most 1,440
   * steps of at least 10 s). Reply {@code {from, to, stepSeconds, points: [{at, submitted, succeeded, failed, dead,
   * canceled, assignLatencyMs, endToEndLatencyMs}…], summary}}: the tenant's figures per step, from the tasks' own
   * times. Fails {@link Failure#BAD_REQUEST} naming a malformed or out-of-bounds field. */
  public static final String TASKS_TIMESERIES = "arbiter.tasks.timeseries";
  /** Body {@code {id, limit?}}: an agent. Reply {@code {agentId, leases: [{taskId, type, priority, state, attempt,
   * assignedAt, startedAt, leaseExpiresAt}…], results: [{taskId, attempt, type, outcome, quality, error,
   * reportedAt}…]}}: the tasks it holds now and its latest {@code limit} (default 20) reported attempts. */
  public static final String TASKS_AGENT_ACTIVITY = "arbiter.tasks.agent-activity";
  /** Body {@code {id}}. Deletes a finished task (succeeded, canceled or dead) with its results, routing decisions and
   * every row referencing it. Reply {@code {id, state}}: the state it was purged in. Fails {@link Failure#NOT_FOUND}
   * without such a task in the caller's tenant, {@link Failure#CONFLICT} naming the state of an unfinished one. */
  public static final String TASKS_PURGE = "arbiter.tasks.purge";
  /** Body {@code {agentId, wait (s), max, push?}}. Reply {@code {tasks: [delivery…]}}, empty when nothing came in time.
   * A claim by the agent itself ({@code push} false) makes it a consuming claim agent; {@code push} true is the bridge
   * claiming on behalf of a connected agent, to push what it finds. */
  public static final String TASKS_CLAIM = "arbiter.tasks.claim";
  /** Body {@code {agentId}}, with the request context of a long-polling claim whose client went away (its
   * connection closed): that claim stops waiting. Reply {@code {}}. */
  public static final String TASKS_CLAIM_CANCEL = "arbiter.tasks.claim.cancel";
  /** Body {@code {agentId, taskId, attempt}}. Reply: the lease {@code {taskId, attempt, state, leaseExpiresAt,
   * canceled}}. Fails {@link Failure#CONFLICT} for a stale attempt or a task that cannot start. */
  public static final String TASKS_ACK = "arbiter.tasks.ack";
  /** Body {@code {agentId, taskId, attempt}}. Reply: the lease, extended; {@code canceled} tells the agent to stop. */
  public static final String TASKS_HEARTBEAT = "arbiter.tasks.heartbeat";
  /** Body {@code {agentId, taskId, attempt, percent?, message?}}. Reply: the lease, extended. */
  public static final String TASKS_PROGRESS = "arbiter.tasks.progress";
  /** Body {@code {agentId, taskId, attempt, outcome, result?, error?, quality?, filesChanged?, linesChanged?,
   * testsPassed?, coverage?}}. Reply {@code {taskId, attempt, outcome, state, repeated}}. */
  public static final String TASKS_RESULT = "arbiter.tasks.result";
  /** Body {@code {agentId, tasks: [{taskId, attempt}…]}}: many acks in one transaction. Reply {@code {items: […]}},
   * one per task in order: {@code {status: 200, …the lease}} or {@code {status, taskId, attempt, problem}}. */
  public static final String TASKS_ACK_BATCH = "arbiter.tasks.ack-batch";
  /** Body {@code {agentId, results: [{taskId, attempt, outcome, …}…]}}: many results in one transaction. Reply
   * {@code {items: […]}}, one per result in order, shaped as for {@link #TASKS_ACK_BATCH}. */
  public static final String TASKS_RESULT_BATCH = "arbiter.tasks.result-batch";
  /**
   * Body {@code {agentId}}. Applies the outcomes recorded for that agent of the caller's tenant and not yet folded into
   * its load and figures (waiting for a fold in progress). Reply {@code {applied}}. Sent before a deregistration.
   */
  public static final String TASKS_FOLD_AGENT = "arbiter.tasks.fold-agent";
  /** No body. Reply {@code {queued, assigned, running, scheduled, waiting, byPriority: [{priority, queued}…]}}: the caller's tenant's
   * unfinished tasks, the queued ones by priority (highest first). */
  public static final String TASKS_QUEUE = "arbiter.tasks.queue";
  /**
   * No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the task verticle, plus {@code buffered} and
   * {@code journalCapacity} of its outage journal.
   */
  public static final String TASKS_HEALTH = "arbiter.tasks.health";

  /**
   * Local, sent once by a graceful shutdown after ingress stopped accepting: long-polling claims are answered empty at
   * once, the leases of the agents in {@code release} end now, the outage journal's pending writes finish and, if the
   * database answers, it replays. Body {@code {release: [{tenantId, agentId}…]}} (empty unless
   * {@code shutdown.leases} is {@code release}). Reply {@code {buffered, released}}: items left in the journal for the
   * next start, leases ended.
   */
  public static final String TASKS_SHUTDOWN = "arbiter.tasks.shutdown";

  /**
   * Published as a nudge to the dispatch lanes: there may be work to assign. Body {@link DispatchWake}: the tenants
   * whose work changed, or none for all tenants; nudges while a lane's dispatch runs coalesce.
   */
  public static final String ROUTING_DISPATCH = "arbiter.routing.dispatch";
  /** No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the routing verticle. */
  public static final String ROUTING_HEALTH = "arbiter.routing.health";
  /** Body {@code {taskType}}. Reply {@code {taskType, strategy, exploration, agents: [{agentId, status, pulls,
   * meanReward, posterior: {alpha, beta, mean}, priorMean}…]}}: what the learning router knows of every agent of the
   * caller's tenant that can do the type (an agent without results shows its prior), best posterior mean first. */
  public static final String ROUTING_STATS = "arbiter.routing.stats";

  /** Body {@code {}}. Reply: the caller's tenant's limits {@code {maxFiles, maxLoc, maxPayloadBytes, taskTypes}}
   * (null, or an empty list of types, where it sets none). */
  public static final String POLICY_LIMITS_GET = "arbiter.policy.limits-get";
  /** Body: the limits, as {@link #POLICY_LIMITS_GET} answers them (a field left out is no limit); they replace the
   * tenant's limits. Reply: the stored limits. Publishes {@link #EVENTS_LIMITS_CHANGED}. */
  public static final String POLICY_LIMITS_PUT = "arbiter.policy.limits-put";
  /** Body {@code {rule, scope: {kind: task|task_type|agent, value}, reason, expiresAt}}. Reply: the waiver {@code {id,
   * tenantId, rule, scope, reason, expiresAt, createdBy, createdAt, revokedAt, revokedBy, active}}. Fails
   * {@link Failure#UNPROCESSABLE} for an unknown rule or an expiry in the past or beyond {@code policy.maxWaiverDays},
   * {@link Failure#BAD_REQUEST} for a task scope that is not a task id. */
  public static final String POLICY_WAIVER_CREATE = "arbiter.policy.waiver-create";
  /** Body {@code {id}}. Reply: the waiver. Fails {@link Failure#NOT_FOUND} (also for another tenant's). */
  public static final String POLICY_WAIVER_GET = "arbiter.policy.waiver-get";
  /** Body {@code {limit?, cursor?, active?, rule?}}. Reply {@code {items: [waiver…], nextCursor}}, newest first. */
  public static final String POLICY_WAIVER_LIST = "arbiter.policy.waiver-list";
  /** Body {@code {id}}. Reply: the waiver, revoked (a revoked one as it was). Fails {@link Failure#NOT_FOUND}. */
  public static final String POLICY_WAIVER_REVOKE = "arbiter.policy.waiver-revoke";
  /**
   * Body {@code {tenantId, jti, expiresAt}} (ISO-8601): lists the token until it expires. Reply: the entry
   * {@code {tenantId, jti, expiresAt, revokedBy, revokedAt}}. Fails {@link Failure#FORBIDDEN} when a caller without
   * the platform role names another tenant, {@link Failure#UNPROCESSABLE} for an expiry in the past or too far ahead.
   * Then publishes {@link #EVENTS_TOKEN_REVOKED}.
   */
  public static final String POLICY_TOKEN_REVOKE = "arbiter.policy.token-revoke";
  /**
   * Body {@code {since?}} (ISO-8601; all when absent). Reply {@code {asOf, items: [{tenantId, jti, expiresAt}…]}}: the
   * deny-list entries revoked since then whose tokens have not expired ({@code expiresAt} in epoch ms), every tenant's,
   * and the database time to pass as the next {@code since}. Asked by ingress on every node to refresh its cache.
   */
  public static final String POLICY_TOKEN_REVOCATIONS = "arbiter.policy.token-revocations";
  /** No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the policy verticle. */
  public static final String POLICY_HEALTH = "arbiter.policy.health";

  /** Create a schedule. Body {@code {name, cron, timeZone?, template, overlap?, catchUp?, paused?}} ({@code template}:
   * a task submission). Reply: the schedule {@code {id, tenantId, name, cron, timeZone, template, overlap, catchUp,
   * paused, nextRunAt, lastRunTaskId, lastRunAt, createdBy, createdAt, updatedAt}}. Fails {@link Failure#BAD_REQUEST}
   * naming the field for a bad expression, zone or template, {@link Failure#CONFLICT} for a name the tenant uses,
   * {@link Failure#UNPROCESSABLE} past {@code schedules.maxPerTenant} or a template that breaks the tenant's limits. */
  public static final String SCHEDULES_CREATE = "arbiter.schedules.create";
  /** Body {@code {id}}. Reply: the schedule. Fails {@link Failure#NOT_FOUND} (also for another tenant's). */
  public static final String SCHEDULES_GET = "arbiter.schedules.get";
  /** Body {@code {limit?, cursor?}}. Reply {@code {items: [schedule…], nextCursor}}, newest first. */
  public static final String SCHEDULES_LIST = "arbiter.schedules.list";
  /** Body {@code {id, name?, cron?, timeZone?, template?, overlap?, catchUp?, paused?}}. Reply: the changed schedule
   * (a new expression or zone, or a resume, moves its next run to the first occurrence from now). Fails as
   * {@link #SCHEDULES_CREATE} does, and {@link Failure#NOT_FOUND}. */
  public static final String SCHEDULES_UPDATE = "arbiter.schedules.update";
  /** Body {@code {id}}. Reply: the deleted schedule (its runs go with it, their tasks stay). Fails
   * {@link Failure#NOT_FOUND}. */
  public static final String SCHEDULES_DELETE = "arbiter.schedules.delete";
  /** Body {@code {id, limit?, cursor?}}. Reply {@code {items: [{scheduleId, occurrenceAt, outcome, taskId, state,
   * detail, firedAt}…], nextCursor}}, newest occurrence first. Fails {@link Failure#NOT_FOUND}. */
  public static final String SCHEDULES_RUNS = "arbiter.schedules.runs";
  /** No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the schedule verticle. */
  public static final String SCHEDULES_HEALTH = "arbiter.schedules.health";
  /** Body {@code {id}}: a task id. Reply: the task's completion callback {@code {taskId, host, state, attempts,
   * nextAttemptAt?, lastAttemptAt?, lastStatus?, lastError?, deliveredAt?, createdAt}}. Fails {@link Failure#NOT_FOUND}
   * when no task of the caller's tenant with that id asked for one. */
  public static final String CALLBACKS_GET = "arbiter.callbacks.get";

  /** Append a security or system event that has no transaction of its own. Body: {@code AuditEvent.toJson()}
   * ({@code tenantId, actorSub, actorRole, action, target, outcome, clientIp, userAgent, correlationId, details,
   * tags}). Reply: an empty object once the event is in the audit log (senders may ignore it). */
  public static final String AUDIT_APPEND = "arbiter.audit.append";
  /** A nudge, sent after a transaction wrote audit records: seal them now instead of at the next poll. No body. */
  public static final String AUDIT_DRAIN = "arbiter.audit.drain";
  /** Read the caller's tenant's audit records, newest first. Body {@code {limit?, cursor?, from?, to?, actor?, action?,
   * target?, outcome?}} ({@code from}/{@code to}: ISO-8601 instants, {@code from} inclusive, {@code to} exclusive;
   * {@code actor} matches {@code actor_sub}). Reply {@code {items: [record…], nextCursor}}, each record {@code {id, at,
   * recordedAt, tenant, actor, actorRole, action, target, outcome, clientIp, userAgent, correlationId, details, tags,
   * prevHash, hash}} with the hashes in hex (null until the record is sealed). Fails {@link Failure#BAD_REQUEST} for a bad cursor, range or limit. */
  public static final String AUDIT_QUERY = "arbiter.audit.query";
  /** Check the hash chain (global, across tenants) in chain order, recomputing every hash. Body {@code {from?, to?,
   * full?}}: with a range, only the records whose {@code at} is in it (with the rest of their seals), linked to the
   * record before them; without one, the records sealed after the last seal a whole-chain verification found intact,
   * or with {@code full: true} (platform role only) every stored record. Records not yet sealed are not checked. An
   * intact whole-chain walk moves the verified checkpoint forward to the last seal it walked. Reply {@code {ok: true,
   * checked, lastId}} or {@code {ok: false, checked, brokenId, reason}} ({@code checked} counts the records examined, a
   * broken one included; {@code unchained} is added when records from before the chain existed were passed over). Only
   * ids and reasons: never another tenant's content. When part of the chain was archived, the reply adds
   * {@code checkpoint: {hash, archived, archivedAt}} ({@code sealId} and {@code lastId} too for the platform role); a
   * whole-chain walk adds {@code from: {kind, hash?, at?}} ({@code kind} {@code verified}, {@code archived} or
   * {@code genesis}; {@code sealId} and {@code recordId}, the last seal and record before the walk, for the platform
   * role). Fails {@link Failure#FORBIDDEN} for {@code full} without the platform role, {@link Failure#BAD_REQUEST} for
   * a bad range or {@code full} with one. */
  public static final String AUDIT_VERIFY = "arbiter.audit.verify";
  /** Archive the chain's prefix that retention no longer needs (sent by retention after each round, from the system
   * context): verify the whole seals the next step would archive, then remove their records' bodies and write a
   * checkpoint ({@code arbiter_archive_audit}). No body. Reply {@code {archived, checkpoint?}}: records archived by this
   * step and the latest checkpoint; {@code broken} (the verification's answer) instead when the part to archive does
   * not verify, which archives nothing. */
  public static final String AUDIT_ARCHIVE = "arbiter.audit.archive";
  /** No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the audit verticle plus {@code unsealed}, the records
   * not yet sealed into the chain. */
  public static final String AUDIT_HEALTH = "arbiter.audit.health";

  /** Published (locally) when reloadable settings change. Body {@code {settings: LiveSettings, changes: [{key,
   * from, to}]}}. */
  public static final String CONFIG_CHANGED = "arbiter.config.changed";

  /** Published after a dispatch gave an agent work. Body {@code {tenantId, agentId, count}}; wakes its claims. */
  public static final String EVENTS_ASSIGNED = "arbiter.events.assigned";

  /** Prefix of the addresses the SockJS bridge carries, {@code arbiter.agent.<agentId>.<channel>}: the agent
   * registers on {@link #AGENT_TASKS} and sends request-reply reports to the {@link #AGENT_REPORTS}. Each is checked
   * per agent (the token's {@code sub} and tenant) by the bridge. */
  public static final String AGENT_PREFIX = "arbiter.agent.";
  /** The channel pushed deliveries arrive on; body: a delivery ({@code taskId, attempt, type, payload, requirements,
   * leaseExpiresAt, ackDeadline, …}) as a claim returns it; header {@code tenant}. */
  public static final String AGENT_TASKS = "tasks";
  /** The channels an agent reports on, each handled as the REST call of the same name: ack, heartbeat (a task's lease,
   * or without {@code taskId} the agent's own), progress and result. */
  public static final java.util.List<String> AGENT_REPORTS = java.util.List.of("ack", "heartbeat", "progress", "result");

  /** {@code arbiter.agent.<agentId>.<channel>}. */
  public static String agent(String agentId, String channel) {
    return AGENT_PREFIX + agentId + "." + channel;
  }

  /** Where the bridge forwards an agent's authorized reports (the address the agent used is in the header
   * {@code channel}, the agent in {@code agent-id}, the caller in the {@link RequestContext} headers). Reply: what the
   * REST call answers; failures as {@link Failure} codes. Not reachable from the bridge itself. */
  public static final String BRIDGE_REPORT = "arbiter.bridge.report";

  /** Published after a tenant's limits changed. Body {@code {tenantId}}; submission drops its cached copy. */
  public static final String EVENTS_LIMITS_CHANGED = "arbiter.events.limits-changed";

  /** Published after a waiver was created or revoked. Body {@code {tenantId}}; result gates drop their cached list. */
  public static final String EVENTS_WAIVERS_CHANGED = "arbiter.events.waivers-changed";

  /**
   * Published after a token was revoked. Body {@code {tenantId, jti, expiresAt}} (epoch ms); ingress on every node
   * refuses the token from then on and closes the streams and bridge sockets that authenticated with it.
   */
  public static final String EVENTS_TOKEN_REVOKED = "arbiter.events.token-revoked";

  /**
   * Published by each clustered node every {@code 250} ms while its rate limits let requests through. Body
   * {@code {node, spent: {bucket: tokens}}}: the tokens the node took from each bucket since its last report; every
   * other node charges them to its own buckets, so that a caller's limit holds across the cluster.
   */
  public static final String EVENTS_RATE_SPENT = "arbiter.events.rate-spent";

  /** Published after an agent's state changed. Body {@code {tenantId, agentId, status, event}}. */
  public static final String EVENTS_AGENT = "arbiter.events.agent";

  /** Published by the audit verticle after each seal: the task and agent events it sealed into the chain, in chain
   * order. Body {@code {events: [StreamEvent#toBus…]}}; the HTTP streams fan them out to their subscribers, and a
   * task's end ({@code task.succeeded}, {@code task.canceled}, {@code task.dead}) wakes the callback deliverer. */
  public static final String EVENTS_STREAM = "arbiter.events.stream";
}
