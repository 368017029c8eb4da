package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * When a submitted task may join the queue, and how long it may wait there: its due time ({@code runAt}, or
 * {@code delayMs} from now; a time already past means now), the parents it waits on ({@code dependsOn}), and its
 * {@code queueTimeoutMs}. A task with parents starts {@code waiting}; without, one due later starts {@code scheduled};
 * any other starts {@code queued}.
 *
 * @param runAt the due time, or null for now
 * @param queueTimeoutMs the most time it may stay queued, or null for no limit
 * @param dependsOn its parents, each with what a parent that ends dead or canceled does to it
 */
public record Flow(Instant runAt, Long queueTimeoutMs, List<Edge> dependsOn) {

  /** The furthest ahead a task may be due. */
  public static final Duration MAX_DELAY = Duration.ofDays(365);
  /** The most parents one task may wait on. */
  public static final int MAX_PARENTS = 32;
  /** The bounds of a queue time-out. */
  public static final long MIN_QUEUE_TIMEOUT_MS = 100;
  public static final long MAX_QUEUE_TIMEOUT_MS = MAX_DELAY.toMillis();

  public static final Flow NONE = new Flow(null, null, List.of());

  /** What a parent's bad end (dead or canceled) does to its dependant. */
  public enum OnFailure {
    /** The dependant ends canceled, naming the parent. */
    CANCEL,
    /** The dependant runs anyway. */
    CONTINUE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  /** One dependency: the task waits for {@code parent}. */
  public record Edge(UUID parent, OnFailure onFailure) {
    JsonObject toRecord() {
      return new JsonObject().put("parent_id", parent.toString()).put("on_failure", onFailure.wire());
    }
  }

  /**
   * The flow fields of a submission body ({@code runAt}, {@code delayMs}, {@code queueTimeoutMs}, {@code dependsOn}
   * [{taskId, onFailure?}]); {@code defaultQueueTimeoutMs} (0 for none) applies when the body names no time-out.
   *
   * @param field how to name the fields in errors, as {@link Submission#from} does
   */
  public static Flow from(JsonObject body, long defaultQueueTimeoutMs, Instant now, String field) {
    Instant runAt = dueTime(body, now, field);
    Long queueTimeoutMs = body.getLong("queueTimeoutMs");
    if (queueTimeoutMs != null && (queueTimeoutMs < MIN_QUEUE_TIMEOUT_MS || queueTimeoutMs > MAX_QUEUE_TIMEOUT_MS)) {
      throw invalid(field + "queueTimeoutMs", "must be from " + MIN_QUEUE_TIMEOUT_MS + " to " + MAX_QUEUE_TIMEOUT_MS
          + " ms, got " + queueTimeoutMs);
    }
    if (queueTimeoutMs == null && defaultQueueTimeoutMs > 0) {
      queueTimeoutMs = defaultQueueTimeoutMs;
    }
    return new Flow(runAt, queueTimeoutMs, edges(body.getJsonArray("dependsOn"), field + "dependsOn"));
  }

  private static Instant dueTime(JsonObject body, Instant now, String field) {
    String runAt = body.getString("runAt");
    Long delayMs = body.getLong("delayMs");
    if (runAt != null && delayMs != null) {
      throw invalid(field + "delayMs", "give runAt or delayMs, not both");
    }
    Instant due;
    if (runAt != null) {
      try {
        due = java.time.OffsetDateTime.parse(runAt).toInstant();
      } catch (DateTimeParseException e) {
        throw invalid(field + "runAt", "must be an RFC 3339 timestamp, got " + runAt);
      }
    } else if (delayMs != null) {
      if (delayMs < 0 || delayMs > MAX_DELAY.toMillis()) {
        throw invalid(field + "delayMs", "must be from 0 to " + MAX_DELAY.toMillis() + " ms, got " + delayMs);
      }
      due = now.plusMillis(delayMs);
    } else {
      return null;
    }
    if (due.isAfter(now.plus(MAX_DELAY))) {
      throw invalid(field + "runAt", "must be at most " + MAX_DELAY.toDays() + " days ahead, got " + runAt);
    }
    return due.isAfter(now) ? due : null;
  }

  private static List<Edge> edges(JsonArray dependsOn, String field) {
    if (dependsOn == null || dependsOn.isEmpty()) {
      return List.of();
    }
    if (dependsOn.size() > MAX_PARENTS) {
      throw invalid(field, "names " + dependsOn.size() + " parents; the limit is " + MAX_PARENTS);
    }
    List<Edge> edges = new ArrayList<>(dependsOn.size());
    Set<UUID> seen = new LinkedHashSet<>();
    for (int i = 0; i < dependsOn.size(); i++) {
      JsonObject edge = dependsOn.getJsonObject(i);
      String at = field + "[" + i + "].taskId";
      UUID parent;
      try {
        parent = UUID.fromString(edge.getString("taskId"));
      } catch (RuntimeException e) {
        throw invalid(at, "must be a task id, got " + edge.getString("taskId"));
      }
      if (!seen.add(parent)) {
        throw invalid(at, "names task " + parent + " twice");
      }
      edges.add(new Edge(parent, onFailure(edge.getString("onFailure"), field + "[" + i + "].onFailure")));
    }
    return List.copyOf(edges);
  }

  static OnFailure onFailure(String value, String field) {
    if (value == null) {
      return OnFailure.CANCEL;
    }
    try {
      return OnFailure.valueOf(value.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw invalid(field, "must be cancel or continue, got " + value);
    }
  }

  /** This flow with more parents (a workflow's edges), each named once. */
  Flow withParents(List<Edge> more, String field) {
    List<Edge> all = new ArrayList<>(dependsOn);
    for (Edge edge : more) {
      if (all.stream().anyMatch(e -> e.parent().equals(edge.parent()))) {
        throw invalid(field, "names task " + edge.parent() + " twice");
      }
      all.add(edge);
    }
    if (all.size() > MAX_PARENTS) {
      throw invalid(field, "has " + all.size() + " parents; the limit is " + MAX_PARENTS);
    }
    return new Flow(runAt, queueTimeoutMs, List.copyOf(all));
  }

  /** The state a task with this flow starts in, at {@code now}. */
  public TaskState initialState(Instant now) {
    if (!dependsOn.isEmpty()) {
      return TaskState.WAITING;
    }
    return runAt != null && runAt.isAfter(now) ? TaskState.SCHEDULED : TaskState.QUEUED;
  }

  /** This flow's columns of a {@link TaskSql#SUBMIT} input record; the state as of now. */
  JsonObject toRecord() {
    return new JsonObject().put("state", initialState(Instant.now()).wire())
        .put("run_at", runAt == null ? null : runAt.toString())
        .put("queue_timeout_ms", queueTimeoutMs)
        .put("depends_on", new JsonArray(dependsOn.stream().map(Edge::toRecord).toList()));
  }

  /** A flow read back from a {@link #toRecord} record (the outage journal). */
  static Flow fromRecord(JsonObject r) {
    String runAt = r.getString("run_at");
    JsonArray deps = r.getJsonArray("depends_on", new JsonArray());
    List<Edge> edges = new ArrayList<>(deps.size());
    deps.forEach(d -> {
      JsonObject e = (JsonObject) d;
      edges.add(new Edge(UUID.fromString(e.getString("parent_id")), onFailure(e.getString("on_failure"), "")));
    });
    return new Flow(runAt == null ? null : Instant.parse(runAt), r.getLong("queue_timeout_ms"), List.copyOf(edges));
  }

  private static ArbiterException invalid(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }
}
