package io.arbiter.config;

/** A setting that is missing or invalid; the message names the key, where it came from, and why. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
