package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.registry.Capabilities;
import io.arbiter.registry.MatchScore;
import io.arbiter.registry.Performance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Planning a dispatch")
class PlannerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static QueuedTask task(String tenant, int priority, int ageRank, String... languages) {
    return new QueuedTask(new UUID(0, ageRank * 100L + priority), tenant, "code-editing", priority,
        T0.plusSeconds(ageRank), new MatchScore.Need("code-editing", List.of(languages), List.of()), 0);
  }

  private static Candidate agent(String tenant, String id, int capacity, int load, String... languages) {
    return new Candidate(tenant, id, new Capabilities(List.of("code-editing"), List.of(languages), List.of()), capacity,
        load, new Performance(0.8, 0.8, 1000, 10));
  }

  @Test
  @DisplayName("orders by priority, then lets tenants take turns, then by age")
  void fairOrder() {
    List<QueuedTask> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(task("flood", 5, i));
    }
    QueuedTask calm = task("calm", 5, 10);
    QueuedTask urgent = task("flood", 9, 20);
    waiting.add(calm);
    waiting.add(urgent);
    List<QueuedTask> ordered = Planner.fairOrder(waiting);
    assertThat(ordered.get(0)).isEqualTo(urgent);
    assertThat(ordered.get(1).tenantId()).isEqualTo("flood");
    assertThat(ordered.get(2)).as("the calm tenant's oldest comes second at its priority").isEqualTo(calm);
  }

  @Test
  @DisplayName("never plans more than an agent's free slots, and skips tasks no agent can take")
  void respectsCapacity() {
    List<QueuedTask> waiting = List.of(task("t", 5, 1), task("t", 5, 2), task("t", 5, 3),
        new QueuedTask(UUID.randomUUID(), "t", "translation", 5, T0, new MatchScore.Need("translation", null, null), 0));
    List<Planner.Assignment> plan = Planner.plan(waiting, List.of(agent("t", "a", 3, 1)), RoutingStrategy.capability());
    assertThat(plan).hasSize(2);
    assertThat(plan).allMatch(a -> a.decision().agentId().equals("a"));
  }

  @Test
  @DisplayName("never gives a task to another tenant's agent")
  void staysInTenant() {
    List<Planner.Assignment> plan = Planner.plan(List.of(task("acme", 5, 1)), List.of(agent("globex", "g", 5, 0)),
        RoutingStrategy.capability());
    assertThat(plan).isEmpty();
  }

  @Test
  @DisplayName("capability picks the best match; a tie goes to the lower load; the rationale says which")
  void capabilityStrategy() {
    List<Candidate> agents = List.of(agent("t", "java", 4, 3, "java"), agent("t", "go", 4, 0, "go"));
    Decision best = Planner.plan(List.of(task("t", 5, 1, "java")), agents, RoutingStrategy.capability()).get(0)
        .decision();
    assertThat(best.agentId()).isEqualTo("java");
    assertThat(best.alternatives()).extracting(Decision.Alternative::agentId).containsExactly("go");
    assertThat(best.score()).isGreaterThan(best.alternatives().get(0).score());
    assertThat(best.rationale()).contains("best match score").contains("go");

    List<Candidate> twins = List.of(agent("t", "busy", 4, 3, "java"), agent("t", "idle", 4, 3, "java"));
    Decision tie = Planner.plan(List.of(task("t", 5, 1, "java")), twins, RoutingStrategy.capability()).get(0)
        .decision();
    assertThat(tie.agentId()).isEqualTo("busy");
    assertThat(tie.rationale()).contains("tied");
  }

  @Test
  @DisplayName("least-loaded picks the emptiest capable agent even with a lower score")
  void leastLoadedStrategy() {
    List<Candidate> agents = List.of(agent("t", "java", 4, 3, "java"), agent("t", "go", 4, 0, "go"));
    Decision decision = Planner.plan(List.of(task("t", 5, 1, "java")), agents, RoutingStrategy.leastLoaded()).get(0)
        .decision();
    assertThat(decision.agentId()).isEqualTo("go");
    assertThat(decision.strategy()).isEqualTo("least-loaded");
    assertThat(decision.rationale()).contains("lowest load 0/4");
  }

  @Test
  @DisplayName("spreads a batch as agents fill up")
  void spreadsAsAgentsFill() {
    List<QueuedTask> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      waiting.add(task("t", 5, i, "java"));
    }
    List<Planner.Assignment> plan = Planner.plan(waiting, List.of(agent("t", "a", 2, 0, "java"),
        agent("t", "b", 2, 0, "java")), RoutingStrategy.leastLoaded());
    assertThat(plan).extracting(a -> a.decision().agentId()).containsExactly("a", "b", "a", "b");
  }
}
