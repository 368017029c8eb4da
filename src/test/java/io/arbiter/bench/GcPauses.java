package io.arbiter.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.vertx.core.json.JsonObject;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The collector pauses of this JVM, from the collectors' notifications, so that a benchmark client can say whether its
 * own collector stalled it. Concurrent cycles (G1's, ZGC's, Shenandoah's) are left out: they do not stop the
 * application's threads.
 */
final class GcPauses implements AutoCloseable {

  /** A pause: when it started (milliseconds since the JVM started) and how long it lasted. */
  private record Pause(long startMs, long durationMs) {}

  /** The pauses of a time span: how many, their total, the longest and when it started (ms into the span). */
  record Summary(int count, long totalMs, long maxMs, long maxAtMs) {

    JsonObject toJson() {
      return new JsonObject().put("pauses", count).put("totalMs", totalMs).put("maxMs", maxMs).put("maxAtMs", maxAtMs);
    }

    static Summary fromJson(JsonObject json) {
      return new Summary(json.getInteger("pauses"), json.getLong("totalMs"), json.getLong("maxMs"),
          json.getLong("maxAtMs"));
    }

    String describe() {
      return count == 0 ? "no pauses" : String.format(Locale.ROOT,
          "%d pause%s, %d ms in all, longest %d ms (at %.1f s)", count, count == 1 ? "" : "s", totalMs, maxMs,
          maxAtMs / 1e3);
    }
  }

  private final ConcurrentLinkedQueue<Pause> pauses = new ConcurrentLinkedQueue<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::notified;

  GcPauses() {
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = collector.getName();
      boolean pauses = !name.contains("Concurrent") && !name.contains("Cycles");
      if (pauses && collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** Milliseconds since this JVM started, on the clock the pauses are given in. */
  static long now() {
    return ManagementFactory.getRuntimeMXBean().getUptime();
  }

  /** The pauses that started at or after {@code fromMs} (a {@link #now()}). */
  Summary since(long fromMs) {
    int count = 0;
    long total = 0;
    Pause longest = null;
    for (Pause pause : pauses) {
      if (pause.startMs() >= fromMs) {
        count++;
        total += pause.durationMs();
        if (longest == null || pause.durationMs() > longest.durationMs()) {
          longest = pause;
        }
      }
    }
    return new Summary(count, total, longest == null ? 0 : longest.durationMs(),
        longest == null ? 0 : longest.startMs() - fromMs);
  }

  private void notified(Notification notification, Object handback) {
    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      GarbageCollectionNotificationInfo info =
          GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
      pauses.add(new Pause(info.getGcInfo().getStartTime(), info.getGcInfo().getDuration()));
    }
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException gone) {
        // never added, or removed already
      }
    }
  }
}
