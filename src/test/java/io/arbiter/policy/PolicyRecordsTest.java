package io.arbiter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gates at their limits, and the policy records in the JSON they are stored and audited as. */
@DisplayName("Result gates at their limits, and the policy records as JSON")
class PolicyRecordsTest {

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final ResultGates.Attempt ATTEMPT = new ResultGates.Attempt(UUID.randomUUID(), "code-editing", "c-1");

  @Test
  @DisplayName("a report exactly at each budget and gate passes")
  void figuresAtTheLimitPass() {
    TaskPolicy policy = new TaskPolicy(5, 100, true, 0.8, 0.7);
    Verdict verdict = ResultGates.evaluate(policy, new Report(5, 100, true, 0.8, 0.7), ATTEMPT, List.of(), NOW);
    assertThat(verdict.kind()).isEqualTo(Verdict.Kind.PASS);
    assertThat(verdict.failed()).isFalse();
    assertThat(verdict.violations()).isEmpty();
  }

  @Test
  @DisplayName("a task that sets any one rule is not empty")
  void anyRuleMakesAPolicy() {
    assertThat(new TaskPolicy(1, null, null, null, null).isEmpty()).isFalse();
    assertThat(new TaskPolicy(null, null, null, null, 0.5).isEmpty()).isFalse();
    assertThat(TaskPolicy.NONE.isEmpty()).isTrue();
  }

  @Test
  @DisplayName("a verdict's audit details list what was checked, broken and waived")
  void verdictAsJson() {
    Verdict verdict = new Verdict(Verdict.Kind.FAIL, List.of("budget.max-files", "gate.min-quality"),
        List.of(new Verdict.Violation("budget.max-files", "9 files changed; the budget allows 5")),
        List.of(new Verdict.Waived("gate.min-quality", "w-1", "quality 0.5 is below the gate's 0.7")));
    assertThat(verdict.toJson()).isEqualTo(new JsonObject().put("verdict", "fail")
        .put("checked", new JsonArray().add("budget.max-files").add("gate.min-quality"))
        .put("violations", new JsonArray().add(new JsonObject().put("rule", "budget.max-files")
            .put("message", "9 files changed; the budget allows 5")))
        .put("waived", new JsonArray().add(new JsonObject().put("rule", "gate.min-quality").put("waiverId", "w-1")
            .put("message", "quality 0.5 is below the gate's 0.7"))));
    assertThat(verdict.error()).isEqualTo("policy: budget.max-files (9 files changed; the budget allows 5)");
    assertThat(Verdict.Kind.WAIVED.wire()).isEqualTo("waived");
  }

  @Test
  @DisplayName("a report reads the contract's result fields, each null when absent")
  void reportFromAResult() {
    assertThat(Report.from(new JsonObject().put("filesChanged", 2).put("linesChanged", 30).put("testsPassed", true)
        .put("coverage", 0.9).put("quality", 0.8))).isEqualTo(new Report(2, 30, true, 0.9, 0.8));
    assertThat(Report.from(new JsonObject())).isEqualTo(new Report(null, null, null, null, null));
  }

  @Test
  @DisplayName("a waiver's JSON names its scope and whether it is active now")
  void waiverAsJson() {
    UUID id = UUID.randomUUID();
    Waiver active = new Waiver(id, "t", "budget.max-files", Waiver.Scope.TASK_TYPE, "code-editing", "migration",
        NOW.plusSeconds(60), "op", NOW.minusSeconds(60), null, null);
    assertThat(active.toJson(NOW)).isEqualTo(new JsonObject().put("id", id.toString()).put("tenantId", "t")
        .put("rule", "budget.max-files").put("scope", new JsonObject().put("kind", "task_type")
            .put("value", "code-editing")).put("reason", "migration").put("expiresAt", "2026-01-01T12:01:00Z")
        .put("createdBy", "op").put("createdAt", "2026-01-01T11:59:00Z").put("revokedAt", null)
        .put("revokedBy", null).put("active", true));
    Waiver revoked = new Waiver(id, "t", "budget.max-files", Waiver.Scope.AGENT, "c-1", "x", NOW.plusSeconds(60),
        "op", NOW.minusSeconds(60), NOW.minusSeconds(1), "op2");
    assertThat(revoked.toJson(NOW).getString("revokedAt")).isEqualTo("2026-01-01T11:59:59Z");
    assertThat(revoked.toJson(NOW).getBoolean("active")).isFalse();
    assertThat(Waiver.Scope.fromWire("agent")).isEqualTo(Waiver.Scope.AGENT);
  }

  @Test
  @DisplayName("tenant limits survive a round trip through their JSON; missing types mean any type")
  void tenantLimitsRoundTrip() {
    TenantLimits limits = new TenantLimits(10, 500, 1_000L, List.of("code-editing"), 800L);
    assertThat(TenantLimits.fromJson(limits.toJson())).isEqualTo(limits);
    assertThat(limits.toJson().getJsonArray("taskTypes")).isEqualTo(new JsonArray().add("code-editing"));
    assertThat(TenantLimits.fromJson(new JsonObject())).isEqualTo(TenantLimits.NONE);
  }
}
