package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Package dependencies follow the architecture")
class ArchitectureTest {

  private static final Path MAIN = Path.of("src/main/java/io/arbiter");
  private static final Pattern ARBITER_NAME = Pattern.compile("\\bio\\.arbiter\\.(\\w+)");

  @Test
  @DisplayName("config/ is the generic layer: it names no domain, only itself and bus/")
  void configNamesNoDomain() throws IOException {
    assertThat(foreignNames(MAIN.resolve("config"), Set.of("config", "bus"))).isEmpty();
  }

  @Test
  @DisplayName("the check sees imports, static imports and qualified names alike")
  void checkSeesEveryKindOfReference() {
    List<String> found = new ArrayList<>();
    String source = """
        package io.arbiter.config;
        import io.arbiter.bus.Addresses;
        import io.arbiter.routing.Bandit;
        import static io.arbiter.task.Retention.MAX_DAYS;
        /** {@link io.arbiter.Arbiter} */
        class X { io.arbiter.registry.Levels.Bar bar; }
        """;
    collect("X.java", source, Set.of("config", "bus"), found);
    assertThat(found).containsExactly("X.java:3 io.arbiter.routing", "X.java:4 io.arbiter.task",
        "X.java:5 io.arbiter.Arbiter", "X.java:6 io.arbiter.registry");
  }

  /** Every {@code io.arbiter.<name>} the sources under {@code dir} mention whose name is not {@code allowed}. */
  private static List<String> foreignNames(Path dir, Set<String> allowed) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
      assertThat(sources).as("sources under " + dir).isNotEmpty();
      for (Path source : sources) {
        collect(MAIN.relativize(source).toString(), Files.readString(source), allowed, found);
      }
    }
    return found;
  }

  private static void collect(String name, String source, Set<String> allowed, List<String> found) {
    String[] lines = source.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = ARBITER_NAME.matcher(lines[i]);
      while (m.find()) {
        if (!allowed.contains(m.group(1))) {
          found.add(name + ":" + (i + 1) + " " + m.group());
        }
      }
    }
  }
}
