package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.arbiter.registry.Capabilities;
import io.arbiter.registry.MatchScore;
import io.arbiter.registry.Performance;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The figures a strategy's decision carries: its name, its confidence, and who is eligible at all. */
@DisplayName("A routing decision's strategy, confidence and eligibility")
class StrategyDecisionsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Bandit.Settings MEANS = new Bandit.Settings(0, 0, 0, 1);

  private static QueuedTask task(double minQuality, String... languages) {
    return new QueuedTask(new UUID(0, 1), "t", "code-editing", 5, T0,
        new MatchScore.Need("code-editing", List.of(languages), List.of()), minQuality);
  }

  private static Candidate agent(String id, int load, double quality, String... languages) {
    return new Candidate("t", id, new Capabilities(List.of("code-editing"), List.of(languages), List.of()), 4, load,
        new Performance(0.8, quality, 1000, 10));
  }

  private static Decision plan(RoutingStrategy strategy, Candidate... agents) {
    return Planner.plan(List.of(task(0, "java")), List.of(agents), strategy).get(0).decision();
  }

  @Test
  @DisplayName("capability's confidence is the best score's margin over the next, relative to the best")
  void capabilityConfidenceIsTheRelativeMargin() {
    Decision decision = plan(RoutingStrategy.capability(), agent("java", 3, 0.8, "java"), agent("go", 0, 0.8, "go"));
    assertThat(decision.strategy()).isEqualTo("capability");
    double next = decision.alternatives().get(0).score();
    assertThat(decision.confidence()).isCloseTo((decision.score() - next) / decision.score(), offset(1e-12))
        .isBetween(0.1, 0.5);
  }

  @Test
  @DisplayName("capability is fully confident with one candidate and not at all between equals or at score 0")
  void capabilityConfidenceAtTheEdges() {
    assertThat(plan(RoutingStrategy.capability(), agent("only", 0, 0.8, "java")).confidence()).isEqualTo(1.0);
    assertThat(plan(RoutingStrategy.capability(), agent("a", 1, 0.8, "java"), agent("b", 1, 0.8, "java"))
        .confidence()).isZero();
    List<RoutingStrategy.Scored> nothing = List.of(new RoutingStrategy.Scored(agent("a", 0, 0, "java"), 0),
        new RoutingStrategy.Scored(agent("b", 0, 0, "java"), 0));
    assertThat(RoutingStrategy.capability().choose(task(0), nothing).orElseThrow().confidence()).isZero();
  }

  @Test
  @DisplayName("of equal match scores the lower load wins before the agent id")
  void equalScoresGoToTheLowerLoad() {
    Candidate idle = agent("zed", 0, 0.5, "java");
    Candidate half = agent("abe", 2, 0.75, "java");
    Decision decision = plan(RoutingStrategy.capability(), half, idle);
    assertThat(decision.score()).isEqualTo(decision.alternatives().get(0).score());
    assertThat(decision.agentId()).isEqualTo("zed");
  }

  @Test
  @DisplayName("an agent whose average quality equals the task's minimum is eligible")
  void minimumQualityIsInclusive() {
    List<Planner.Assignment> plan = Planner.plan(List.of(task(0.75, "java")),
        List.of(agent("borderline", 0, 0.75, "java")), RoutingStrategy.capability());
    assertThat(plan).extracting(a -> a.decision().agentId()).containsExactly("borderline");
    assertThat(Planner.plan(List.of(task(0.76, "java")), List.of(agent("below", 0, 0.75, "java")),
        RoutingStrategy.capability())).isEmpty();
  }

  @Test
  @DisplayName("learning is fully confident when the chosen agent has no rival")
  void learningWithoutRivalIsCertain() {
    Decision decision = Planner.plan(List.of(FeedbackLoop.task(0)), List.of(FeedbackLoop.candidate("only", 0.6)),
        RoutingStrategy.learning(ArmTable.empty(), MEANS, new SplittableRandom(1))).get(0).decision();
    assertThat(decision.strategy()).isEqualTo("learning");
    assertThat(decision.confidence()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("learning's rival is the first other agent with the highest mean, by its own posterior variance")
  void learningRivalIsTheFirstOfEqualMeans() {
    Arm strong = new Arm(9, 1, 100, 90);
    Arm wide = new Arm(2, 2, 100, 50);
    Arm narrow = new Arm(4, 4, 100, 50);
    ArmTable arms = ArmTable.empty().with(key("a"), strong).with(key("b"), wide).with(key("c"), narrow);
    Decision decision = Planner.plan(List.of(FeedbackLoop.task(0)),
        List.of(FeedbackLoop.candidate("a", 0.6), FeedbackLoop.candidate("b", 0.6), FeedbackLoop.candidate("c", 0.6)),
        RoutingStrategy.learning(arms, MEANS, new SplittableRandom(1))).get(0).decision();
    assertThat(decision.agentId()).isEqualTo("a");
    double expected = LearningStrategy.normalCdf((strong.mean() - wide.mean())
        / Math.sqrt(strong.variance() + wide.variance()));
    assertThat(decision.confidence()).isCloseTo(expected, offset(1e-12));
  }

  @Test
  @DisplayName("Φ is ½ at 0, symmetric, and close to its tabulated values")
  void normalCdf() {
    assertThat(LearningStrategy.normalCdf(0)).isCloseTo(0.5, offset(1e-8));
    assertThat(LearningStrategy.normalCdf(1.96)).isCloseTo(0.975, offset(1e-4));
    assertThat(LearningStrategy.normalCdf(-1)).isCloseTo(1 - LearningStrategy.normalCdf(1), offset(1e-12))
        .isCloseTo(0.158655, offset(1e-6));
  }

  private static ArmTable.Key key(String agentId) {
    return new ArmTable.Key(FeedbackLoop.TENANT, FeedbackLoop.TYPE, agentId);
  }
}
