package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.config.ConfigKey;
import io.arbiter.support.Walkthrough;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("README stays true")
class ReadmeTest {

  @Test
  @DisplayName("every config key, its environment name and whether it reloads are in the README table")
  void everyConfigKeyIsDocumented() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (ConfigKey key : ConfigKey.values()) {
      String row = "| `" + key.path() + "` | `" + key.envName() + "` |";
      assertThat(readme).as("README documents %s", key.path()).contains(row);
      String line = readme.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow();
      assertThat(line).as("reloadability of %s", key.path()).contains(key.reloadable() ? "**yes**" : "| no |");
    }
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
