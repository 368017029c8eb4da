package io.arbiter.db;

import io.arbiter.config.ArbiterConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Connection settings, pools and migrations for one configured database. */
public final class Database {
  private Database() {}

  /** The longest statement text kept prepared on a connection (Arbiter's longest is about 8 KB). */
  static final int PREPARED_SQL_LIMIT = 64 * 1024;

  public static PgConnectOptions connectOptions(ArbiterConfig.Db db) {
    PgConnectOptions options;
    if (!db.url().isEmpty()) {
      options = PgConnectOptions.fromUri(db.url().replaceFirst("^postgres://", "postgresql://"));
      if ((options.getPassword() == null || options.getPassword().isEmpty()) && !db.password().isEmpty()) {
        options.setPassword(db.password());
      }
    } else {
      options = new PgConnectOptions().setHost(db.host()).setPort(db.port()).setDatabase(db.database())
          .setUser(db.user()).setPassword(db.password());
    }
    // Every statement is prepared once per connection, the long ones too: the task statements run to several KB, past
    // the client's default limit of 2,048 characters, and an uncached statement is parsed and planned on each call.
    options.setCachePreparedStatements(true).setPreparedStatementCacheSqlLimit(PREPARED_SQL_LIMIT);
    return options.setReconnectAttempts(0);
  }

  /** A pool owned by the verticle that creates it (closed when that verticle is undeployed). */
  public static Pool pool(Vertx vertx, ArbiterConfig.Db db, String name) {
    return pool(vertx, db, name, false);
  }

  /**
   * The session settings of a pool that plans each statement once per connection. {@code plan_cache_mode} keeps one
   * plan for every call instead of choosing by cost between it and a plan for each call's values. {@code
   * enable_seqscan} keeps that plan from reading a table whole where an index can serve: a plan is made with the
   * statistics of the moment and kept until the next {@code ANALYZE}, and statistics that say a table is empty (a new
   * database, or every task purged) would otherwise give a plan that reads the table whole on every call while it
   * fills. Small tables read through their primary keys instead.
   */
  public static final Map<String, String> PLAN_ONCE = Map.of(
      "plan_cache_mode", "force_generic_plan",
      "enable_seqscan", "off");

  /**
   * A pool owned by the verticle that creates it. With {@code planOnce}, PostgreSQL plans each statement once per
   * connection ({@link #PLAN_ONCE}): for statements that run on every task, whose per-call plans cost as much as
   * running them, and whose one plan is proven to use the indexes, whatever the tables' statistics (see the
   * statements' plan tests).
   */
  public static Pool pool(Vertx vertx, ArbiterConfig.Db db, String name, boolean planOnce) {
    return pool(vertx, db, name, planOnce, db.poolSize());
  }

  /** {@link #pool(Vertx, ArbiterConfig.Db, String, boolean)} with {@code maxSize} connections instead of the pool size. */
  public static Pool pool(Vertx vertx, ArbiterConfig.Db db, String name, boolean planOnce, int maxSize) {
    PoolOptions poolOptions = new PoolOptions().setMaxSize(maxSize).setName(name)
        .setMaxWaitQueueSize(db.maxWaitQueue()).setConnectionTimeout(db.connectTimeoutMs()).setConnectionTimeoutUnit(
            TimeUnit.MILLISECONDS);
    PgConnectOptions connect = connectOptions(db);
    if (planOnce) {
      PLAN_ONCE.forEach(connect::addProperty);
    }
    return PgBuilder.pool().with(poolOptions).connectingTo(connect).using(vertx).build();
  }

  /**
   * Gives the service's role ({@code service}'s user) what it needs and no more, run as the schema's owner
   * ({@code owner}) after the migrations: reading and writing the domain tables, reading and appending to the audit
   * tables (never changing or removing a record, whatever the triggers), reading the archival checkpoints, reading and
   * moving forward the verified checkpoint ({@code audit_verified}, never deleting it), archiving through
   * {@code arbiter_archive_audit} (which runs as the owner and removes only sealed records past a horizon at least a
   * day old, writing their checkpoint), and reading the migration history. With one role for both, the owner runs the
   * function as its own. Idempotent.
   */
  public static void grantServiceRole(ArbiterConfig.Db owner, ArbiterConfig.Db service) throws java.sql.SQLException {
    String role = connectOptions(service).getUser();
    if (role == null || !role.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("the service's database role '" + role + "' is not a plain identifier");
    }
    try (java.sql.Connection c = jdbc(owner); java.sql.Statement st = c.createStatement()) {
      for (String sql : new String[] {
          "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
          "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role,
          "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_seals FROM " + role,
          "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM " + role,
          "REVOKE DELETE, TRUNCATE ON audit_verified FROM " + role,
          "GRANT EXECUTE ON FUNCTION arbiter_archive_audit(timestamptz, bigint) TO " + role,
          "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON flyway_schema_history FROM " + role}) {
        st.execute(sql);
      }
    }
  }

  /** A plain JDBC connection, for what runs once at start before the verticles (blocking; the caller closes it). */
  public static java.sql.Connection jdbc(ArbiterConfig.Db db) throws java.sql.SQLException {
    PgConnectOptions o = connectOptions(db);
    return java.sql.DriverManager.getConnection(jdbcUrl(db), o.getUser(), o.getPassword());
  }

  private static String jdbcUrl(ArbiterConfig.Db db) {
    PgConnectOptions o = connectOptions(db);
    return "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase()
        + "?connectTimeout=" + Math.max(1, db.connectTimeoutMs() / 1000);
  }

  /**
   * The address to print: {@code postgresql://user:****@host:port/db} with only the password masked, or
   * {@code postgresql://user@host:port/db} when there is none (the embedded database).
   */
  public static String describe(ArbiterConfig.Db db) {
    PgConnectOptions o = connectOptions(db);
    String password = o.getPassword() == null || o.getPassword().isEmpty() ? "" : ":" + Secrets.MASK;
    return "postgresql://" + o.getUser() + password + "@" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  /**
   * Applied migrations whose comments were reworded later: {version, checksum as applied, checksum now}. Flyway
   * refuses a changed migration, so a database that applied the old wording gets the new checksum, and only when its
   * recorded one is exactly the old: any other difference still fails validation.
   */
  private static final long[][] REWORDED = {{6, -356620758, -1887662639}, {7, 1864064881, 1108597853}};

  /** Runs the Flyway migrations under {@code db/migration}; blocking. */
  public static MigrateResult migrate(ArbiterConfig.Db db) {
    PgConnectOptions o = connectOptions(db);
    try (java.sql.Connection c = jdbc(db);
         java.sql.PreparedStatement reword = c.prepareStatement("UPDATE flyway_schema_history SET checksum = ? "
             + "WHERE version = ? AND checksum = ?")) {
      java.sql.ResultSet history = c.createStatement().executeQuery(
          "SELECT to_regclass('flyway_schema_history') IS NOT NULL");
      history.next();
      if (history.getBoolean(1)) {
        for (long[] r : REWORDED) {
          reword.setInt(1, (int) r[2]);
          reword.setString(2, Long.toString(r[0]));
          reword.setInt(3, (int) r[1]);
          reword.executeUpdate();
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return Flyway.configure()
        .dataSource(jdbcUrl(db), o.getUser(), o.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }
}
