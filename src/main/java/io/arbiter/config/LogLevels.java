package io.arbiter.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets the level of Arbiter's own loggers at run time. */
public final class LogLevels {
  private LogLevels() {}

  public static void apply(String level) {
    if (LoggerFactory.getLogger("io.arbiter") instanceof Logger logger) {
      logger.setLevel(Level.toLevel(level, Level.INFO));
    }
  }
}
