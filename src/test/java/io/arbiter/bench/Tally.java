package io.arbiter.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts of unexpected answers by kind ({@code "submit 503"}), with the first body seen of each kind. */
final class Tally {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, String> firstSample = new ConcurrentHashMap<>();

  void add(String kind, String sample) {
    counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    if (sample != null) {
      firstSample.putIfAbsent(kind, sample.length() > 300 ? sample.substring(0, 300) + "..." : sample);
    }
  }

  long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  boolean isEmpty() {
    return counts.isEmpty();
  }

  /** {@code submit 503 x3 (first: {...}); claim timeout x1}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(counts).forEach((kind, count) -> {
      if (out.length() > 0) {
        out.append("\n    ");
      }
      out.append(kind).append(" x").append(count.sum());
      String sample = firstSample.get(kind);
      if (sample != null && !sample.isBlank()) {
        out.append("  (first: ").append(sample.replaceAll("\\s+", " ")).append(')');
      }
    });
    return out.toString();
  }
}
