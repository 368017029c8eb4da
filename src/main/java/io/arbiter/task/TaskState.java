package io.arbiter.task;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's lifecycle, as one transition table. Every SQL statement that changes a task's state guards on
 * {@link #guard(String, TaskState)} (built from {@link #storedSourcesOf(TaskState)}), or on
 * {@link #guard(String, TaskState, TaskState...)} when it makes only some of the moves into its target, so the database
 * can only make the moves listed here; every move writes one audit record, which is also the task's history entry, in the same
 * statement. {@code failed} and {@code timed_out} are {@linkplain #passing() passing} states: a statement that moves a
 * task into one moves it on (to {@code queued} or {@code dead}) in the same statement, so a stored task is never in
 * them and no guard names them.
 *
 * <pre>
 * scheduled → queued | canceled                                     (its due time came)
 * waiting   → queued | scheduled | canceled                         (its parents ended; or one ended badly)
 * queued    → assigned | timed_out | canceled                       (timed out: its queue time-out passed)
 * assigned  → running | succeeded | failed | timed_out | canceled     (a result may come without an ack)
 * running   → succeeded | failed | timed_out | canceled
 * failed    → queued | dead                                         (retry after backoff, or out of attempts)
 * timed_out → queued | dead                                         (a queue time-out always ends dead)
 * dead      → queued                                                (an operator requeues it)
 * succeeded, canceled: final
 * </pre>
 */
public enum TaskState {
  SCHEDULED, WAITING, QUEUED, ASSIGNED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELED, DEAD;

  private static final Map<TaskState, Set<TaskState>> NEXT = new EnumMap<>(TaskState.class);

  /**
   * The states a task can stay in for long without finishing, counted by the tasks-by-state gauge: queued (the first,
   * also the queue-depth gauge's), not yet due, waiting on its parents, held by an agent, or dead until an operator
   * requeues it.
   */
  public static final List<TaskState> COUNTED = List.of(QUEUED, SCHEDULED, WAITING, ASSIGNED, RUNNING, DEAD);

  static {
    NEXT.put(SCHEDULED, EnumSet.of(QUEUED, CANCELED));
    NEXT.put(WAITING, EnumSet.of(QUEUED, SCHEDULED, CANCELED));
    NEXT.put(QUEUED, EnumSet.of(ASSIGNED, TIMED_OUT, CANCELED));
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

  /** Not yet in the queue: due later, or waiting on its parents. */
  public boolean pending() {
    return this == SCHEDULED || this == WAITING;
  }

  /** The states from which {@code target} can be reached, as wire names. */
  public static String[] sourcesOf(TaskState target) {
    return Arrays.stream(values()).filter(s -> s.canMoveTo(target)).map(TaskState::wire).toArray(String[]::new);
  }

  /** Recorded in a task's history but never stored in its row: the same statement moves the task on. */
  public boolean passing() {
    return this == FAILED || this == TIMED_OUT;
  }

  /** The stored states from which a statement may move a task to {@code target}, as wire names. */
  public static String[] storedSourcesOf(TaskState target) {
    return Arrays.stream(values()).filter(s -> !s.passing() && s.canMoveTo(target)).map(TaskState::wire)
        .toArray(String[]::new);
  }

  /**
   * The SQL condition that {@code column} holds a stored state from which a task may move to {@code target}, e.g.
   * {@code t0.state IN ('assigned', 'running')}: how every statement that changes a task's state guards.
   */
  public static String guard(String column, TaskState target) {
    String[] sources = storedSourcesOf(target);
    if (sources.length == 1) {
      return column + " = '" + sources[0] + "'";
    }
    return column + " IN (" + String.join(", ", Arrays.stream(sources).map(s -> "'" + s + "'").toList()) + ")";
  }

  /**
   * As {@link #guard(String, TaskState)}, for a statement that makes only the moves from {@code sources} to
   * {@code target} (a requeue from dead, a rescue from the held states): each must be a move of the table.
   *
   * @throws IllegalArgumentException when the table has no move from one of {@code sources} to {@code target}
   */
  public static String guard(String column, TaskState target, TaskState... sources) {
    for (TaskState source : sources) {
      if (!source.canMoveTo(target) || source.passing()) {
        throw new IllegalArgumentException("no stored move " + source + " -> " + target);
      }
    }
    return in(column, List.of(sources));
  }

  /** The SQL condition that {@code column} holds one of {@code states}, e.g. {@code p.state IN ('dead', 'canceled')}. */
  public static String in(String column, List<TaskState> states) {
    if (states.size() == 1) {
      return column + " = '" + states.get(0).wire() + "'";
    }
    return column + " IN (" + String.join(", ", states.stream().map(s -> "'" + s.wire() + "'").toList()) + ")";
  }

  public String wire() {
    return name().toLowerCase();
  }

  public static TaskState fromWire(String value) {
    return valueOf(value.toUpperCase());
  }
}
