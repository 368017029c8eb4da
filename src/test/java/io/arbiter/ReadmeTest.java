package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.config.ConfigKey;
import io.arbiter.support.Walkthrough;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("README and the configuration reference stay true")
class ReadmeTest {

  private static final Path CONFIGURATION = Path.of("docs/configuration.md");
  private static final Pattern SETTING_ROW = Pattern.compile("\\| `([^`]+)` \\| `ARBITER_");

  @Test
  @DisplayName("every config key, its environment name and whether it reloads are in docs/configuration.md")
  void everyConfigKeyIsDocumented() throws Exception {
    String configuration = Files.readString(CONFIGURATION);
    for (ConfigKey key : ConfigKey.values()) {
      String row = "| `" + key.path() + "` | `" + key.envName() + "` |";
      assertThat(configuration).as("docs/configuration.md documents %s", key.path()).contains(row);
      String line = configuration.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow();
      assertThat(line).as("reloadability of %s", key.path()).contains(key.reloadable() ? "**yes**" : "| no |");
    }
    Set<String> keys = Arrays.stream(ConfigKey.values()).map(ConfigKey::path).collect(Collectors.toSet());
    List<String> unknown = configuration.lines().map(SETTING_ROW::matcher).filter(Matcher::lookingAt)
        .map(m -> m.group(1)).filter(key -> !keys.contains(key)).toList();
    assertThat(unknown).as("rows of docs/configuration.md naming no config key").isEmpty();
    assertThat(Files.readString(Path.of("README.md"))).as("README links the configuration")
        .contains("](docs/configuration.md)");
  }

  @Test
  @DisplayName("README stays a front door: under 250 lines, the reference lives in docs/")
  void readmeStaysShort() throws Exception {
    assertThat(Files.readAllLines(Path.of("README.md"))).hasSizeLessThan(250);
  }

  @Test
  @DisplayName("CI runs exactly the README's test command")
  void ciRunsReadmeTestCommand() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme).contains("```bash\nmvn -B verify\n```");
    assertThat(Files.readString(Path.of(".ci/run")).lines().map(String::trim)).contains("mvn -B verify");
  }

  @Test
  @DisplayName("the walkthrough shows what every request prints, as JSON with placeholders")
  void walkthroughShowsItsOutputs() throws Exception {
    Walkthrough walkthrough = Walkthrough.fromReadme(Path.of("README.md"));
    assertThat(walkthrough.steps()).hasSizeGreaterThanOrEqualTo(10);
    for (Walkthrough.Step step : walkthrough.steps()) {
      assertThat(step.title()).as("each step starts with its numbered comment").startsWith("# ");
      if (step.commands().contains("curl")) {
        assertThat(step.expectedValues()).as("the output of %s", step.title()).isNotEmpty();
      }
    }
    Walkthrough.Step last = walkthrough.steps().get(walkthrough.steps().size() - 1);
    assertThat(last.commands()).as("the walkthrough ends by deregistering its agent")
        .contains("-X DELETE http://localhost:8080/api/v1/agents/coder-1");
  }
}
