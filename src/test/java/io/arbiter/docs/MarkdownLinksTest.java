package io.arbiter.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.Heading;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link and image of the repository's Markdown (README.md, docs/, the READMEs beside the code, the
 * CHANGELOG) resolves: the file or directory exists, and a {@code #anchor} names a heading of the target as GitHub
 * makes its anchors (lower case, spaces to hyphens, punctuation dropped, {@code -1}, {@code -2} for repeats).
 * Links with a scheme ({@code https:}, {@code mailto:}) are not followed.
 */
@DisplayName("Markdown links resolve")
class MarkdownLinksTest {

  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
  private static final Pattern NOT_IN_ANCHOR = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");

  private static final Parser PARSER = Parser.builder().extensions(List.of(TablesExtension.create())).build();

  @Test
  @DisplayName("the checked files include README.md, docs/ and the READMEs beside the code")
  void checksTheDocumentation() throws IOException {
    List<Path> files = MarkdownFiles.under(Path.of("."));
    assertThat(files).contains(Path.of("README.md"), Path.of("docs/api.md"), Path.of("docs/architecture.md"),
        Path.of("docs/configuration.md"), Path.of("docs/failure-behaviour.md"), Path.of("docs/performance.md"),
        Path.of("compose/README.md"), Path.of("bench/README.md"));
  }

  @Test
  @DisplayName("every relative link names an existing file, and every anchor a heading of its target")
  void everyRelativeLinkResolves() throws IOException {
    Path root = Path.of(".");
    List<String> broken = new ArrayList<>();
    for (Path file : MarkdownFiles.under(root)) {
      broken.addAll(brokenLinks(root, file));
    }
    assertThat(broken).as("links that lead nowhere").isEmpty();
  }

  @Test
  @DisplayName("the check catches a missing file, a missing anchor in another file and in the same file")
  void catchesBrokenLinks(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("docs/guide.md"),
        "# The guide\n\n## Step one: `claim`, then ack\n\n## Step one: `claim`, then ack\n");
    Files.writeString(root.resolve("README.md"), String.join("\n",
        "# Front door", "",
        "[ok](docs/guide.md) [ok](docs/guide.md#the-guide) [ok](docs/guide.md#step-one-claim-then-ack)",
        "[ok](docs/guide.md#step-one-claim-then-ack-1) [ok](#front-door) [ok](docs) [ok](https://example.com/x.md)",
        "[missing](docs/missing.md) [no anchor](docs/guide.md#step-two) [no anchor here](#back-door)",
        "![missing image](docs/missing.png)", ""));
    assertThat(brokenLinks(root, Path.of("README.md"))).containsExactly(
        "README.md: docs/missing.md (no such file)",
        "README.md: docs/guide.md#step-two (no heading step-two in docs/guide.md)",
        "README.md: #back-door (no heading back-door in README.md)",
        "README.md: docs/missing.png (no such file)");
  }

  @Test
  @DisplayName("anchors follow GitHub's rules")
  void anchorsFollowGitHub() {
    assertThat(anchor("How a task travels")).isEqualTo("how-a-task-travels");
    assertThat(anchor("Policy: tenant limits, result gates and waivers"))
        .isEqualTo("policy-tenant-limits-result-gates-and-waivers");
    assertThat(anchor("2026-12-05 to 2026-12-06: what changed")).isEqualTo("2026-12-05-to-2026-12-06-what-changed");
    assertThat(anchor("The `token` command (dev_mode)")).isEqualTo("the-token-command-dev_mode");
  }

  /** The links of {@code file} (relative to {@code root}) that do not resolve, as {@code file: link (why)}. */
  private static List<String> brokenLinks(Path root, Path file) throws IOException {
    Map<Path, Set<String>> anchors = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (String destination : destinations(Files.readString(root.resolve(file)))) {
      if (destination.isEmpty() || SCHEME.matcher(destination).find()) {
        continue;
      }
      int hash = destination.indexOf('#');
      String pathPart = hash < 0 ? destination : destination.substring(0, hash);
      String fragment = hash < 0 ? null : URLDecoder.decode(destination.substring(hash + 1), StandardCharsets.UTF_8);
      Path target = pathPart.isEmpty() ? file
          : normalize(file.getParent(), URLDecoder.decode(pathPart, StandardCharsets.UTF_8));
      if (target.startsWith("..") || !Files.exists(root.resolve(target))) {
        broken.add(file + ": " + destination + " (no such file)");
      } else if (fragment != null) {
        Set<String> headings = target.toString().endsWith(".md")
            ? anchors.computeIfAbsent(target, t -> headingAnchors(root.resolve(t))) : Set.of();
        if (!headings.contains(fragment)) {
          broken.add(file + ": " + destination + " (no heading " + fragment + " in " + target + ")");
        }
      }
    }
    return broken;
  }

  private static Path normalize(Path dir, String relative) {
    Path resolved = (dir == null ? Path.of(relative) : dir.resolve(relative)).normalize();
    return resolved.toString().isEmpty() ? Path.of(".") : resolved;
  }

  /** The destinations of the links and images of a Markdown text, in order. */
  private static List<String> destinations(String markdown) {
    List<String> destinations = new ArrayList<>();
    PARSER.parse(markdown).accept(new AbstractVisitor() {
      @Override
      public void visit(Link link) {
        destinations.add(link.getDestination());
        visitChildren(link);
      }

      @Override
      public void visit(Image image) {
        destinations.add(image.getDestination());
        visitChildren(image);
      }
    });
    return destinations;
  }

  /** The anchors GitHub gives the headings of a Markdown file. */
  private static Set<String> headingAnchors(Path file) {
    String markdown;
    try {
      markdown = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    PARSER.parse(markdown).accept(new AbstractVisitor() {
      @Override
      public void visit(Heading heading) {
        String base = anchor(text(heading));
        int repeat = seen.merge(base, 1, Integer::sum) - 1;
        anchors.add(repeat == 0 ? base : base + "-" + repeat);
      }
    });
    return anchors;
  }

  /** GitHub's anchor for a heading's text: lower case, punctuation dropped, each space a hyphen. */
  static String anchor(String heading) {
    return NOT_IN_ANCHOR.matcher(heading.strip().toLowerCase(Locale.ROOT)).replaceAll("").replace(' ', '-');
  }

  private static String text(Node node) {
    StringBuilder text = new StringBuilder();
    node.accept(new AbstractVisitor() {
      @Override
      public void visit(Text literal) {
        text.append(literal.getLiteral());
      }

      @Override
      public void visit(Code code) {
        text.append(code.getLiteral());
      }
    });
    return text.toString();
  }
}
