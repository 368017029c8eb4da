package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Package dependencies follow the architecture")
class ArchitectureTest {

  private static final Path MAIN = Path.of("src/main/java/io/arbiter");
  private static final Pattern ARBITER_NAME = Pattern.compile("\\bio\\.arbiter\\.(\\w+)");
  private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

  /**
   * Which domain writes each table: the package whose SQL alone may insert into, update or delete from it. A statement
   * of another domain that must change the table takes a fragment from the owner (as task statements take
   * {@code audit/AuditLog.cte} for {@code audit_log}). Mostly the migration that creates the table says it; where it
   * does not: {@code routing_decisions} (created with the tasks, V3) records the dispatcher's choices and belongs to
   * routing; {@code specialization_records} (V4, with the arms) describes agents and belongs to the registry;
   * {@code agent_outcomes} (V8) is the task domain's queue of finished attempts, written by a result and emptied by the
   * fold, which moves the owners' rows through their fragments.
   */
  static final Map<String, String> OWNERS = Map.ofEntries(
      Map.entry("audit_outbox", "audit"), Map.entry("audit_log", "audit"), Map.entry("audit_seals", "audit"),
      Map.entry("audit_checkpoints", "audit"), Map.entry("audit_verified", "audit"),
      Map.entry("agents", "registry"), Map.entry("specialization_records", "registry"),
      Map.entry("tasks", "task"), Map.entry("task_history", "task"), Map.entry("task_history_archive", "task"),
      Map.entry("task_results", "task"), Map.entry("task_dependencies", "task"), Map.entry("agent_outcomes", "task"),
      Map.entry("routing_decisions", "routing"), Map.entry("routing_arms", "routing"),
      Map.entry("tenant_limits", "policy"), Map.entry("waivers", "policy"), Map.entry("revoked_tokens", "policy"),
      Map.entry("schedules", "schedule"), Map.entry("schedule_runs", "schedule"),
      Map.entry("task_callbacks", "callback"),
      Map.entry("flyway_schema_history", "db"));

  /**
   * A write and the table it writes, in upper-case SQL as every statement here is written. Row locks
   * ({@code FOR [NO KEY] UPDATE}) and an upsert's {@code DO UPDATE} (whose table is its {@code INSERT INTO}'s) are
   * matched only to be passed over.
   */
  private static final Pattern WRITE = Pattern.compile(
      "\\b(FOR\\s+(?:NO\\s+KEY\\s+)?UPDATE|DO\\s+UPDATE|INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+(\\w+)");
  private static final Pattern CREATED =
      Pattern.compile("(?i)\\b(?:CREATE\\s+TABLE|ALTER\\s+TABLE\\s+\\w+\\s+RENAME\\s+TO)\\s+(\\w+)");

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

  @Test
  @DisplayName("each table is written only by the SQL of the domain that owns it")
  void eachTableIsWrittenByItsOwnDomain() throws IOException {
    List<String> foreign = new ArrayList<>();
    int writes = 0;
    for (Path source : sources(MAIN)) {
      String name = MAIN.relativize(source).toString().replace('\\', '/');
      List<Write> found = writes(Files.readString(source));
      writes += found.size();
      for (Write w : found) {
        String owner = OWNERS.get(w.table());
        if (owner == null) {
          foreign.add(name + ":" + w.line() + " " + w.verb() + " " + w.table() + " (a table with no owner in OWNERS)");
        } else if (!owner.equals(domainOf(name))) {
          foreign.add(name + ":" + w.line() + " " + w.verb() + " " + w.table() + " (owned by " + owner + ")");
        }
      }
    }
    assertThat(writes).as("writes found").isGreaterThan(50);
    assertThat(foreign).isEmpty();
  }

  @Test
  @DisplayName("every table the migrations create has an owning domain")
  void everyTableHasAnOwner() throws IOException {
    Set<String> created = new TreeSet<>();
    for (Path migration : sources(MIGRATIONS)) {
      Matcher m = CREATED.matcher(Files.readString(migration));
      while (m.find()) {
        created.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
      }
    }
    assertThat(created).as("tables created").contains("agents", "tasks", "audit_log");
    assertThat(OWNERS.keySet()).containsAll(created);
  }

  @Test
  @DisplayName("the write check reads string literals and text blocks, not comments, and passes over row locks")
  void writeCheckReadsOnlySql() {
    String source = """
        /** INSERT INTO tasks, in a comment. */
        class X {
          // UPDATE agents, in a comment
          static final String A = "SELECT * FROM agents WHERE id = $1 FOR UPDATE";
          static final String B = \"""
              WITH l AS (SELECT id FROM agents FOR NO KEY UPDATE SKIP LOCKED),
              u AS (UPDATE agents a SET "quoted\\"" = '\\"' FROM l WHERE a.id = l.id)
              INSERT INTO routing_arms AS r (id) SELECT 1 ON CONFLICT (id) DO UPDATE SET id = 2
              \""".formatted(x) + "DELETE FROM " + "tasks";
          static final char C = '"';
          static final String D = "DELETE FROM schedules";
        }
        """;
    assertThat(writes(source)).extracting(Write::toString).containsExactly(
        "7 UPDATE agents", "8 INSERT INTO routing_arms", "11 DELETE FROM schedules");
  }

  /** A table write in a source: its line, its verb and the table. */
  record Write(int line, String verb, String table) {
    @Override
    public String toString() {
      return line + " " + verb + " " + table;
    }
  }

  /** The domain of a source under {@code io/arbiter}: its first package name, or {@code ""} for the root package. */
  private static String domainOf(String relative) {
    int slash = relative.indexOf('/');
    return slash < 0 ? "" : relative.substring(0, slash);
  }

  /**
   * The table writes in the string literals and text blocks of a Java source. Each literal is read on its own (a
   * verb and its table always stand in one literal here); comments and character literals are skipped.
   */
  static List<Write> writes(String source) {
    List<Write> found = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        i = source.indexOf('\n', i);
        i = i < 0 ? n : i;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        line += count(source, i, end);
        i = end;
      } else if (source.startsWith("\"\"\"", i)) {
        int end = closing(source, i + 3, "\"\"\"");
        scan(source.substring(i + 3, end), line, found);
        end = Math.min(n, end + 3);
        line += count(source, i, end);
        i = end;
      } else if (c == '"' || c == '\'') {
        int end = closing(source, i + 1, String.valueOf(c));
        if (c == '"') {
          scan(source.substring(i + 1, end), line, found);
        }
        i = Math.min(n, end + 1);
      } else {
        if (c == '\n') {
          line++;
        }
        i++;
      }
    }
    return found;
  }

  /** Where the literal that starts before {@code from} closes with {@code quote}, past backslash escapes. */
  private static int closing(String source, int from, String quote) {
    int i = from;
    while (i < source.length() && !source.startsWith(quote, i)) {
      i += source.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(i, source.length());
  }

  private static int count(String source, int from, int to) {
    int lines = 0;
    for (int i = from; i < to; i++) {
      if (source.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }

  private static void scan(String literal, int firstLine, List<Write> found) {
    Matcher m = WRITE.matcher(literal);
    while (m.find()) {
      String verb = m.group(1).replaceAll("\\s+", " ");
      if (!verb.startsWith("FOR ") && !verb.equals("DO UPDATE")) {
        found.add(new Write(firstLine + count(literal, 0, m.start()), verb, m.group(2)));
      }
    }
  }

  private static List<Path> sources(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
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
