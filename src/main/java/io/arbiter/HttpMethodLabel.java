package io.arbiter;

import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;

/**
 * The {@code method} label of the HTTP metrics takes only the methods the API and the bridge use; any other method a
 * client sends (HTTP allows any token) is counted as {@code OTHER}, so that no client can add series without bound.
 */
final class HttpMethodLabel {
  private HttpMethodLabel() {}

  static final String OTHER = "OTHER";
  private static final Set<String> KNOWN = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  static final MeterFilter FILTER = MeterFilter.replaceTagValues("method",
      method -> KNOWN.contains(method) ? method : OTHER);
}
