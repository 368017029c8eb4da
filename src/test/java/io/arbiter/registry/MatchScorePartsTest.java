package io.arbiter.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each part of the match score on its own, with the others held at a known value. */
@DisplayName("Match score, part by part")
class MatchScorePartsTest {

  private static final double EXACT = 1e-9;

  /** Every part in full except the one a test varies: the base plus each weight. */
  private static final double FULL = MatchScore.BASE + MatchScore.LANGUAGES + MatchScore.SPECIALIZATIONS
      + MatchScore.QUALITY + MatchScore.FREE_CAPACITY;

  private static double score(List<String> languages, List<Capabilities.Specialization> specs, int load,
                              MatchScore.Need need) {
    return MatchScore.of(new Capabilities(List.of("code-editing"), languages, specs), load, 4, 1.0, need)
        .getAsDouble();
  }

  @Test
  @DisplayName("languages count by the share of the required ones the agent has")
  void languagesCountByShare() {
    MatchScore.Need need = new MatchScore.Need("code-editing", List.of("java", "go"), List.of());
    assertThat(score(List.of("java"), List.of(), 0, need)).isCloseTo(FULL - MatchScore.LANGUAGES / 2, offset(EXACT));
    assertThat(score(List.of("go", "java", "rust"), List.of(), 0, need)).isCloseTo(FULL, offset(EXACT));
  }

  @Test
  @DisplayName("free capacity counts by the share of free slots")
  void freeCapacityCountsByShare() {
    MatchScore.Need need = new MatchScore.Need("code-editing", List.of(), List.of());
    assertThat(score(List.of(), List.of(), 1, need)).isCloseTo(FULL - MatchScore.FREE_CAPACITY / 4, offset(EXACT));
    assertThat(score(List.of(), List.of(), 4, need)).isCloseTo(FULL - MatchScore.FREE_CAPACITY, offset(EXACT));
    assertThat(score(List.of(), List.of(), 6, need)).as("overloaded counts as full").isCloseTo(
        FULL - MatchScore.FREE_CAPACITY, offset(EXACT));
  }

  @Test
  @DisplayName("a required specialization counts at the level of the agent's specialization of that name")
  void specializationsCountByTheirOwnLevel() {
    List<Capabilities.Specialization> specs = List.of(new Capabilities.Specialization("sql", Level.MASTER, 9),
        new Capabilities.Specialization("vertx", Level.NOVICE, 1));
    MatchScore.Need vertx = new MatchScore.Need("code-editing", List.of(), List.of("vertx"));
    assertThat(score(List.of(), specs, 0, vertx)).isCloseTo(FULL - MatchScore.SPECIALIZATIONS
        * (1 - Level.NOVICE.weight), offset(EXACT));
    MatchScore.Need both = new MatchScore.Need("code-editing", List.of(), List.of("sql", "kafka"));
    assertThat(score(List.of(), specs, 0, both)).as("a missing one counts 0").isCloseTo(FULL
        - MatchScore.SPECIALIZATIONS / 2, offset(EXACT));
  }
}
