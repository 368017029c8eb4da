package io.arbiter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Prints the build's one line on coverage, read from JaCoCo's CSV report: the share of lines covered over all
 * classes, and over the domain classes (JaCoCo's class patterns, comma-separated, {@code *} and {@code ?} as
 * wildcards). The build runs it after the report; the thresholds themselves are JaCoCo's check.
 *
 * <p>Arguments: the CSV report, then the domain class patterns.
 */
public final class CoverageSummary {
  private CoverageSummary() {}

  /** Lines missed and covered. */
  record Lines(long missed, long covered) {
    Lines plus(Lines other) {
      return new Lines(missed + other.missed, covered + other.covered);
    }

    String share() {
      long total = missed + covered;
      return total == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f %% (%d of %d)", 100.0 * covered / total, covered,
          total);
    }
  }

  public static void main(String[] args) throws IOException {
    Path csv = Path.of(args[0]);
    if (!Files.isRegularFile(csv)) {
      System.out.println("Coverage: no report at " + csv + " (tests skipped?)");
      return;
    }
    System.out.println(summary(Files.readAllLines(csv), args.length > 1 ? args[1] : ""));
  }

  static String summary(List<String> csv, String domainPatterns) {
    Predicate<String> domain = matcher(domainPatterns);
    Lines all = new Lines(0, 0);
    Lines core = new Lines(0, 0);
    List<String> header = Arrays.asList(csv.get(0).split(","));
    int pkg = header.indexOf("PACKAGE");
    int cls = header.indexOf("CLASS");
    int missed = header.indexOf("LINE_MISSED");
    int covered = header.indexOf("LINE_COVERED");
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",");
      Lines lines = new Lines(Long.parseLong(cells[missed]), Long.parseLong(cells[covered]));
      all = all.plus(lines);
      if (domain.test(cells[pkg] + "." + cells[cls])) {
        core = core.plus(lines);
      }
    }
    return "Coverage: lines " + all.share() + ", domain classes " + core.share();
  }

  /** Whether a class name (inner classes joined by dots) matches one of the patterns. */
  static Predicate<String> matcher(String patterns) {
    String regex = String.join("|", Arrays.stream(patterns.split(",")).map(String::trim).filter(p -> !p.isEmpty())
        .map(p -> Pattern.quote(p.replace('$', '.')).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"))
        .toList());
    return regex.isEmpty() ? name -> false : Pattern.compile(regex).asMatchPredicate();
  }
}
