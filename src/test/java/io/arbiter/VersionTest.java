package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

@DisplayName("The version comes from the project version in pom.xml")
class VersionTest {

  @Test
  @DisplayName("NUMBER is the pom's project version, and --version prints it")
  void numberIsThePomVersion() throws Exception {
    assertThat(Version.NUMBER).isEqualTo(pomVersion());
    assertThat(Main.VERSION).isEqualTo("arbiter " + pomVersion());
  }

  @Test
  @DisplayName("an unfiltered placeholder or a missing resource is refused, not reported as the version")
  void refusesWhatMavenDidNotFilter() {
    assertThatThrownBy(() -> Version.read(properties("version=${project.version}")))
        .hasMessageContaining("no filtered version");
    assertThatThrownBy(() -> Version.read(properties("other=1"))).hasMessageContaining("no filtered version");
    assertThatThrownBy(() -> Version.read(null)).hasMessageContaining("missing from the classpath");
    assertThat(Version.read(properties("version=1.2.3\n"))).isEqualTo("1.2.3");
  }

  private static ByteArrayInputStream properties(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The project's own {@code <version>}, a direct child of {@code <project>} (not a parent's or a dependency's). */
  private static String pomVersion() throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Path.of("pom.xml").toFile()).getDocumentElement();
    for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
      if ("version".equals(child.getNodeName())) {
        return child.getTextContent().trim();
      }
    }
    throw new AssertionError("pom.xml has no project version");
  }
}
