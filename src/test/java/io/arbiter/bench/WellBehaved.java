package io.arbiter.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The abuse benchmark's well-behaved client, wherever it runs: {@link WellBehavedClient} in the benchmark's own JVM,
 * beside the abusers, or {@link WellBehavedProcess} in a JVM of its own. Each {@link #run} is one phase of submissions
 * at a fixed rate, timed one by one.
 */
interface WellBehaved extends AutoCloseable {

  /** Submits for {@code seconds} at the client's rate; every submission's latency, and the client's own evidence. */
  Phase run(String name, int seconds) throws Exception;

  /** Where the client runs, for the printout. */
  String where();

  /**
   * One phase as the client saw it.
   *
   * @param latencies each submission's latency, nanoseconds, in the order they were sent
   * @param slowestAtMs when the slowest submission was sent, milliseconds into the phase
   * @param tickLateMs how much later than its period the client's pacing timer fired at worst: the client's event loop
   *     held up (by its own work, its collector or the machine), which delays the sends it times
   * @param tickLateAtMs when that was, milliseconds into the phase
   * @param gc the collections of the client's JVM in the phase
   */
  record Phase(String name, int seconds, long[] latencies, long slowestAtMs, double tickLateMs, long tickLateAtMs,
               GcPauses.Summary gc) {

    JsonObject toJson() {
      JsonArray nanos = new JsonArray();
      for (long latency : latencies) {
        nanos.add(latency);
      }
      return new JsonObject().put("phase", name).put("seconds", seconds).put("latenciesNs", nanos)
          .put("slowestAtMs", slowestAtMs).put("tickLateMs", tickLateMs).put("tickLateAtMs", tickLateAtMs)
          .put("gc", gc.toJson());
    }

    static Phase fromJson(JsonObject json) {
      JsonArray nanos = json.getJsonArray("latenciesNs");
      long[] latencies = new long[nanos.size()];
      for (int i = 0; i < latencies.length; i++) {
        latencies[i] = nanos.getLong(i);
      }
      return new Phase(json.getString("phase"), json.getInteger("seconds"), latencies, json.getLong("slowestAtMs"),
          json.getDouble("tickLateMs"), json.getLong("tickLateAtMs"),
          GcPauses.Summary.fromJson(json.getJsonObject("gc")));
    }

    /**
     * The client-side line under the phase's figures: when the slowest was sent, how many answers took longer than
     * the abuse bound (50 ms) and when they were sent (submissions go out at a fixed rate, so the n-th was sent at
     * n / rate), event-loop lateness, GC pauses.
     */
    String evidence() {
      double perSecond = latencies.length / (double) Math.max(1, seconds);
      int slow = 0;
      int firstSlow = -1;
      int lastSlow = -1;
      for (int i = 0; i < latencies.length; i++) {
        if (latencies[i] > 50_000_000L) {
          slow++;
          firstSlow = firstSlow < 0 ? i : firstSlow;
          lastSlow = i;
        }
      }
      String over = slow == 0 ? "none over 50 ms" : String.format(Locale.ROOT, "%d over 50 ms, sent from %.1f s to "
          + "%.1f s", slow, firstSlow / perSecond, lastSlow / perSecond);
      return String.format(Locale.ROOT, "  client side: slowest sent at %.1f s; %s; pacing timer late by at most "
              + "%.1f ms (at %.1f s); GC %s", slowestAtMs / 1e3, over, tickLateMs, tickLateAtMs / 1e3, gc.describe());
    }
  }
}
