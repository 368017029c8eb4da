package io.arbiter.schedule;

import java.util.Locale;

/** What an occurrence does while the schedule's previous run has not finished. */
public enum Overlap {
  /** The occurrence does not fire (recorded as a skipped run). */
  SKIP,
  /** The occurrence fires anyway; runs may overlap. */
  QUEUE,
  /** The previous run is canceled, then the occurrence fires. */
  CANCEL;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Overlap fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
