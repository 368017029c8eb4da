package io.arbiter.task;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A task's lifecycle, as one transition table. Every SQL statement that changes a task's state guards on
 * {@link #sourcesOf(TaskState)}, so the database can only make the moves listed here; every move writes one history
 * row and one audit event in the same statement.
 *
 * <pre>
 * queued    → assigned | canceled
 * assigned  → running | succeeded | failed | timed_out | canceled     (a result may come without an ack)
 * running   → succeeded | failed | timed_out | canceled
 * failed    → queued | dead                                         (retry after backoff, or out of attempts)
 * timed_out → queued | dead
 * dead      → queued                                                (an operator requeues it)
 * succeeded, canceled: final
 * </pre>
 */
public enum TaskState {
  QUEUED, ASSIGNED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELED, DEAD;

  private static final Map<TaskState, Set<TaskState>> NEXT = new EnumMap<>(TaskState.class);

  static {
    NEXT.put(QUEUED, EnumSet.of(ASSIGNED, CANCELED));
    NEXT.put(ASSIGNED, EnumSet.of(RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELED));
    NEXT.put(RUNNING, EnumSet.of(SUCCEEDED, FAILED, TIMED_OUT, CANCELED));
    NEXT.put(FAILED, EnumSet.of(QUEUED, DEAD));
    NEXT.put(TIMED_OUT, EnumSet.of(QUEUED, DEAD));
    NEXT.put(DEAD, EnumSet.of(QUEUED));
    NEXT.put(SUCCEEDED, EnumSet.noneOf(TaskState.class));
    NEXT.put(CANCELED, EnumSet.noneOf(TaskState.class));
  }

  public boolean canMoveTo(TaskState next) {
    return NEXT.get(this).contains(next);
  }

  /** Held by an agent under a lease. */
  public boolean active() {
    return this == ASSIGNED || this == RUNNING;
  }

  /** No move leads out of it, except an operator's requeue of {@code dead}. */
  public boolean finished() {
    return this == SUCCEEDED || this == CANCELED || this == DEAD;
  }

  /** The states from which {@code target} can be reached, as the wire names SQL guards on. */
  public static String[] sourcesOf(TaskState target) {
    return Arrays.stream(values()).filter(s -> s.canMoveTo(target)).map(TaskState::wire).toArray(String[]::new);
  }

  public String wire() {
    return name().toLowerCase();
  }

  public static TaskState fromWire(String value) {
    return valueOf(value.toUpperCase());
  }
}
