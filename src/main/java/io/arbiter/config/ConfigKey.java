package io.arbiter.config;

import java.util.Locale;

/**
 * Every setting Arbiter reads, defined once. A key's value comes from, in rising precedence: the defaults bundled
 * from {@code conf/arbiter.json}, the conf file on disk, the environment ({@link #envName()}, e.g.
 * {@code ARBITER_HTTP_PORT}) and system properties ({@link #propertyName()}, e.g. {@code -Darbiter.http.port}).
 *
 * <p>Only keys marked {@code reloadable} change while the service runs; a change to any other key is logged as
 * needing a restart and not applied.
 */
public enum ConfigKey {
  MODE("mode", Kind.choice("dev", "prod"), false,
      "dev: embedded PostgreSQL and a generated JWT secret under dataDir; prod: both must be configured"),
  DATA_DIR("dataDir", Kind.text(), false, "directory for the embedded database and the dev JWT secret"),
  HTTP_HOST("http.host", Kind.text(), false, "interface to listen on"),
  HTTP_PORT("http.port", Kind.integer(0, 65535), false, "HTTP port (0 picks a free port)"),
  HTTP_INSTANCES("http.instances", Kind.integer(0, 256), false,
      "HTTP ingress verticle instances, each on its own event loop, sharing the port; 0: one per core"),
  HTTP_BODY_LIMIT_BYTES("http.bodyLimitBytes", Kind.integer(1024, 64L * 1024 * 1024), false,
      "largest request body; larger answers 413 (a task batch of many large payloads may need more)"),
  HTTP_REQUEST_TIMEOUT_MS("http.requestTimeoutMs", Kind.integer(100, 120_000), false,
      "how long ingress waits for a domain verticle's reply"),
  HTTP_MAX_IN_FLIGHT("http.maxInFlight", Kind.integer(1, 1_000_000), false,
      "requests served at once; more answer 503 overloaded at once instead of queueing"),
  HTTP_BODY_TIMEOUT_MS("http.bodyTimeoutMs", Kind.integer(100, 600_000), false,
      "a request body not fully received this long after its headers answers 408 and its connection closes"),
  HTTP_IDLE_TIMEOUT_MS("http.idleTimeoutMs", Kind.integer(30_000, 3_600_000), false,
      "a connection with no bytes either way for this long is closed (above the 60 s longest claim wait)"),
  HTTP_MAX_CONNECTIONS_PER_ADDRESS("http.maxConnectionsPerAddress", Kind.integer(1, 1_000_000), false,
      "open connections from one client address; more are closed at once (behind a proxy, every client shares its "
          + "address)"),
  HTTP_MAX_STREAMS_PER_CALLER("http.maxStreamsPerCaller", Kind.integer(1, 10_000), false,
      "live streams (WebSocket and server-sent events) one caller (tenant and subject) may hold open; more answer 429"),
  HTTP_RATE_SUBMIT_PER_SECOND("http.rate.submitPerSecond", Kind.integer(1, 1_000_000), true,
      "submission requests a second per caller (tenant and subject), bursts of twice that; more answer 429"),
  HTTP_RATE_AGENT_PER_SECOND("http.rate.agentPerSecond", Kind.integer(1, 1_000_000), true,
      "agent calls (claims, acks, results, heartbeats) a second per caller, bursts of twice that; more answer 429"),
  HTTP_RATE_READ_PER_SECOND("http.rate.readPerSecond", Kind.integer(1, 1_000_000), true,
      "other API requests (reads and administration) a second per caller, bursts of twice that; more answer 429"),
  HTTP_RATE_ADDRESS_PER_SECOND("http.rate.addressPerSecond", Kind.integer(1, 10_000_000), true,
      "API requests a second from one client address, all kinds together (behind a proxy, every client shares it)"),
  HTTP_REFUSAL_DELAY_MS("http.refusalDelayMs", Kind.integer(0, 10_000), false,
      "how long a 429 waits before it is sent, so that a client retrying at once makes one request per delay; 0: at once"),
  HTTP_BRIDGE_AUTH_TIMEOUT_MS("http.bridgeAuthTimeoutMs", Kind.integer(100, 600_000), false,
      "an event-bus bridge socket with no frame carrying a valid agent token this long after connecting is closed"),
  HTTP_TLS_CERT_PATH("http.tls.certPath", Kind.text(), false,
      "PEM certificate chain; with http.tls.keyPath, Arbiter serves HTTPS only (HTTP/2 by ALPN) and sends HSTS"),
  HTTP_TLS_KEY_PATH("http.tls.keyPath", Kind.text(), false, "PEM private key (PKCS#8 or PKCS#1) of http.tls.certPath"),
  HTTP_BEHIND_TLS("http.behindTls", Kind.choice("false", "true"), false,
      "true: a proxy in front terminates TLS (prod mode then starts without http.tls.*) and HSTS is sent"),
  HTTP_CORS_ORIGINS("http.cors.allowedOrigins", Kind.text(), false,
      "comma-separated origins (scheme://host[:port]) whose browser pages may call the API; empty: none"),
  HTTP_METRICS_TOKEN("http.metricsToken", Kind.secret(), false,
      "bearer token GET /metrics requires, at least 32 characters; empty: /metrics needs none (prod mode refuses to "
          + "start so unless http.metricsPublic is true)"),
  HTTP_METRICS_PUBLIC("http.metricsPublic", Kind.choice("false", "true"), false,
      "true: /metrics needs no token in prod mode either (only where the port is private)"),
  DB_URL("db.url", Kind.secret(), false,
      "postgresql://user:password@host:port/db; empty (with db.host empty) starts the embedded database in dev mode"),
  DB_MIGRATE_URL("db.migrateUrl", Kind.secret(), false,
      "postgresql://owner:password@host:port/db: the schema owner the migrations run as; the service then connects as "
          + "db.url's role, granted data access only (no change to the audit tables); empty: db.url for both"),
  DB_HOST("db.host", Kind.text(), false, "database host, used when db.url is empty"),
  DB_PORT("db.port", Kind.integer(1, 65535), false, "database port"),
  DB_DATABASE("db.database", Kind.text(), false, "database name"),
  DB_USER("db.user", Kind.text(), false, "database user"),
  DB_PASSWORD("db.password", Kind.secret(), false, "database password (environment only; never logged)"),
  DB_POOL_SIZE("db.poolSize", Kind.integer(0, 100), false,
      "connections per verticle pool (five pools per node, beside three small ones: schedules at most 4, callbacks 2, "
          + "retention 2); 0: one per core, at least 4 and at most 16"),
  DB_CONNECT_TIMEOUT_MS("db.connectTimeoutMs", Kind.integer(100, 60_000), false, "database connect timeout"),
  DB_MAX_WAIT_QUEUE("db.maxWaitQueue", Kind.integer(1, 100_000), false,
      "calls per verticle pool waiting for a connection; more answer 503 overloaded"),
  DB_RETRIES("db.retries", Kind.integer(0, 10), false,
      "times a call that failed transiently (lost connection, 40001, 40P01, 57P01) is tried again"),
  DB_RETRY_BASE_MS("db.retryBaseMs", Kind.integer(1, 60_000), false,
      "retry n waits a random time up to min(retryCapMs, retryBaseMs * 2^n)"),
  DB_RETRY_CAP_MS("db.retryCapMs", Kind.integer(1, 60_000), false, "longest wait before a retry"),
  DB_RETRY_BUDGET("db.retryBudget", Kind.integer(0, 10_000), false,
      "calls per verticle waiting for a retry at once; beyond it a transient failure is final (no retry storms)"),
  DB_EMBEDDED_PORT("db.embeddedPort", Kind.integer(0, 65535), false,
      "port of the embedded PostgreSQL in dev mode (0 picks a free port)"),
  BREAKER_MAX_FAILURES("breaker.maxFailures", Kind.integer(1, 1000), false,
      "consecutive database failures that open a verticle's circuit breaker"),
  BREAKER_TIMEOUT_MS("breaker.timeoutMs", Kind.integer(10, 120_000), false,
      "a database call slower than this counts as a failure"),
  BREAKER_RESET_TIMEOUT_MS("breaker.resetTimeoutMs", Kind.integer(10, 600_000), false,
      "how long an open breaker waits before letting one trial call through; also the Retry-After"),
  AUTH_JWT_SECRET("auth.jwtSecret", Kind.secret(), false,
      "HS256 secret, at least 32 characters (required in prod; generated under dataDir in dev); in prod, HS256 tokens "
          + "are refused once auth.publicKeysPath or auth.jwksUrl is set"),
  AUTH_ISSUER("auth.issuer", Kind.text(), false, "required iss claim, when set (it must be set in prod)"),
  AUTH_AUDIENCE("auth.audience", Kind.text(), false, "required aud claim, when set (it must be set in prod)"),
  AUTH_FAILURES_PER_MINUTE("auth.failuresPerMinute", Kind.integer(1, 1_000_000), true,
      "failed authentications from one address within a minute that block it (every request refused with 429)"),
  AUTH_BLOCK_SECONDS("auth.blockSeconds", Kind.integer(1, 86_400), true,
      "the first block of an address; each further offence doubles it, up to a day"),
  AUTH_LEEWAY_SECONDS("auth.leewaySeconds", Kind.integer(0, 300), false, "clock skew allowed on exp/iat"),
  AUTH_PUBLIC_KEYS_PATH("auth.publicKeysPath", Kind.text(), false,
      "PEM file of RSA (RS256) and EC P-256 (ES256) public keys that sign tokens, one or more; re-read every "
          + "config.scanPeriodMs, so a key added or removed takes effect without a restart"),
  AUTH_JWKS_URL("auth.jwksUrl", Kind.text(), false,
      "JWKS URL whose RS256/ES256 keys sign tokens; fetched at start, every auth.jwksRefreshMs and on an unknown kid "
          + "(at most once per 5 s; 1 MiB, 5 s time-out); https in prod"),
  AUTH_JWKS_REFRESH_MS("auth.jwksRefreshMs", Kind.integer(5_000, 86_400_000), false,
      "how often the JWKS is fetched again"),
  AUTH_REVOCATION_REFRESH_MS("auth.revocationRefreshMs", Kind.integer(100, 60_000), false,
      "how often each node reloads the revoked token ids (the longest a revocation made on another node may go "
          + "unseen without clustering)"),
  REGISTRY_HEARTBEAT_WINDOW_MS("registry.heartbeatWindowMs", Kind.integer(1_000, 86_400_000), true,
      "an agent silent for longer goes offline"),
  REGISTRY_SWEEP_INTERVAL_MS("registry.sweepIntervalMs", Kind.integer(100, 600_000), false,
      "how often missed heartbeats are looked for"),
  API_DEFAULT_PAGE_SIZE("api.defaultPageSize", Kind.integer(1, 1000), true, "page size when a list asks for none"),
  API_MAX_PAGE_SIZE("api.maxPageSize", Kind.integer(1, 10_000), false, "largest page a list may ask for"),
  TASKS_MAX_PAYLOAD_BYTES("tasks.maxPayloadBytes", Kind.integer(1, 64L * 1024 * 1024), false,
      "largest task payload (encoded JSON); larger answers 413"),
  TASKS_DEFAULT_TIMEOUT_MS("tasks.defaultTimeoutMs", Kind.integer(1, 7L * 86_400_000), false,
      "timeoutMs of a task that gives none"),
  TASKS_MIN_TIMEOUT_MS("tasks.minTimeoutMs", Kind.integer(1, 7L * 86_400_000), false, "smallest timeoutMs accepted"),
  TASKS_MAX_TIMEOUT_MS("tasks.maxTimeoutMs", Kind.integer(1, 7L * 86_400_000), false, "largest timeoutMs accepted"),
  TASKS_DEFAULT_MAX_ATTEMPTS("tasks.defaultMaxAttempts", Kind.integer(1, 100), false,
      "maxAttempts of a task that gives none"),
  TASKS_MAX_ATTEMPTS_LIMIT("tasks.maxAttemptsLimit", Kind.integer(1, 100), false, "largest maxAttempts accepted"),
  TASKS_ACK_TIMEOUT_MS("tasks.ackTimeoutMs", Kind.integer(100, 3_600_000), false,
      "an assignment not acknowledged within this is a timed-out attempt"),
  TASKS_LEASE_MS("tasks.leaseMs", Kind.integer(100, 3_600_000), false,
      "lease of a running task; each heartbeat or progress report extends it by this much"),
  TASKS_BACKOFF_BASE_MS("tasks.backoffBaseMs", Kind.integer(0, 3_600_000), false,
      "retry backoff: attempt n waits a random time up to min(cap, base * 2^(n-1))"),
  TASKS_BACKOFF_CAP_MS("tasks.backoffCapMs", Kind.integer(0, 86_400_000), false, "largest retry backoff"),
  TASKS_RESCUE_INTERVAL_MS("tasks.rescueIntervalMs", Kind.integer(10, 600_000), false,
      "how often expired leases and offline agents' tasks are recovered"),
  TASKS_RESCUE_BATCH_SIZE("tasks.rescueBatchSize", Kind.integer(1, 100_000), false, "tasks recovered per statement"),
  TASKS_CLAIM_POLL_MS("tasks.claimPollMs", Kind.integer(10, 60_000), false,
      "fallback re-check of an agent's longest-waiting long-polling claim (assignments also wake its claims at once)"),
  TASKS_MAX_WAITING_CLAIMS("tasks.maxWaitingClaims", Kind.integer(1, 1_000), false,
      "long-polling claims one agent may have at once, waiting or on their first statement; one more answers 429 "
      + "without a statement"),
  TASKS_SUBMIT_BATCH_MAX("tasks.submitBatchMax", Kind.integer(1, 10_000), false,
      "most concurrent submissions, or claims, acks or results sent one a request, committed together in one "
      + "transaction (group commit)"),
  TASKS_DEFAULT_QUEUE_TIMEOUT_MS("tasks.defaultQueueTimeoutMs", Kind.integer(0, 365L * 86_400_000), false,
      "queueTimeoutMs of a task that gives none and whose tenant sets no defaultQueueTimeoutMs: a task still queued "
      + "this long after it became ready ends dead; 0 for no limit"),
  ROUTING_STRATEGY("routing.strategy", Kind.choice("learning", "capability", "least-loaded"), true,
      "how an agent is chosen: learned from outcomes (Thompson sampling), best match score, or lowest load"),
  ROUTING_LEARNING_EXPLORATION("routing.learning.exploration", Kind.decimal(0, 10), true,
      "learning: how far samples spread around each agent's mean (0 always takes the best mean, 1 plain Thompson sampling)"),
  ROUTING_LEARNING_DISCOUNT("routing.learning.discount", Kind.decimal(0.5, 1), false,
      "learning: weight kept by older outcomes at each new one (0.99 remembers about 100; 1 never forgets)"),
  ROUTING_LEARNING_COLD_START_PULLS("routing.learning.coldStartPulls", Kind.integer(0, 10_000), false,
      "learning: outcomes below which an agent gets a cold-start bonus"),
  ROUTING_LEARNING_COLD_START_BONUS("routing.learning.coldStartBonus", Kind.decimal(0, 1), false,
      "learning: bonus added to a new agent's sample, fading to 0 at coldStartPulls"),
  ROUTING_LEVELS_EVALUATION_TASKS("routing.levels.evaluationTasks", Kind.integer(0, 1_000_000), false,
      "tasks in a specialization before its record alone sets the level (until then the model baseline is a floor)"),
  ROUTING_LEVELS_INTERMEDIATE("routing.levels.intermediate", Kind.bar(), false,
      "what a specialization's record needs for intermediate"),
  ROUTING_LEVELS_EXPERT("routing.levels.expert", Kind.bar(), false, "what a specialization's record needs for expert"),
  ROUTING_LEVELS_MASTER("routing.levels.master", Kind.bar(), false, "what a specialization's record needs for master"),
  ROUTING_LANES("routing.lanes", Kind.integer(0, 256), false,
      "dispatch lanes, each dispatching its own share of the tenants on its own event loop; 0: one per core"),
  ROUTING_BATCH_SIZE("routing.batchSize", Kind.integer(1, 100_000), false, "most tasks assigned per dispatch"),
  ROUTING_POLL_INTERVAL_MS("routing.pollIntervalMs", Kind.integer(10, 600_000), false,
      "fallback dispatch timer (submissions, results and agents also wake the dispatcher)"),
  AUDIT_DRAIN_BATCH_SIZE("audit.drainBatchSize", Kind.integer(1, 10_000), false,
      "audit records sealed into the hash chain per transaction"),
  AUDIT_DRAIN_INTERVAL_MS("audit.drainIntervalMs", Kind.integer(10, 60_000), false,
      "fallback poll for audit records to seal (writers also nudge it)"),
  AUDIT_ARCHIVE_AFTER_DAYS("audit.archiveAfterDays", Kind.integer(1, 36_500), false,
      "sealed audit records older than this may be archived (bodies removed, hashes and a checkpoint kept) once no "
          + "task they name remains; the service can never archive records less than a day old"),
  RETENTION_DEFAULT_DAYS("retention.defaultDays", Kind.integer(1, 36_500), false,
      "days a succeeded or canceled task is kept after it finished, then purged with its results and decisions "
          + "(dead tasks are kept until requeued or purged)"),
  RETENTION_TENANT_DAYS("retention.tenantDays", Kind.text(), false,
      "tenants whose retention differs from retention.defaultDays, as tenant=days pairs separated by commas, e.g. "
          + "acme=90,beta=7; empty: none"),
  RETENTION_INTERVAL_MS("retention.intervalMs", Kind.integer(1_000, 86_400_000), false,
      "how often finished tasks past their retention are purged and the audit trail archived"),
  RETENTION_BATCH_SIZE("retention.batchSize", Kind.integer(1, 10_000), false,
      "tasks purged per statement (one short transaction each)"),
  JOURNAL_CAPACITY("journal.capacity", Kind.integer(0, 10_000_000), false,
      "tasks and results the outage journal (dataDir/journal) holds while the database is away; 0 turns buffering off"),
  JOURNAL_MAX_BYTES("journal.maxBytes", Kind.integer(65_536, 1L << 40), false,
      "bytes the outage journal may take on disk; past it, requests that would be buffered answer 503"),
  JOURNAL_REPLAY_INTERVAL_MS("journal.replayIntervalMs", Kind.integer(10, 600_000), false,
      "how often a non-empty journal tries to replay into the database"),
  SHUTDOWN_GRACE_MS("shutdown.graceMs", Kind.integer(0, 600_000), false,
      "on SIGTERM, how long in-flight requests may take before Arbiter exits anyway"),
  SHUTDOWN_LEASES("shutdown.leases", Kind.choice("run-out", "release"), false,
      "on SIGTERM, the leases of agents connected to this node over the bridge: left to run out, or ended at once so "
          + "that their tasks are retried elsewhere"),
  POLICY_MAX_WAIVER_DAYS("policy.maxWaiverDays", Kind.integer(1, 3650), false,
      "longest a waiver may run: its expiry must lie within this many days of its creation"),
  SCHEDULES_POLL_INTERVAL_MS("schedules.pollIntervalMs", Kind.integer(100, 60_000), false,
      "how often each node looks for due schedules; an occurrence fires at most this much late"),
  SCHEDULES_MAX_PER_TENANT("schedules.maxPerTenant", Kind.integer(1, 100_000), false,
      "schedules one tenant may hold; one more answers 422"),
  CALLBACKS_ALLOWED_HOSTS("callbacks.allowedHosts", Kind.text(), false,
      "comma-separated hosts a task's callback URL may name (exact, or *.example.com for its subdomains); empty: "
          + "callbacks are off and a submission with one answers 400"),
  CALLBACKS_SIGNING_SECRET("callbacks.signingSecret", Kind.secret(), false,
      "HMAC-SHA256 key of each callback's Arbiter-Signature header, at least 32 characters; required when "
          + "callbacks.allowedHosts is set"),
  CALLBACKS_TIMEOUT_MS("callbacks.timeoutMs", Kind.integer(100, 120_000), false,
      "one callback request: connecting and waiting for the response's status; longer counts as a failed try"),
  CALLBACKS_MAX_ATTEMPTS("callbacks.maxAttempts", Kind.integer(1, 100), false,
      "tries of one callback before it is given up (failed)"),
  CALLBACKS_MAX_AGE_MS("callbacks.maxAgeMs", Kind.integer(1_000, 30L * 86_400_000), false,
      "a callback not delivered this long after its task finished is given up (failed)"),
  CALLBACKS_BACKOFF_BASE_MS("callbacks.backoffBaseMs", Kind.integer(1, 3_600_000), false,
      "retry n of a callback waits between half and all of min(cap, base * 2^(n-1))"),
  CALLBACKS_BACKOFF_CAP_MS("callbacks.backoffCapMs", Kind.integer(1, 86_400_000), false,
      "longest wait before a callback's retry"),
  CALLBACKS_POLL_INTERVAL_MS("callbacks.pollIntervalMs", Kind.integer(10, 600_000), false,
      "fallback look for callbacks due (a task that finishes also wakes the deliverer)"),
  LOG_LEVEL("log.level", Kind.choice("TRACE", "DEBUG", "INFO", "WARN", "ERROR"), true, "level of the io.arbiter loggers"),
  CLUSTER_ENABLED("cluster.enabled", Kind.choice("false", "true"), false,
      "true: this node joins the other Arbiter nodes' event bus through Hazelcast (TCP, no multicast)"),
  CLUSTER_NAME("cluster.name", Kind.text(), false, "nodes join only nodes of the same cluster name"),
  CLUSTER_HOST("cluster.host", Kind.text(), false,
      "the address this node's Hazelcast member and event bus bind to, and that the other nodes reach it at"),
  CLUSTER_PORT("cluster.port", Kind.integer(1, 65_535), false, "this node's Hazelcast member port"),
  CLUSTER_BUS_PORT("cluster.busPort", Kind.integer(0, 65_535), false,
      "this node's event-bus port; 0 picks a free one (the other nodes learn it through Hazelcast)"),
  CLUSTER_MEMBERS("cluster.members", Kind.text(), false,
      "comma-separated host:port of the nodes' Hazelcast members to join, e.g. arbiter-1:5701,arbiter-2:5701"),
  CLUSTER_KUBERNETES_SERVICE_DNS("cluster.kubernetesServiceDns", Kind.text(), false,
      "instead of cluster.members: the DNS name of a headless Kubernetes service whose addresses are the nodes"),
  CONFIG_SCAN_PERIOD_MS("config.scanPeriodMs", Kind.integer(100, 3_600_000), false,
      "how often the conf file is checked for changes");

  private final String path;
  private final Kind kind;
  private final boolean reloadable;
  private final String description;

  ConfigKey(String path, Kind kind, boolean reloadable, String description) {
    this.path = path;
    this.kind = kind;
    this.reloadable = reloadable;
    this.description = description;
  }

  /** The dotted path in {@code conf/arbiter.json}, e.g. {@code registry.heartbeatWindowMs}. */
  public String path() {
    return path;
  }

  public Kind kind() {
    return kind;
  }

  public boolean reloadable() {
    return reloadable;
  }

  public boolean secret() {
    return kind.isSecret();
  }

  public String description() {
    return description;
  }

  /** {@code registry.heartbeatWindowMs} → {@code ARBITER_REGISTRY_HEARTBEAT_WINDOW_MS}. */
  public String envName() {
    String snake = path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_');
    return "ARBITER_" + snake.toUpperCase(Locale.ROOT);
  }

  /** {@code registry.heartbeatWindowMs} → {@code arbiter.registry.heartbeatWindowMs}. */
  public String propertyName() {
    return "arbiter." + path;
  }

  /** The value as it may be printed: secrets are masked. */
  public String display(Object value) {
    if (secret()) {
      return value == null || value.toString().isEmpty() ? "(empty)" : "****";
    }
    return String.valueOf(value);
  }
}
