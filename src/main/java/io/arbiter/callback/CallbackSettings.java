package io.arbiter.callback;

import static io.arbiter.config.ConfigKey.CALLBACKS_ALLOWED_HOSTS;
import static io.arbiter.config.ConfigKey.CALLBACKS_BACKOFF_BASE_MS;
import static io.arbiter.config.ConfigKey.CALLBACKS_BACKOFF_CAP_MS;
import static io.arbiter.config.ConfigKey.CALLBACKS_MAX_AGE_MS;
import static io.arbiter.config.ConfigKey.CALLBACKS_MAX_ATTEMPTS;
import static io.arbiter.config.ConfigKey.CALLBACKS_POLL_INTERVAL_MS;
import static io.arbiter.config.ConfigKey.CALLBACKS_SIGNING_SECRET;
import static io.arbiter.config.ConfigKey.CALLBACKS_TIMEOUT_MS;

import io.arbiter.config.ConfigException;
import io.arbiter.config.ConfigValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code callbacks.*} settings. Callbacks are on when {@code allowedHosts} names at least one host; the signing
 * secret is then required. {@link #toString()} never shows the secret.
 */
public record CallbackSettings(List<String> allowedHosts, String signingSecret, long timeoutMs, int maxAttempts,
                               long maxAgeMs, long backoffBaseMs, long backoffCapMs, long pollIntervalMs) {

  /** The shortest signing secret accepted, as for the other secrets. */
  public static final int MIN_SECRET_LENGTH = 32;

  /** Callbacks off: every submission with one is refused. */
  public static final CallbackSettings OFF = new CallbackSettings(List.of(), "", 10_000, 12, 86_400_000, 1_000,
      3_600_000, 1_000);

  public CallbackSettings {
    allowedHosts = List.copyOf(allowedHosts);
  }

  public boolean enabled() {
    return !allowedHosts.isEmpty();
  }

  /** Reads and checks the settings; a bad one throws a {@link ConfigException} naming its key, never the secret. */
  public static CallbackSettings from(ConfigValues v) {
    List<String> hosts = new ArrayList<>();
    for (String entry : v.text(CALLBACKS_ALLOWED_HOSTS).split(",")) {
      String host = entry.strip().toLowerCase(Locale.ROOT);
      if (host.isEmpty()) {
        continue;
      }
      if (!host.matches("(\\*\\.)?[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?|\\[[0-9a-f:.]{2,45}]")) {
        throw new ConfigException("config key " + CALLBACKS_ALLOWED_HOSTS.path() + ": '" + entry.strip()
            + "' is not a host name such as hooks.example.com, *.example.com or 127.0.0.1 (no scheme, port or path)");
      }
      hosts.add(host);
    }
    String secret = v.text(CALLBACKS_SIGNING_SECRET);
    if (!hosts.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException("config key " + CALLBACKS_SIGNING_SECRET.path() + " ("
          + CALLBACKS_SIGNING_SECRET.envName() + ") must be at least " + MIN_SECRET_LENGTH + " characters when "
          + CALLBACKS_ALLOWED_HOSTS.path() + " is set: receivers check each callback's signature with it");
    }
    if (v.number(CALLBACKS_BACKOFF_BASE_MS) > v.number(CALLBACKS_BACKOFF_CAP_MS)) {
      throw new ConfigException("config key " + CALLBACKS_BACKOFF_BASE_MS.path() + " must not exceed "
          + CALLBACKS_BACKOFF_CAP_MS.path());
    }
    return new CallbackSettings(hosts, secret, v.number(CALLBACKS_TIMEOUT_MS), v.integer(CALLBACKS_MAX_ATTEMPTS),
        v.number(CALLBACKS_MAX_AGE_MS), v.number(CALLBACKS_BACKOFF_BASE_MS), v.number(CALLBACKS_BACKOFF_CAP_MS),
        v.number(CALLBACKS_POLL_INTERVAL_MS));
  }

  @Override
  public String toString() {
    return "CallbackSettings[allowedHosts=" + allowedHosts + ", signingSecret="
        + (signingSecret.isEmpty() ? "(empty)" : "****") + ", timeoutMs=" + timeoutMs + ", maxAttempts=" + maxAttempts
        + ", maxAgeMs=" + maxAgeMs + ", backoffBaseMs=" + backoffBaseMs + ", backoffCapMs=" + backoffCapMs
        + ", pollIntervalMs=" + pollIntervalMs + "]";
  }
}
