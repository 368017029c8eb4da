package io.arbiter.config;

import static io.arbiter.config.ConfigKey.*;

import java.nio.file.Path;

/**
 * The typed, validated configuration of the shared plumbing. Built once at start by {@link #from(ConfigValues)}; the
 * reloadable part travels separately as {@link LiveSettings}. A domain with settings of its own maps them from the same
 * {@link ConfigValues} itself.
 */
public record ArbiterConfig(
    Mode mode, Path dataDir, Http http, Db db, Breaker breaker, Auth auth, Registry registry, Api api, Tasks tasks,
    Audit audit, Journal journal, Shutdown shutdown, Policy policy, Schedules schedules, LiveSettings live,
    long configScanPeriodMs) {

  public enum Mode { DEV, PROD }

  public record Http(String host, int port, int instances, long bodyLimitBytes, long requestTimeoutMs,
                     int maxInFlight, long bodyTimeoutMs, long idleTimeoutMs, int maxConnectionsPerAddress,
                     int maxStreamsPerCaller, long bridgeAuthTimeoutMs, long refusalDelayMs, Rates rates,
                     Transport transport) {}

  /**
   * TLS (both paths set, or none), whether a proxy in front terminates it, the browser origins allowed to call the
   * API, and the token {@code /metrics} requires (empty: none).
   */
  public record Transport(String tlsCertPath, String tlsKeyPath, boolean behindTls, java.util.List<String> corsOrigins,
                          String metricsToken) {
    public boolean tls() {
      return !tlsCertPath.isEmpty();
    }

    /** Whether browsers reach Arbiter over HTTPS, so that Strict-Transport-Security applies. */
    public boolean https() {
      return tls() || behindTls;
    }
  }

  /** Requests a second per caller, by kind of traffic, and per client address (see {@code http.RateLimits}). */
  public record Rates(long submitPerSecond, long agentPerSecond, long readPerSecond, long addressPerSecond,
                      int authFailuresPerMinute, long authBlockMs) {}

  /**
   * Either an external database ({@code url} or {@code host}) or, in dev mode, the embedded one; {@code migrateUrl},
   * when set, is the schema owner the migrations run as, while the service connects as the {@code url}'s role.
   */
  public record Db(String url, String host, int port, String database, String user, String password, int poolSize,
                   int connectTimeoutMs, int embeddedPort, int maxWaitQueue, String migrateUrl) {
    public Db(String url, String host, int port, String database, String user, String password, int poolSize,
              int connectTimeoutMs, int embeddedPort, int maxWaitQueue) {
      this(url, host, port, database, user, password, poolSize, connectTimeoutMs, embeddedPort, maxWaitQueue, "");
    }

    public boolean external() {
      return !url.isEmpty() || !host.isEmpty();
    }

    /** Whether the migrations run as another role than the service (the schema's owner). */
    public boolean separateOwner() {
      return !migrateUrl.isEmpty();
    }

    /** The database as the migrations reach it: the owner's {@code migrateUrl} when set, else this one. */
    public Db forMigrations() {
      return migrateUrl.isEmpty() ? this : new Db(migrateUrl, "", port, database, user, "", poolSize, connectTimeoutMs,
          embeddedPort, maxWaitQueue, "");
    }

    /** {@code db.poolSize}, where 0 means one connection per core, at least 4 and at most 16. */
    public static int poolSizeFor(int configured, int cores) {
      return configured > 0 ? configured : Math.min(16, Math.max(4, cores));
    }
  }

  /** A verticle's circuit breaker, and the retries of transient failures inside it. */
  public record Breaker(int maxFailures, long timeoutMs, long resetTimeoutMs, int retries, long retryBaseMs,
                        long retryCapMs, int retryBudget) {}

  /** The outage journal: {@code capacity} items at most (0: no buffering). */
  public record Journal(int capacity, long maxBytes, long replayIntervalMs) {}

  /**
   * On SIGTERM: how long in-flight requests may take before Arbiter exits anyway, and whether the leases of the agents
   * connected to this node over the bridge end at once ({@code releaseLeases}) or run out.
   */
  public record Shutdown(long graceMs, boolean releaseLeases) {}

  /**
   * Token verification: the HS256 secret, the required {@code iss} and {@code aud}, the clock skew allowed, the
   * asymmetric key sources ({@code publicKeysPath}, {@code jwksUrl}; empty when unused) and the revocation refresh.
   */
  public record Auth(String jwtSecret, String issuer, String audience, int leewaySeconds, String publicKeysPath,
                     String jwksUrl, long jwksRefreshMs, long revocationRefreshMs) {

    public static final long DEFAULT_JWKS_REFRESH_MS = 300_000;
    public static final long DEFAULT_REVOCATION_REFRESH_MS = 1_000;

    /** HS256 only, as the {@code token} command and dev mode use it. */
    public Auth(String jwtSecret, String issuer, String audience, int leewaySeconds) {
      this(jwtSecret, issuer, audience, leewaySeconds, "", "", DEFAULT_JWKS_REFRESH_MS, DEFAULT_REVOCATION_REFRESH_MS);
    }

    /** Whether tokens may be signed by keys this node does not hold (a PEM file or a JWKS). */
    public boolean asymmetric() {
      return !publicKeysPath.isEmpty() || !jwksUrl.isEmpty();
    }

    public Auth withJwtSecret(String secret) {
      return new Auth(secret, issuer, audience, leewaySeconds, publicKeysPath, jwksUrl, jwksRefreshMs,
          revocationRefreshMs);
    }
  }

  public record Registry(long sweepIntervalMs) {}

  public record Api(int maxPageSize) {}

  /** Sealing, and archival: sealed records older than {@code archiveAfterDays} may be archived. */
  public record Audit(int drainBatchSize, long drainIntervalMs, int archiveAfterDays) {}

  public record Policy(int maxWaiverDays) {}

  /** Recurring tasks: how often due schedules are looked for, and how many one tenant may hold. */
  public record Schedules(long pollIntervalMs, int maxPerTenant) {}

  public record Tasks(long maxPayloadBytes, long defaultTimeoutMs, long minTimeoutMs, long maxTimeoutMs,
                      int defaultMaxAttempts, int maxAttemptsLimit, long ackTimeoutMs, long leaseMs, long backoffBaseMs,
                      long backoffCapMs, long rescueIntervalMs, int rescueBatchSize, long claimPollMs,
                      int submitBatchMax, int maxWaitingClaims, long defaultQueueTimeoutMs) {}

  public static final int MIN_SECRET_LENGTH = 32;

  public static ArbiterConfig from(ConfigValues v) {
    Mode mode = Mode.valueOf(v.text(MODE).toUpperCase());
    Db db = new Db(v.text(DB_URL), v.text(DB_HOST), v.integer(DB_PORT), v.text(DB_DATABASE), v.text(DB_USER),
        v.text(DB_PASSWORD), Db.poolSizeFor(v.integer(DB_POOL_SIZE), Runtime.getRuntime().availableProcessors()), v.integer(DB_CONNECT_TIMEOUT_MS), v.integer(DB_EMBEDDED_PORT),
        v.integer(DB_MAX_WAIT_QUEUE), v.text(DB_MIGRATE_URL));
    Auth auth = new Auth(v.text(AUTH_JWT_SECRET), v.text(AUTH_ISSUER), v.text(AUTH_AUDIENCE),
        v.integer(AUTH_LEEWAY_SECONDS), v.text(AUTH_PUBLIC_KEYS_PATH), v.text(AUTH_JWKS_URL),
        v.number(AUTH_JWKS_REFRESH_MS), v.number(AUTH_REVOCATION_REFRESH_MS));
    if (!auth.jwksUrl().isEmpty() && !auth.jwksUrl().matches("(?i)https?://\\S+")) {
      throw new ConfigException("config key auth.jwksUrl (" + AUTH_JWKS_URL.envName() + ") must be an http(s) URL");
    }
    if (mode == Mode.PROD && auth.jwksUrl().regionMatches(true, 0, "http://", 0, 7)) {
      throw new ConfigException("config key auth.jwksUrl (" + AUTH_JWKS_URL.envName() + ") must use https in prod "
          + "mode: keys fetched in the clear could be replaced on the way");
    }
    if (!db.url().isEmpty()) {
      try {
        io.vertx.pgclient.PgConnectOptions.fromUri(db.url().replaceFirst("^postgres://", "postgresql://"));
      } catch (RuntimeException e) {
        throw new ConfigException("config key db.url (" + DB_URL.envName()
            + ") is not a valid postgresql://user:password@host:port/database URL");
      }
    }
    if (!db.migrateUrl().isEmpty()) {
      try {
        io.vertx.pgclient.PgConnectOptions.fromUri(db.migrateUrl().replaceFirst("^postgres://", "postgresql://"));
      } catch (RuntimeException e) {
        throw new ConfigException("config key db.migrateUrl (" + DB_MIGRATE_URL.envName()
            + ") is not a valid postgresql://user:password@host:port/database URL");
      }
    }
    if (!auth.jwtSecret().isEmpty() && auth.jwtSecret().length() < MIN_SECRET_LENGTH) {
      throw new ConfigException("config key auth.jwtSecret (" + AUTH_JWT_SECRET.envName() + ") must be at least "
          + MIN_SECRET_LENGTH + " characters");
    }
    if (mode == Mode.PROD && auth.jwtSecret().isEmpty()) {
      throw new ConfigException("config key auth.jwtSecret is required in prod mode: set " + AUTH_JWT_SECRET.envName()
          + " to at least " + MIN_SECRET_LENGTH + " characters");
    }
    if (mode == Mode.PROD && !db.external()) {
      throw new ConfigException("config key db.url is required in prod mode: set " + DB_URL.envName());
    }
    if (mode == Mode.PROD && (auth.issuer().isEmpty() || auth.audience().isEmpty())) {
      throw new ConfigException("config keys auth.issuer and auth.audience are required in prod mode, so that a token "
          + "minted for another service is refused: set " + AUTH_ISSUER.envName() + " and " + AUTH_AUDIENCE.envName());
    }
    if (v.number(TASKS_MIN_TIMEOUT_MS) > v.number(TASKS_MAX_TIMEOUT_MS)
        || v.number(TASKS_DEFAULT_TIMEOUT_MS) < v.number(TASKS_MIN_TIMEOUT_MS)
        || v.number(TASKS_DEFAULT_TIMEOUT_MS) > v.number(TASKS_MAX_TIMEOUT_MS)) {
      throw new ConfigException("config key tasks.defaultTimeoutMs must lie within tasks.minTimeoutMs..tasks.maxTimeoutMs");
    }
    if (v.integer(TASKS_DEFAULT_MAX_ATTEMPTS) > v.integer(TASKS_MAX_ATTEMPTS_LIMIT)) {
      throw new ConfigException("config key tasks.defaultMaxAttempts must not exceed tasks.maxAttemptsLimit");
    }
    if (v.number(TASKS_CLAIM_POLL_MS) * 2 > v.number(REGISTRY_HEARTBEAT_WINDOW_MS)) {
      throw new ConfigException("config key tasks.claimPollMs must be at most half of registry.heartbeatWindowMs, "
          + "or an agent that only polls could go offline between two polls");
    }
    Transport transport = transport(v, mode);
    if (v.integer(API_DEFAULT_PAGE_SIZE) > v.integer(API_MAX_PAGE_SIZE)) {
      throw new ConfigException("config key api.defaultPageSize must not exceed api.maxPageSize");
    }
    return new ArbiterConfig(
        mode,
        dataDir(v.text(DATA_DIR)),
        new Http(v.text(HTTP_HOST), v.integer(HTTP_PORT), v.integer(HTTP_INSTANCES), v.number(HTTP_BODY_LIMIT_BYTES),
            v.number(HTTP_REQUEST_TIMEOUT_MS), v.integer(HTTP_MAX_IN_FLIGHT), v.number(HTTP_BODY_TIMEOUT_MS),
            v.number(HTTP_IDLE_TIMEOUT_MS), v.integer(HTTP_MAX_CONNECTIONS_PER_ADDRESS),
            v.integer(HTTP_MAX_STREAMS_PER_CALLER), v.number(HTTP_BRIDGE_AUTH_TIMEOUT_MS), v.number(HTTP_REFUSAL_DELAY_MS),
            LiveSettings.rates(v), transport),
        db,
        new Breaker(v.integer(BREAKER_MAX_FAILURES), v.number(BREAKER_TIMEOUT_MS), v.number(BREAKER_RESET_TIMEOUT_MS),
            v.integer(DB_RETRIES), v.number(DB_RETRY_BASE_MS), v.number(DB_RETRY_CAP_MS), v.integer(DB_RETRY_BUDGET)),
        auth,
        new Registry(v.number(REGISTRY_SWEEP_INTERVAL_MS)),
        new Api(v.integer(API_MAX_PAGE_SIZE)),
        new Tasks(v.number(TASKS_MAX_PAYLOAD_BYTES), v.number(TASKS_DEFAULT_TIMEOUT_MS), v.number(TASKS_MIN_TIMEOUT_MS),
            v.number(TASKS_MAX_TIMEOUT_MS), v.integer(TASKS_DEFAULT_MAX_ATTEMPTS), v.integer(TASKS_MAX_ATTEMPTS_LIMIT),
            v.number(TASKS_ACK_TIMEOUT_MS), v.number(TASKS_LEASE_MS), v.number(TASKS_BACKOFF_BASE_MS),
            v.number(TASKS_BACKOFF_CAP_MS), v.number(TASKS_RESCUE_INTERVAL_MS), v.integer(TASKS_RESCUE_BATCH_SIZE),
            v.number(TASKS_CLAIM_POLL_MS), v.integer(TASKS_SUBMIT_BATCH_MAX), v.integer(TASKS_MAX_WAITING_CLAIMS),
            v.number(TASKS_DEFAULT_QUEUE_TIMEOUT_MS)),
        new Audit(v.integer(AUDIT_DRAIN_BATCH_SIZE), v.number(AUDIT_DRAIN_INTERVAL_MS),
            v.integer(AUDIT_ARCHIVE_AFTER_DAYS)),
        new Journal(v.integer(JOURNAL_CAPACITY), v.number(JOURNAL_MAX_BYTES), v.number(JOURNAL_REPLAY_INTERVAL_MS)),
        new Shutdown(v.number(SHUTDOWN_GRACE_MS), "release".equals(v.text(SHUTDOWN_LEASES))),
        new Policy(v.integer(POLICY_MAX_WAIVER_DAYS)),
        new Schedules(v.number(SCHEDULES_POLL_INTERVAL_MS), v.integer(SCHEDULES_MAX_PER_TENANT)),
        LiveSettings.from(v),
        v.number(CONFIG_SCAN_PERIOD_MS));
  }

  private static Transport transport(ConfigValues v, Mode mode) {
    String cert = v.text(HTTP_TLS_CERT_PATH);
    String key = v.text(HTTP_TLS_KEY_PATH);
    if (cert.isEmpty() != key.isEmpty()) {
      throw new ConfigException("config keys http.tls.certPath and http.tls.keyPath go together: set both ("
          + HTTP_TLS_CERT_PATH.envName() + ", " + HTTP_TLS_KEY_PATH.envName() + ") or neither");
    }
    boolean behindTls = "true".equals(v.text(HTTP_BEHIND_TLS));
    if (mode == Mode.PROD && cert.isEmpty() && !behindTls) {
      throw new ConfigException("prod mode serves HTTPS: set http.tls.certPath and http.tls.keyPath, or set "
          + HTTP_BEHIND_TLS.envName() + "=true where a proxy in front terminates TLS");
    }
    java.util.List<String> origins = new java.util.ArrayList<>();
    for (String origin : v.text(HTTP_CORS_ORIGINS).split(",")) {
      String trimmed = origin.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.matches("https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")) {
        throw new ConfigException("config key http.cors.allowedOrigins: '" + trimmed
            + "' is not an origin such as https://console.example.com (scheme, host and optional port; no path, no *)");
      }
      origins.add(trimmed);
    }
    String metricsToken = v.text(HTTP_METRICS_TOKEN);
    if (!metricsToken.isEmpty() && metricsToken.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException("config key http.metricsToken (" + HTTP_METRICS_TOKEN.envName() + ") must be at least "
          + MIN_SECRET_LENGTH + " characters");
    }
    if (mode == Mode.PROD && metricsToken.isEmpty() && !"true".equals(v.text(HTTP_METRICS_PUBLIC))) {
      throw new ConfigException("prod mode protects /metrics: set " + HTTP_METRICS_TOKEN.envName()
          + " (Prometheus sends it as a bearer token), or " + HTTP_METRICS_PUBLIC.envName()
          + "=true where the port is private");
    }
    return new Transport(cert, key, behindTls, java.util.List.copyOf(origins), metricsToken);
  }

  /**
   * The one place a configured {@code dataDir} becomes a path: a relative one is resolved against the working
   * directory, once, so that every command, every message and every file under it agree on one absolute directory.
   */
  private static Path dataDir(String configured) {
    return Path.of(configured).toAbsolutePath().normalize();
  }

  /** A copy with a different JWT secret (dev mode fills in the generated one). */
  public ArbiterConfig withJwtSecret(String secret) {
    return new ArbiterConfig(mode, dataDir, http, db, breaker, auth.withJwtSecret(secret), registry, api, tasks, audit,
        journal, shutdown, policy, schedules, live, configScanPeriodMs);
  }

  /** A copy pointing at another database (dev mode fills in the embedded one). */
  public ArbiterConfig withDb(Db other) {
    return new ArbiterConfig(mode, dataDir, http, other, breaker, auth, registry, api, tasks, audit, journal, shutdown,
        policy, schedules, live, configScanPeriodMs);
  }
}
