package io.arbiter.bus;

import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Logs with the request's correlation id in the MDC, so that the JSON log line carries {@code correlationId}
 * whatever thread or verticle the request has reached.
 */
public final class RequestLog {

  public static final String MDC_KEY = "correlationId";

  private final Logger logger;
  private final String correlationId;

  private RequestLog(Logger logger, String correlationId) {
    this.logger = logger;
    this.correlationId = correlationId;
  }

  public static RequestLog of(Logger logger, String correlationId) {
    return new RequestLog(logger, correlationId);
  }

  public void info(String format, Object... args) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable(MDC_KEY, correlationId)) {
      logger.info(format, args);
    }
  }

  public void warn(String format, Object... args) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable(MDC_KEY, correlationId)) {
      logger.warn(format, args);
    }
  }

  public void error(String format, Object... args) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable(MDC_KEY, correlationId)) {
      logger.error(format, args);
    }
  }

  public void debug(String format, Object... args) {
    if (logger.isDebugEnabled()) {
      try (MDC.MDCCloseable ignored = MDC.putCloseable(MDC_KEY, correlationId)) {
        logger.debug(format, args);
      }
    }
  }
}
