package io.arbiter.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.CustomBlock;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Node;
import org.commonmark.node.SourceSpan;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every Markdown file of the repository (README.md, docs/, the READMEs beside the code) parsed as GitHub renders it,
 * with the GFM tables extension: a table whose rows do not match its header, or a row that fell out of its table
 * (a separator row of another width, a blank line inside the table), shows as raw pipes on GitHub.
 */
@DisplayName("Markdown tables render")
class MarkdownTablesTest {


  private static final Parser PARSER = Parser.builder()
      .extensions(List.of(TablesExtension.create()))
      .includeSourceSpans(IncludeSourceSpans.BLOCKS)
      .build();

  @Test
  @DisplayName("the checked files include README.md and every other Markdown file outside build output")
  void checksEveryMarkdownFile() throws IOException {
    List<Path> files = MarkdownFiles.under(Path.of("."));
    assertThat(files).contains(Path.of("README.md"), Path.of("compose/README.md"), Path.of("bench/README.md"),
        Path.of("examples/js-agent/README.md"));
    assertThat(files).noneMatch(f -> f.toString().contains("node_modules"));
  }

  @Test
  @DisplayName("every row of every table has as many cells as its header")
  void rowsMatchTheirHeader() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : MarkdownFiles.under(Path.of("."))) {
      problems.addAll(tableProblems(file, Files.readString(file)));
    }
    assertThat(problems).as("tables whose rows differ from their header").isEmpty();
  }

  @Test
  @DisplayName("no line outside a table or a code block starts with a pipe")
  void noPipeRowOutsideATable() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : MarkdownFiles.under(Path.of("."))) {
      problems.addAll(strayRows(file, Files.readString(file)));
    }
    assertThat(problems).as("lines that look like table rows but render as text").isEmpty();
  }

  @Test
  @DisplayName("the checks catch a separator row of another width and a table split by a blank line")
  void checksCatchBrokenTables() {
    Path file = Path.of("broken.md");
    String wrongSeparator = "| a | b |\n|---|---|---|\n| 1 | 2 |\n";
    assertThat(problems(file, wrongSeparator)).anyMatch(p -> p.startsWith("broken.md:2: "));
    String split = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n";
    assertThat(problems(file, split)).containsExactly("broken.md:5: | 3 | 4 |");
    String longRow = "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n| `x\\|y` | 2 |\n";
    assertThat(problems(file, longRow)).containsExactly("broken.md:3: 3 cells, the header has 2");
    String fenced = "```\n| not | a table |\n```\n";
    assertThat(problems(file, fenced)).isEmpty();
  }

  private static List<String> problems(Path file, String text) {
    List<String> problems = new ArrayList<>(tableProblems(file, text));
    problems.addAll(strayRows(file, text));
    return problems;
  }

  /** Rows (the separator included) whose cell count differs from the header's, as {@code file:line: why}. */
  private static List<String> tableProblems(Path file, String text) {
    String[] lines = text.split("\n", -1);
    List<String> problems = new ArrayList<>();
    PARSER.parse(text).accept(new AbstractVisitor() {
      @Override
      public void visit(CustomBlock block) {
        if (block instanceof TableBlock table) {
          int header = headerCells(table);
          for (SourceSpan span : table.getSourceSpans()) {
            String row = lines[span.getLineIndex()].substring(span.getColumnIndex(),
                span.getColumnIndex() + span.getLength());
            int cells = cells(row);
            if (cells != header) {
              problems.add(file + ":" + (span.getLineIndex() + 1) + ": " + cells + " cells, the header has " + header);
            }
          }
        }
        visitChildren(block);
      }
    });
    return problems;
  }

  private static int headerCells(TableBlock table) {
    for (Node child = table.getFirstChild(); child != null; child = child.getNext()) {
      if (child instanceof TableHead head) {
        int cells = 0;
        for (Node cell = head.getFirstChild().getFirstChild(); cell != null; cell = cell.getNext()) {
          cells += cell instanceof TableCell ? 1 : 0;
        }
        return cells;
      }
    }
    throw new IllegalStateException("a table without a header");
  }

  /** The cells of one row as GFM splits it: on pipes not escaped by a backslash, leading and trailing pipe dropped. */
  static int cells(String row) {
    String trimmed = row.strip();
    int start = trimmed.startsWith("|") ? 1 : 0;
    int end = trimmed.length();
    if (end > start && trimmed.endsWith("|") && !trimmed.endsWith("\\|")) {
      end--;
    }
    int cells = 1;
    for (int i = start; i < end; i++) {
      char c = trimmed.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '|') {
        cells++;
      }
    }
    return cells;
  }

  /** Lines that start with a pipe but belong to no table (nor to a code or HTML block), as {@code file:line: text}. */
  private static List<String> strayRows(Path file, String text) {
    String[] lines = text.split("\n", -1);
    Set<Integer> covered = new TreeSet<>();
    PARSER.parse(text).accept(new AbstractVisitor() {
      @Override
      public void visit(CustomBlock block) {
        if (block instanceof TableBlock) {
          cover(block);
        }
        visitChildren(block);
      }

      @Override
      public void visit(FencedCodeBlock block) {
        cover(block);
      }

      @Override
      public void visit(IndentedCodeBlock block) {
        cover(block);
      }

      @Override
      public void visit(HtmlBlock block) {
        cover(block);
      }

      private void cover(Node block) {
        block.getSourceSpans().forEach(span -> covered.add(span.getLineIndex()));
      }
    });
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].stripLeading().startsWith("|") && !covered.contains(i)) {
        problems.add(file + ":" + (i + 1) + ": " + lines[i].strip());
      }
    }
    return problems;
  }
}
