package io.arbiter.db;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.util.regex.Pattern;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Classifies database failures by SQLSTATE (PostgreSQL error codes, appendix A of its manual). */
public final class DbErrors {
  private DbErrors() {}

  public static final String UNIQUE_VIOLATION = "23505";

  public static boolean isUniqueViolation(Throwable error) {
    return sqlState(error).equals(UNIQUE_VIOLATION);
  }

  /** The violated constraint's name, or an empty string. */
  public static String constraint(Throwable error) {
    return error instanceof PgException pg && pg.getConstraint() != null ? pg.getConstraint() : "";
  }

  public static String sqlState(Throwable error) {
    return error instanceof PgException pg && pg.getSqlState() != null ? pg.getSqlState() : "";
  }

  /**
   * True when the failure says the database is unhealthy (connection lost or refused, timeouts, resource or
   * operator trouble) rather than that the statement or its data was wrong. Only these open a circuit breaker.
   */
  public static boolean isInfrastructure(Throwable error) {
    if (error instanceof PgException) {
      String state = sqlState(error);
      return state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("58")
          || state.startsWith("XX");
    }
    if (isPoolBusy(error)) {
      return false;
    }
    return error instanceof IOException
        || error instanceof TimeoutException
        || error instanceof io.vertx.circuitbreaker.TimeoutException
        || error instanceof ClosedConnectionException
        || error instanceof VertxException && CONNECTION_TROUBLE.matcher(String.valueOf(error.getMessage())).find();
  }

  /**
   * True when the same call may well succeed if tried again at once: the connection was lost (the pool opens a new
   * one), the transaction lost a serialization race (40001) or a deadlock (40P01), or an administrator shut the
   * backend down (57P01). Constraint violations, bad input and timeouts are not transient.
   */
  public static boolean isTransient(Throwable error) {
    if (error instanceof PgException) {
      String state = sqlState(error);
      return state.equals("40001") || state.equals("40P01") || state.equals("57P01") || state.startsWith("08");
    }
    return error instanceof ClosedConnectionException || error instanceof IOException;
  }

  /** Every connection of the pool is busy and its wait queue is full: Arbiter is overloaded, PostgreSQL is fine. */
  public static boolean isPoolBusy(Throwable error) {
    return error instanceof io.vertx.core.http.ConnectionPoolTooBusyException
        || String.valueOf(error.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("max wait queue");
  }

  /** Vert.x reports some lost connections and closed pools only as a plain VertxException with a message. */
  private static final Pattern CONNECTION_TROUBLE = Pattern.compile("(?i)connection|closed|pool");
}
