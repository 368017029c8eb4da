package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.config.ConfigException;
import io.arbiter.support.TestConfig;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Retention rules: whose tasks go when, and in which batches")
class RetentionTest {

  private static final Instant NOW = Instant.parse("2025-06-30T12:00:00Z");

  @Test
  @DisplayName("a tenant's horizon is its own retention before now, the default for tenants not named")
  void horizonPerTenant() {
    Retention retention = new Retention(30, Map.of("acme", 90, "beta", 7), 60_000, 500);
    assertThat(retention.horizon("acme", NOW)).isEqualTo(Instant.parse("2025-04-01T12:00:00Z"));
    assertThat(retention.horizon("beta", NOW)).isEqualTo(Instant.parse("2025-06-23T12:00:00Z"));
    assertThat(retention.horizon("globex", NOW)).isEqualTo(Instant.parse("2025-05-31T12:00:00Z"));
  }

  @Test
  @DisplayName("a full batch may have left more behind; a short one ends the tenant's round")
  void batchPlanning() {
    Retention retention = new Retention(30, Map.of(), 60_000, 500);
    assertThat(retention.moreAfter(500)).isTrue();
    assertThat(retention.moreAfter(499)).isFalse();
    assertThat(retention.moreAfter(0)).isFalse();
  }

  @Test
  @DisplayName("only succeeded and canceled tasks go by age; dead ones wait for an operator")
  void purgedByAgeExcludesDead() {
    assertThat(Retention.PURGED_BY_AGE).containsExactly(TaskState.SUCCEEDED, TaskState.CANCELED);
    assertThat(Retention.purgeable("t.state")).isEqualTo("t.state IN ('succeeded', 'canceled')");
    assertThat(PurgeRepository.PURGEABLE_BY_OPERATOR).containsExactlyInAnyOrder("succeeded", "canceled", "dead");
  }

  @Test
  @DisplayName("retention.tenantDays reads tenant=days pairs and names what it cannot read")
  void parsesTenantDays() {
    assertThat(Retention.parseTenantDays("")).isEmpty();
    assertThat(Retention.parseTenantDays(" acme=90 , beta=7,")).containsExactly(Map.entry("acme", 90),
        Map.entry("beta", 7));
    assertThatThrownBy(() -> Retention.parseTenantDays("acme")).hasMessageContaining("'acme' is not tenant=days");
    assertThatThrownBy(() -> Retention.parseTenantDays("acme=x")).hasMessageContaining("'acme=x'");
    assertThatThrownBy(() -> Retention.parseTenantDays("acme=0")).hasMessageContaining("1..36500");
    assertThatThrownBy(() -> Retention.parseTenantDays("acme=1,acme=2")).hasMessageContaining("named twice");
  }

  @Test
  @DisplayName("retention.* maps into the rules; a tenantDays it cannot read fails naming the key and its variable")
  void readsItsSettings() {
    Retention defaults = Retention.from(TestConfig.defaultsWith(Map.of()));
    assertThat(defaults).isEqualTo(new Retention(30, Map.of(), 60_000, 500));
    assertThat(Retention.from(TestConfig.defaultsWith(Map.of("retention.tenantDays", "acme=90"))).daysFor("acme"))
        .isEqualTo(90);
    assertThatThrownBy(() -> Retention.from(TestConfig.defaultsWith(Map.of("retention.tenantDays", "acme=90,beta"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("retention.tenantDays").hasMessageContaining("ARBITER_RETENTION_TENANT_DAYS")
        .hasMessageContaining("'beta' is not tenant=days");
    assertThatThrownBy(() -> Retention.from(TestConfig.defaultsWith(Map.of("retention.tenantDays", "acme=0"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("retention.tenantDays")
        .hasMessageContaining("1..36500");
  }
}
