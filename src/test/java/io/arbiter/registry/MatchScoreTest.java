package io.arbiter.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Match score")
class MatchScoreTest {

  private static Agent agent(List<String> types, List<String> languages, List<Capabilities.Specialization> specs,
                             int load, double quality) {
    OffsetDateTime now = OffsetDateTime.now();
    return new Agent("t", "a", "a", "claude", new Capabilities(types, languages, specs), 4, AgentStatus.AVAILABLE,
        load, new Performance(0.8, quality, 1000, 0), now, now, now, null, "claim", true);
  }

  @Test
  @DisplayName("an agent without the task type is not capable")
  void taskTypeMustMatch() {
    Agent writer = agent(List.of("documentation"), List.of(), List.of(), 0, 1);
    assertThat(MatchScore.of(writer, new MatchScore.Need("code-editing", null, null))).isEmpty();
  }

  @Test
  @DisplayName("languages, specialization levels, quality and free capacity each raise the score")
  void partsRaiseTheScore() {
    MatchScore.Need need = new MatchScore.Need("code-editing", List.of("java"), List.of("vertx"));
    double bare = MatchScore.of(agent(List.of("code-editing"), List.of(), List.of(), 4, 0), need).getAsDouble();
    double withLanguage = MatchScore.of(agent(List.of("code-editing"), List.of("java"), List.of(), 4, 0), need)
        .getAsDouble();
    double withNovice = MatchScore.of(agent(List.of("code-editing"), List.of("java"),
        List.of(new Capabilities.Specialization("vertx", Level.NOVICE, 0)), 4, 0), need).getAsDouble();
    double withMaster = MatchScore.of(agent(List.of("code-editing"), List.of("java"),
        List.of(new Capabilities.Specialization("vertx", Level.MASTER, 0)), 4, 0), need).getAsDouble();
    double idleAndGood = MatchScore.of(agent(List.of("code-editing"), List.of("java"),
        List.of(new Capabilities.Specialization("vertx", Level.MASTER, 0)), 0, 1), need).getAsDouble();
    assertThat(bare).isEqualTo(MatchScore.BASE);
    assertThat(List.of(bare, withLanguage, withNovice, withMaster, idleAndGood)).isSorted().doesNotHaveDuplicates();
    assertThat(idleAndGood).isEqualTo(1.0);
  }

  @Test
  @DisplayName("model families map to baselines; unknown families get the default")
  void baselines() {
    assertThat(ModelBaselines.of("Claude-Sonnet-4")).isEqualTo(ModelBaselines.of("claude"));
    assertThat(ModelBaselines.of("gpt-5").successRate()).isGreaterThan(ModelBaselines.DEFAULT.successRate());
    assertThat(ModelBaselines.of("homebrew")).isEqualTo(ModelBaselines.DEFAULT);
  }
}
