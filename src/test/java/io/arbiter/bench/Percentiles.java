package io.arbiter.bench;

import java.util.Arrays;
import java.util.Locale;

/** Nearest-rank percentiles over a sorted copy of the samples (microseconds here, printed as milliseconds). */
final class Percentiles {

  private final long[] sorted;

  private Percentiles(long[] sorted) {
    this.sorted = sorted;
  }

  static Percentiles of(long[] samples) {
    long[] copy = samples.clone();
    Arrays.sort(copy);
    return new Percentiles(copy);
  }

  int count() {
    return sorted.length;
  }

  /** The smallest sample with at least {@code p} percent of the samples at or below it. */
  long at(double p) {
    if (sorted.length == 0) {
      throw new IllegalStateException("no samples");
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** {@code p50 3.1  p95 8.0  p99 15.2} in milliseconds from microsecond samples. */
  String millis(double... ps) {
    StringBuilder out = new StringBuilder();
    for (double p : ps) {
      if (out.length() > 0) {
        out.append("  ");
      }
      out.append("p").append(p == Math.rint(p) ? Integer.toString((int) p) : Double.toString(p)).append(' ')
          .append(sorted.length == 0 ? "n/a" : ms(at(p)));
    }
    return out.toString();
  }

  static String ms(long micros) {
    double ms = micros / 1000.0;
    return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%.1f", ms);
  }

  /** A growable array of samples that many threads may add to. */
  static final class Recorder {
    private long[] values = new long[1024];
    private int size;

    synchronized void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    synchronized long[] toArray() {
      return Arrays.copyOf(values, size);
    }

    /** The samples added since the last drain, and a fresh start (for figures per interval). */
    synchronized long[] drain() {
      long[] out = Arrays.copyOf(values, size);
      size = 0;
      return out;
    }
  }
}
