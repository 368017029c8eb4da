package io.arbiter.bus;

/**
 * Every event-bus address Arbiter uses, defined once. Requests are {@code arbiter.<domain>.<verb>} and carry a
 * {@link RequestContext} in their headers; publishes are {@code arbiter.events.<kind>}. Bodies are JSON objects;
 * failures come back as {@link Failure} codes ({@code ReplyException.failureCode()}).
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
  /** No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the registry verticle. */
  public static final String REGISTRY_HEALTH = "arbiter.registry.health";

  /** Append a security or system event that has no transaction of its own. Body: an audit event JSON
   * ({@code tenantId, actorSub, actorRole, action, target, outcome, details, tags}); the client IP, user agent and
   * correlation id come from the headers. Reply: none needed (fire and forget is fine; the event is written to the
   * outbox first). */
  public static final String AUDIT_APPEND = "arbiter.audit.append";
  /** A nudge, sent after a transaction wrote outbox rows: drain now instead of at the next poll. No body. */
  public static final String AUDIT_DRAIN = "arbiter.audit.drain";
  /** No body. Reply: {@link io.arbiter.db.DbHealth} JSON of the audit verticle plus {@code outboxPending}. */
  public static final String AUDIT_HEALTH = "arbiter.audit.health";

  /** Published (locally) when reloadable settings change. Body {@code {settings: LiveSettings, changes: [{key,
   * from, to}]}}. */
  public static final String CONFIG_CHANGED = "arbiter.config.changed";

  /** Published after an agent's state changed. Body {@code {tenantId, agentId, status, event}}. */
  public static final String EVENTS_AGENT = "arbiter.events.agent";
}
