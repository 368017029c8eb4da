package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.config.ConfigException;
import io.arbiter.registry.Levels;
import io.arbiter.support.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Routing settings map from routing.*")
class RoutingSettingsTest {

  @Test
  @DisplayName("the bundled defaults map to the bandit's and the levels' defaults")
  void defaultsMap() {
    RoutingSettings settings = RoutingSettings.from(TestConfig.defaultsWith(Map.of()));
    assertThat(settings.batchSize()).isEqualTo(1000);
    assertThat(settings.pollIntervalMs()).isEqualTo(500);
    assertThat(settings.learning()).isEqualTo(Bandit.Settings.DEFAULTS);
    assertThat(settings.levels()).isEqualTo(Levels.Thresholds.DEFAULTS);
  }

  @Test
  @DisplayName("each routing key lands in its field")
  void keysLandInTheirFields() {
    RoutingSettings settings = RoutingSettings.from(TestConfig.defaultsWith(Map.of("routing.lanes", 3,
        "routing.batchSize", 7, "routing.pollIntervalMs", 250, "routing.learning.exploration", 0.5,
        "routing.learning.discount", 0.9, "routing.learning.coldStartPulls", 2, "routing.learning.coldStartBonus", 0.1,
        "routing.levels.evaluationTasks", 4)));
    assertThat(settings).isEqualTo(new RoutingSettings(3, 7, 250, new Bandit.Settings(0.5, 2, 0.1, 0.9),
        new Levels.Thresholds(4, Levels.Thresholds.DEFAULT_INTERMEDIATE, Levels.Thresholds.DEFAULT_EXPERT,
            Levels.Thresholds.DEFAULT_MASTER)));
  }

  @Test
  @DisplayName("routing.lanes 0 asks for one lane per core; a number is taken as it is")
  void laneCountFollowsTheCores() {
    assertThat(RoutingSettings.from(TestConfig.defaultsWith(Map.of("routing.lanes", 0))).laneCount())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(RoutingSettings.from(TestConfig.defaultsWith(Map.of("routing.lanes", 5))).laneCount()).isEqualTo(5);
  }

  @Test
  @DisplayName("level bars that fall from one level to the next fail naming the keys")
  void fallingBarsAreRefused() {
    assertThatThrownBy(() -> RoutingSettings.from(TestConfig.defaultsWith(
        Map.of("routing.levels.intermediate", "60/0.6/0.6"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("routing.levels.intermediate")
        .hasMessageContaining("must not fall");
  }
}
