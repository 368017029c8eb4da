package io.arbiter.policy;

import io.vertx.core.json.JsonObject;

/** The figures an agent reported with a result; each null when it did not report it. */
public record Report(Integer filesChanged, Integer linesChanged, Boolean testsPassed, Double coverage,
                     Double quality) {

  /** From a result body as the contract defines it ({@code filesChanged, linesChanged, testsPassed, coverage,
   * quality}). */
  public static Report from(JsonObject result) {
    return new Report(result.getInteger("filesChanged"), result.getInteger("linesChanged"),
        result.getBoolean("testsPassed"), result.getDouble("coverage"), result.getDouble("quality"));
  }
}
