package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.registry.Capabilities;
import io.arbiter.registry.MatchScore;
import io.arbiter.registry.Performance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@DisplayName("Learning strategy")
class LearningStrategyTest {

  private static final long[] SEEDS = LongStream.rangeClosed(1, 5).toArray();
  private static final Bandit.Settings DEFAULTS = Bandit.Settings.DEFAULTS;

  @Test
  @Tag("simulation")
  @DisplayName("after 2,000 tasks at least 85 % of the last 500 go to the best of three agents (0.9, 0.6, 0.3)")
  void convergesOnTheBestAgent() {
    for (long seed : SEEDS) {
      FeedbackLoop loop = new FeedbackLoop(seed, DEFAULTS)
          .agent("good", 0.6, 0.9).agent("fair", 0.6, 0.6).agent("poor", 0.6, 0.3).run(2_000);
      assertThat(loop.share("good", 1_500, 2_000)).as("seed %d", seed).isGreaterThanOrEqualTo(0.85);
    }
  }

  @Test
  @Tag("simulation")
  @DisplayName("a better agent that joins late takes the majority of a 50-task window ending within 300 tasks")
  void findsALateJoiningBetterAgent() {
    for (long seed : SEEDS) {
      FeedbackLoop loop = new FeedbackLoop(seed, DEFAULTS)
          .agent("good", 0.6, 0.8).agent("fair", 0.6, 0.6).agent("poor", 0.6, 0.3).run(1_000)
          .agent("newcomer", 0.5, 0.95).run(300);
      boolean found = IntStream.rangeClosed(1_050, 1_300).anyMatch(end -> loop.share("newcomer", end - 50, end) > 0.5);
      assertThat(found).as("seed %d: newcomer takes over a 50-task window within 300 tasks", seed).isTrue();
    }
  }

  @Test
  @Tag("simulation")
  @DisplayName("an agent whose success drops from 0.9 to 0.3 keeps under half its share and under 0.25 within 500 tasks")
  void followsAQualityDrop() {
    for (long seed : SEEDS) {
      FeedbackLoop loop = new FeedbackLoop(seed, DEFAULTS)
          .agent("star", 0.6, 0.9).agent("steady", 0.6, 0.7).agent("weak", 0.6, 0.4).run(1_000);
      double before = loop.share("star", 500, 1_000);
      loop.hiddenRate("star", 0.3).run(500);
      double after = loop.share("star", 1_250, 1_500);
      assertThat(after).as("seed %d: share %.3f before the drop", seed, before).isLessThan(before / 2).isLessThan(0.25);
    }
  }

  @Test
  @DisplayName("with exploration 0 it draws no random number and exploits once every arm is past cold start")
  void exploitsDeterministicallyWithoutExploration() {
    Bandit.Settings greedy = new Bandit.Settings(0, DEFAULTS.coldStartPulls(), DEFAULTS.coldStartBonus(),
        DEFAULTS.discount());
    List<Candidate> agents = List.of(FeedbackLoop.candidate("a", 0.6), FeedbackLoop.candidate("b", 0.6),
        FeedbackLoop.candidate("c", 0.6));
    ArmTable table = ArmTable.empty();
    SplittableRandom outcomes = new SplittableRandom(42);
    RandomGenerator noRandomness = () -> {
      throw new AssertionError("exploration 0 must not draw");
    };
    for (int i = 0; i < 300; i++) {
      QueuedTask task = FeedbackLoop.task(i);
      ArmTable before = table;
      Decision decision = Planner.plan(List.of(task), agents, RoutingStrategy.learning(table, greedy, noRandomness))
          .get(0).decision();
      boolean pastColdStart = agents.stream()
          .allMatch(a -> before.arm(task, a).pulls() >= greedy.coldStartPulls());
      if (pastColdStart) {
        assertThat(decision.details().getString("mode")).as("task %d", i).isEqualTo("exploit");
        assertThat(decision.rationale()).startsWith("exploit: ");
      }
      Candidate chosen = agents.stream().filter(a -> a.agentId().equals(decision.agentId())).findFirst().orElseThrow();
      double rate = Map.of("a", 0.5, "b", 0.7, "c", 0.4).get(decision.agentId());
      table = table.with(new ArmTable.Key(FeedbackLoop.TENANT, FeedbackLoop.TYPE, decision.agentId()),
          before.arm(task, chosen).updated(Arm.reward(outcomes.nextDouble() < rate, null), greedy.discount()));
    }
  }

  @Test
  @DisplayName("the rationale states the mode, the chosen agent and the samples recorded in the details")
  void rationaleAgreesWithDetails() {
    FeedbackLoop loop = new FeedbackLoop(7, DEFAULTS).agent("a1", 0.6, 0.9).agent("a2", 0.6, 0.6)
        .agent("a3", 0.6, 0.3).run(200).agent("a4", 0.75, 0.8).run(100);
    List<Decision> decisions = new ArrayList<>(loop.decisions());
    decisions.add(Planner.plan(List.of(FeedbackLoop.task(0)), List.of(FeedbackLoop.candidate("solo", 0.7)),
        RoutingStrategy.learning(ArmTable.empty(), DEFAULTS, new SplittableRandom(1))).get(0).decision());
    assertThat(decisions).extracting(d -> d.details().getString("mode")).contains("explore", "exploit");

    for (Decision decision : decisions) {
      JsonObject details = decision.details();
      JsonObject chosen = details.getJsonObject("chosen");
      JsonArray alternatives = details.getJsonArray("alternatives");
      JsonObject bestMean = details.getJsonObject("bestMean");
      String mode = details.getString("mode");
      String rationale = decision.rationale();

      assertThat(decision.strategy()).isEqualTo("learning");
      assertThat(chosen.getString("agentId")).isEqualTo(decision.agentId());
      assertThat(decision.score()).isEqualTo(chosen.getDouble("sample"));
      assertThat(decision.confidence()).isBetween(0.0, 1.0);
      assertThat(rationale).startsWith(mode + ": " + sampled(chosen));

      List<Double> samples = new ArrayList<>(List.of(chosen.getDouble("sample")));
      double topMean = chosen.getDouble("mean");
      for (int i = 0; i < alternatives.size(); i++) {
        JsonObject alternative = alternatives.getJsonObject(i);
        samples.add(alternative.getDouble("sample"));
        topMean = Math.max(topMean, alternative.getDouble("mean"));
        assertThat(decision.alternatives().get(i))
            .isEqualTo(new Decision.Alternative(alternative.getString("agentId"), alternative.getDouble("sample")));
      }
      assertThat(samples).as(rationale).isSortedAccordingTo((x, y) -> Double.compare(y, x));
      assertThat(bestMean.getDouble("mean")).isEqualTo(topMean);
      assertThat(mode).isEqualTo(chosen.getDouble("mean") >= topMean ? "exploit" : "explore");

      if (alternatives.isEmpty()) {
        assertThat(rationale).endsWith("only capable agent with a free slot");
      } else if (mode.equals("exploit")) {
        assertThat(rationale).endsWith("best of %d; next %s".formatted(alternatives.size() + 1,
            sampled(alternatives.getJsonObject(0))));
      } else {
        assertThat(rationale).endsWith(String.format(Locale.ROOT,
            "best of %d; %s has the best mean %.3f over %d pulls but sampled %.3f", alternatives.size() + 1,
            bestMean.getString("agentId"), bestMean.getDouble("mean"), bestMean.getLong("pulls"),
            bestMean.getDouble("sample")));
        assertThat(decision.confidence()).isLessThan(0.5);
      }
    }
  }

  @Test
  @DisplayName("a newcomer in cold start carries its bonus in the sample and says so")
  void coldStartBonusIsRecorded() {
    Decision decision = Planner.plan(List.of(FeedbackLoop.task(0)), List.of(FeedbackLoop.candidate("new", 0.6)),
        RoutingStrategy.learning(ArmTable.empty(), DEFAULTS, new SplittableRandom(3))).get(0).decision();
    JsonObject chosen = decision.details().getJsonObject("chosen");
    assertThat(chosen.getDouble("bonus")).isEqualTo(DEFAULTS.coldStartBonus());
    assertThat(chosen.getLong("pulls")).isZero();
    assertThat(chosen.getDouble("sample")).isGreaterThanOrEqualTo(DEFAULTS.coldStartBonus());
    assertThat(decision.rationale()).contains("over 0 pulls, cold-start +0.250)");
  }

  @Test
  @DisplayName("equal samples go to the better match score, then to the agent id")
  void breaksTiesByMatchScoreThenAgentId() {
    Bandit.Settings means = new Bandit.Settings(0, 0, 0, 1);
    QueuedTask javaTask = new QueuedTask(new UUID(0, 1), "t", "code-editing", 5, Instant.EPOCH,
        new MatchScore.Need("code-editing", List.of("java"), List.of()), 0);
    assertThat(choose(javaTask, means, agent("go", 4, 0, "go"), agent("java", 4, 2, "java")).agentId())
        .isEqualTo("java");
    assertThat(choose(javaTask, means, agent("b", 4, 0, "java"), agent("a", 4, 0, "java")).agentId())
        .isEqualTo("a");
  }

  @Test
  @DisplayName("one dispatch spreads a batch over agents it cannot yet tell apart")
  void spreadsOneDispatchOverUncertainAgents() {
    List<QueuedTask> batch = IntStream.range(0, 12).mapToObj(FeedbackLoop::task).toList();
    List<Candidate> agents = List.of(agent("a", 12, 0), agent("b", 12, 0), agent("c", 12, 0));
    Bandit.Settings noBonus = new Bandit.Settings(1, 0, 0, DEFAULTS.discount());
    List<Planner.Assignment> plan = Planner.plan(batch, agents,
        RoutingStrategy.learning(ArmTable.empty(), noBonus, new SplittableRandom(11)));
    assertThat(plan).hasSize(12);
    assertThat(plan.stream().map(a -> a.decision().agentId()).distinct().count()).isEqualTo(3);
  }

  @Test
  @DisplayName("confidence is high for a clearly better agent and near one half between equals")
  void confidenceReflectsThePosteriors() {
    Bandit.Settings means = new Bandit.Settings(0, 0, 0, 1);
    QueuedTask task = FeedbackLoop.task(0);
    Arm strong = new Arm(91, 11, 100, 90);
    Arm weak = new Arm(41, 61, 100, 40);
    ArmTable clear = ArmTable.empty().with(key("a"), strong).with(key("b"), weak);
    ArmTable even = ArmTable.empty().with(key("a"), strong).with(key("b"), strong);
    List<Candidate> agents = List.of(FeedbackLoop.candidate("a", 0.6), FeedbackLoop.candidate("b", 0.6));
    assertThat(Planner.plan(List.of(task), agents, RoutingStrategy.learning(clear, means, new SplittableRandom(1)))
        .get(0).decision().confidence()).isGreaterThan(0.99);
    assertThat(Planner.plan(List.of(task), agents, RoutingStrategy.learning(even, means, new SplittableRandom(1)))
        .get(0).decision().confidence()).isCloseTo(0.5, Offset.offset(1e-6));
  }

  @Test
  @DisplayName("an agent without an arm starts from the prior of its success rate")
  void unknownAgentStartsFromItsSuccessRate() {
    Candidate agent = FeedbackLoop.candidate("new", 0.75);
    Arm known = new Arm(5, 2, 5, 4);
    ArmTable table = ArmTable.of(Map.of(key("old"), known));
    assertThat(table.arm(FeedbackLoop.task(0), agent)).isEqualTo(Arm.prior(0.75));
    assertThat(table.arm(FeedbackLoop.task(0), FeedbackLoop.candidate("old", 0.1))).isEqualTo(known);
  }

  private static String sampled(JsonObject draw) {
    String bonus = draw.getDouble("bonus") > 0 ? String.format(Locale.ROOT, ", cold-start +%.3f",
        draw.getDouble("bonus")) : "";
    return String.format(Locale.ROOT, "%s sampled %.3f (mean %.3f over %d pulls%s)", draw.getString("agentId"),
        draw.getDouble("sample"), draw.getDouble("mean"), draw.getLong("pulls"), bonus);
  }

  private static Decision choose(QueuedTask task, Bandit.Settings settings, Candidate... agents) {
    return Planner.plan(List.of(task), List.of(agents),
        RoutingStrategy.learning(ArmTable.empty(), settings, new SplittableRandom(1))).get(0).decision();
  }

  private static Candidate agent(String id, int capacity, int load, String... languages) {
    return new Candidate("t", id, new Capabilities(List.of("code-editing"), List.of(languages), List.of()), capacity,
        load, new Performance(0.6, 0.8, 1000, 0));
  }

  private static ArmTable.Key key(String agentId) {
    return new ArmTable.Key(FeedbackLoop.TENANT, FeedbackLoop.TYPE, agentId);
  }
}
