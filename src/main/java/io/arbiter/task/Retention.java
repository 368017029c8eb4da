package io.arbiter.task;

import static io.arbiter.config.ConfigKey.RETENTION_BATCH_SIZE;
import static io.arbiter.config.ConfigKey.RETENTION_DEFAULT_DAYS;
import static io.arbiter.config.ConfigKey.RETENTION_INTERVAL_MS;
import static io.arbiter.config.ConfigKey.RETENTION_TENANT_DAYS;

import io.arbiter.config.ConfigException;
import io.arbiter.config.ConfigValues;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How long finished tasks are kept: {@code defaultDays} for every tenant, {@code tenantDays} for the tenants that
 * differ ({@code retention.tenantDays}, written {@code acme=90,beta=7}). Tasks that {@linkplain #PURGED_BY_AGE
 * succeeded or were canceled} are purged once their {@code finished_at} is older than their tenant's retention, in
 * batches of {@code batchSize} per statement, every {@code intervalMs}. Dead tasks are kept until an operator requeues
 * or purges them.
 */
public record Retention(int defaultDays, Map<String, Integer> tenantDays, long intervalMs, int batchSize) {

  /** The states whose tasks the timer purges once they are old enough. */
  public static final List<TaskState> PURGED_BY_AGE = List.of(TaskState.SUCCEEDED, TaskState.CANCELED);

  /** The most days a retention may last (a hundred years). */
  public static final int MAX_DAYS = 36_500;

  public Retention {
    tenantDays = Map.copyOf(tenantDays);
  }

  /** Reads {@code retention.*}; a bad {@code tenantDays} throws a {@link ConfigException} naming the key. */
  public static Retention from(ConfigValues v) {
    try {
      return new Retention(v.integer(RETENTION_DEFAULT_DAYS), parseTenantDays(v.text(RETENTION_TENANT_DAYS)),
          v.number(RETENTION_INTERVAL_MS), v.integer(RETENTION_BATCH_SIZE));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("config key " + RETENTION_TENANT_DAYS.path() + " (" + RETENTION_TENANT_DAYS.envName()
          + "): " + e.getMessage());
    }
  }

  /** The days {@code tenant}'s finished tasks are kept. */
  public int daysFor(String tenant) {
    return tenantDays.getOrDefault(tenant, defaultDays);
  }

  /** The instant before which {@code tenant}'s tasks finished long enough ago to be purged. */
  public Instant horizon(String tenant, Instant now) {
    return now.minus(Duration.ofDays(daysFor(tenant)));
  }

  /** Whether a batch that purged {@code purged} tasks may have left more behind (it was full). */
  public boolean moreAfter(long purged) {
    return purged >= batchSize;
  }

  /** The SQL condition that {@code column} holds a state {@link #PURGED_BY_AGE} names. */
  public static String purgeable(String column) {
    return column + " IN (" + PURGED_BY_AGE.stream().map(s -> "'" + s.wire() + "'").collect(Collectors.joining(", "))
        + ")";
  }

  /**
   * Parses {@code retention.tenantDays}: comma-separated {@code tenant=days} pairs, blanks ignored. Throws
   * {@link IllegalArgumentException} naming the pair that is not one, or a tenant named twice.
   */
  public static Map<String, Integer> parseTenantDays(String text) {
    Map<String, Integer> days = new LinkedHashMap<>();
    for (String pair : Arrays.stream(text.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList()) {
      String[] parts = pair.split("=", -1);
      if (parts.length != 2 || parts[0].isBlank() || parts[0].strip().length() > 128
          || !parts[1].strip().matches("\\d{1,5}")) {
        throw new IllegalArgumentException("'" + pair + "' is not tenant=days (e.g. acme=90)");
      }
      int value = Integer.parseInt(parts[1].strip());
      if (value < 1 || value > MAX_DAYS) {
        throw new IllegalArgumentException("'" + pair + "': days must lie within 1.." + MAX_DAYS);
      }
      if (days.put(parts[0].strip(), value) != null) {
        throw new IllegalArgumentException("tenant '" + parts[0].strip() + "' is named twice");
      }
    }
    return days;
  }
}
