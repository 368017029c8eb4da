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
    return error instanceof IOException
        || error instanceof TimeoutException
        || error instanceof io.vertx.circuitbreaker.TimeoutException
        || error instanceof ClosedConnectionException
        || error instanceof VertxException && CONNECTION_TROUBLE.matcher(String.valueOf(error.getMessage())).find();
  }

  /** Vert.x reports some lost connections and closed pools only as a plain VertxException with a message. */
  private static final Pattern CONNECTION_TROUBLE = Pattern.compile("(?i)connection|closed|pool");
}
