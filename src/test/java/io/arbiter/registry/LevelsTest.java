package io.arbiter.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.config.ConfigException;
import io.arbiter.support.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Specialization levels")
class LevelsTest {

  private static final Levels.Thresholds T = Levels.Thresholds.DEFAULTS;

  @Test
  @DisplayName("a record earns the highest level whose bar it clears on tasks, success rate and quality")
  void earnsTheHighestBarCleared() {
    assertThat(Levels.earned(T, 10, 0.6, 0.6, Level.NOVICE)).isEqualTo(Level.INTERMEDIATE);
    assertThat(Levels.earned(T, 50, 0.8, 0.75, Level.NOVICE)).isEqualTo(Level.EXPERT);
    assertThat(Levels.earned(T, 200, 0.95, 0.9, Level.NOVICE)).isEqualTo(Level.MASTER);
  }

  @Test
  @DisplayName("every figure must clear the bar: many tasks do not make up for low quality")
  void everyFigureCounts() {
    assertThat(Levels.earned(T, 1_000, 0.95, 0.7, Level.NOVICE)).isEqualTo(Level.INTERMEDIATE);
    assertThat(Levels.earned(T, 1_000, 0.7, 0.95, Level.NOVICE)).isEqualTo(Level.INTERMEDIATE);
    assertThat(Levels.earned(T, 199, 0.95, 0.95, Level.NOVICE)).isEqualTo(Level.EXPERT);
  }

  @Test
  @DisplayName("before the evaluation minimum an agent keeps its family baseline even with poor results")
  void baselineIsAFloorUntilEvaluated() {
    assertThat(Levels.earned(T, 0, 0, 0, Level.INTERMEDIATE)).isEqualTo(Level.INTERMEDIATE);
    assertThat(Levels.earned(T, 9, 0.1, 0.1, Level.EXPERT)).isEqualTo(Level.EXPERT);
  }

  @Test
  @DisplayName("from the evaluation minimum on, poor results demote an agent below its baseline")
  void recordDecidesOnceEvaluated() {
    assertThat(Levels.earned(T, 10, 0.3, 0.4, Level.INTERMEDIATE)).isEqualTo(Level.NOVICE);
    assertThat(Levels.earned(T, 60, 0.7, 0.7, Level.EXPERT)).isEqualTo(Level.INTERMEDIATE);
  }

  @Test
  @DisplayName("good results lift an agent above its baseline as soon as a bar is cleared")
  void goodResultsLiftEarly() {
    Levels.Thresholds lateEvaluation = new Levels.Thresholds(100, T.intermediate(), T.expert(), T.master());
    assertThat(Levels.earned(lateEvaluation, 50, 0.85, 0.8, Level.NOVICE)).isEqualTo(Level.EXPERT);
    assertThat(Levels.earned(lateEvaluation, 50, 0.2, 0.2, Level.INTERMEDIATE)).isEqualTo(Level.INTERMEDIATE);
  }

  @Test
  @DisplayName("thresholds whose bars fall from one level to the next are refused")
  void barsMustNotFall() {
    assertThatThrownBy(() -> new Levels.Thresholds(10, new Levels.Bar(10, 0.9, 0.6), new Levels.Bar(50, 0.8, 0.75),
        T.master())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Levels.Bar(5, 1.2, 0.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a bar reads as minTasks/minSuccessRate/minQuality; anything else is refused")
  void barReadsFromText() {
    assertThat(Levels.Bar.parse("50/0.8/0.75")).isEqualTo(new Levels.Bar(50, 0.8, 0.75));
    assertThatThrownBy(() -> Levels.Bar.parse("50/0.8")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'50/0.8' is not minTasks/minSuccessRate/minQuality");
    assertThatThrownBy(() -> Levels.Bar.parse("50/0.8/0.75/1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Levels.Bar.parse("many/0.8/0.75")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Levels.Bar.parse("50/1.5/0.75")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("routing.levels.* maps into thresholds; bars that fall fail naming the three keys")
  void thresholdsReadFromSettings() {
    assertThat(Levels.Thresholds.from(TestConfig.defaultsWith(Map.of()))).isEqualTo(Levels.Thresholds.DEFAULTS);
    assertThat(Levels.Thresholds.from(TestConfig.defaultsWith(Map.of("routing.levels.evaluationTasks", 2,
        "routing.levels.intermediate", "1/0.5/0.5", "routing.levels.expert", "3/0.8/0.7",
        "routing.levels.master", "100/0.9/0.9"))))
        .isEqualTo(new Levels.Thresholds(2, new Levels.Bar(1, 0.5, 0.5), new Levels.Bar(3, 0.8, 0.7),
            new Levels.Bar(100, 0.9, 0.9)));
    assertThatThrownBy(() -> Levels.Thresholds.from(TestConfig.defaultsWith(
        Map.of("routing.levels.expert", "300/0.95/0.9"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config keys routing.levels.intermediate, routing.levels.expert and routing.levels.master: "
            + "level bars must not fall from intermediate to expert to master");
  }
}
