package io.arbiter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Result gates and tenant limits (pure)")
class ResultGatesTest {

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final UUID TASK = UUID.randomUUID();
  private static final ResultGates.Attempt ATTEMPT = new ResultGates.Attempt(TASK, "code-editing", "coder-1");

  private static final TaskPolicy ALL = TaskPolicy.from(new JsonObject().put("maxFiles", 5).put("maxLoc", 100),
      new JsonObject().put("testsPassed", true).put("minCoverage", 0.8).put("minQuality", 0.7));
  private static final Report GOOD = new Report(3, 50, true, 0.9, 0.8);

  private static Verdict judge(TaskPolicy policy, Report report, Waiver... waivers) {
    return ResultGates.evaluate(policy, report, ATTEMPT, List.of(waivers), NOW);
  }

  private static Waiver waiver(String rule, Waiver.Scope scope, String value, Instant expires, Instant revoked) {
    return new Waiver(UUID.randomUUID(), "t", rule, scope, value, "reason", expires, "op", NOW.minusSeconds(60),
        revoked, revoked == null ? null : "op");
  }

  @Test
  @DisplayName("a report that keeps every gate passes, naming the rules it checked")
  void keepingEveryGatePasses() {
    Verdict verdict = judge(ALL, GOOD);
    assertThat(verdict.kind()).isEqualTo(Verdict.Kind.PASS);
    assertThat(verdict.checked()).containsExactlyElementsOf(ResultGates.NAMES);
  }

  @Test
  @DisplayName("each rule, broken alone, fails the verdict with its own name")
  void eachRuleFailsWithItsName() {
    assertThat(judge(ALL, new Report(6, 50, true, 0.9, 0.8)).violations()).extracting(Verdict.Violation::rule)
        .containsExactly("budget.max-files");
    assertThat(judge(ALL, new Report(3, 101, true, 0.9, 0.8)).violations()).extracting(Verdict.Violation::rule)
        .containsExactly("budget.max-loc");
    assertThat(judge(ALL, new Report(3, 50, false, 0.9, 0.8)).violations()).extracting(Verdict.Violation::rule)
        .containsExactly("gate.tests-passed");
    assertThat(judge(ALL, new Report(3, 50, true, 0.79, 0.8)).violations()).extracting(Verdict.Violation::rule)
        .containsExactly("gate.min-coverage");
    assertThat(judge(ALL, new Report(3, 50, true, 0.9, 0.69)).violations()).extracting(Verdict.Violation::rule)
        .containsExactly("gate.min-quality");
  }

  @Test
  @DisplayName("a figure the task gates on but the agent did not report breaks the rule")
  void unreportedFigureBreaksTheRule() {
    Verdict verdict = judge(ALL, new Report(null, null, null, null, null));
    assertThat(verdict.failed()).isTrue();
    assertThat(verdict.violations()).extracting(Verdict.Violation::rule).containsExactlyElementsOf(ResultGates.NAMES);
    assertThat(verdict.error()).startsWith("policy: budget.max-files (filesChanged was not reported");
  }

  @Test
  @DisplayName("a task without budget or gates checks nothing")
  void taskWithoutPolicyChecksNothing() {
    assertThat(TaskPolicy.from(new JsonObject(), null).isEmpty()).isTrue();
    assertThat(TaskPolicy.from(null, new JsonObject().put("testsPassed", false)).isEmpty()).isTrue();
    assertThat(judge(TaskPolicy.NONE, new Report(null, null, false, 0.0, 0.0)).kind()).isEqualTo(Verdict.Kind.PASS);
  }

  @Test
  @DisplayName("a waiver by task, type or agent waives its rule and is named; others still fail")
  void waiversByEachScope() {
    Report wide = new Report(9, 50, true, 0.9, 0.8);
    Instant later = NOW.plus(Duration.ofDays(1));
    for (Waiver w : List.of(waiver("budget.max-files", Waiver.Scope.TASK, TASK.toString(), later, null),
        waiver("budget.max-files", Waiver.Scope.TASK_TYPE, "code-editing", later, null),
        waiver("budget.max-files", Waiver.Scope.AGENT, "coder-1", later, null))) {
      Verdict verdict = judge(ALL, wide, w);
      assertThat(verdict.kind()).as(w.scope().wire()).isEqualTo(Verdict.Kind.WAIVED);
      assertThat(verdict.waived()).extracting(Verdict.Waived::waiverId).containsExactly(w.id().toString());
    }
    Waiver otherRule = waiver("budget.max-loc", Waiver.Scope.TASK, TASK.toString(), later, null);
    Waiver otherAgent = waiver("budget.max-files", Waiver.Scope.AGENT, "coder-2", later, null);
    Waiver otherType = waiver("budget.max-files", Waiver.Scope.TASK_TYPE, "testing", later, null);
    assertThat(judge(ALL, wide, otherRule, otherAgent, otherType).kind()).isEqualTo(Verdict.Kind.FAIL);
  }

  @Test
  @DisplayName("an expired or revoked waiver no longer applies")
  void expiredOrRevokedWaiverDoesNotApply() {
    Report wide = new Report(9, 50, true, 0.9, 0.8);
    Waiver expired = waiver("budget.max-files", Waiver.Scope.TASK, TASK.toString(), NOW.minusSeconds(1), null);
    Waiver revoked = waiver("budget.max-files", Waiver.Scope.TASK, TASK.toString(), NOW.plusSeconds(3600),
        NOW.minusSeconds(1));
    assertThat(judge(ALL, wide, expired).kind()).isEqualTo(Verdict.Kind.FAIL);
    assertThat(judge(ALL, wide, revoked).kind()).isEqualTo(Verdict.Kind.FAIL);
  }

  @Test
  @DisplayName("tenant limits refuse a submission naming the rule and the field; none set refuses nothing")
  void tenantLimitsNameTheRule() {
    TenantLimits limits = new TenantLimits(10, 500, 1000L, List.of("code-editing", "testing"), null);
    JsonObject budget = new JsonObject().put("maxFiles", 10).put("maxLoc", 500);
    assertThat(limits.check(new TenantLimits.Asked("code-editing", budget, 1000))).isEmpty();
    assertThat(limits.check(new TenantLimits.Asked("research", budget, 10)).orElseThrow().rule())
        .isEqualTo("limit.task-types");
    assertThat(limits.check(new TenantLimits.Asked("testing", budget, 1001)).orElseThrow().rule())
        .isEqualTo("limit.max-payload-bytes");
    TenantLimits.Refusal files = limits.check(new TenantLimits.Asked("testing", budget.copy().put("maxFiles", 11), 1))
        .orElseThrow();
    assertThat(files.rule()).isEqualTo("limit.max-files");
    assertThat(files.field()).isEqualTo("budget.maxFiles");
    assertThat(limits.check(new TenantLimits.Asked("testing", budget.copy().put("maxLoc", 501), 1)).orElseThrow()
        .rule()).isEqualTo("limit.max-loc");
    assertThat(TenantLimits.NONE.check(new TenantLimits.Asked("x", budget.copy().put("maxFiles", 1 << 30), 1 << 30)))
        .isEmpty();
  }

  @Test
  @DisplayName("a task that sets no budget gets its tenant's file and line limits as its budget")
  void limitsFillAMissingBudget() {
    TenantLimits limits = new TenantLimits(10, 500, null, List.of(), null);
    assertThat(limits.effectiveBudget(null)).isEqualTo(new JsonObject().put("maxFiles", 10).put("maxLoc", 500));
    assertThat(limits.effectiveBudget(new JsonObject().put("maxFiles", 3)))
        .isEqualTo(new JsonObject().put("maxFiles", 3).put("maxLoc", 500));
    assertThat(TenantLimits.NONE.effectiveBudget(new JsonObject())).isEqualTo(new JsonObject());
  }

  @Test
  @DisplayName("a task without a queue time-out gets its tenant's default, else the setting's")
  void tenantQueueTimeoutComesBeforeTheSetting() {
    assertThat(new TenantLimits(null, null, null, List.of(), 800L).queueTimeoutDefault(60_000)).isEqualTo(800);
    assertThat(TenantLimits.NONE.queueTimeoutDefault(60_000)).isEqualTo(60_000);
    assertThat(TenantLimits.NONE.queueTimeoutDefault(0)).as("no default at all").isZero();
  }
}
