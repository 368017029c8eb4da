package io.arbiter.task;

/**
 * A task's history is its audit trail: every transition is one audit record ({@code task.<state>} on
 * {@code task:<id>}) whose details carry {@code from}, {@code to}, {@code attempt}, {@code agentId} and {@code reason}
 * beside the event's own fields. There is no second row per transition; the {@code task_history} view (and
 * {@link TaskSql#HISTORY}) reads the transitions back from {@code audit_log}.
 */
public final class Transitions {
  private Transitions() {}

  /**
   * The SQL of a transition's audit details: {@code jsonb_build_object} of the five transition fields, each given as
   * an SQL expression (use {@code NULL} for none), merged with {@code extra} (a jsonb expression, or null).
   */
  public static String details(String from, String to, String attempt, String agentId, String reason, String extra) {
    String fields = "jsonb_build_object('from', %s, 'to', %s, 'attempt', %s, 'agentId', %s, 'reason', %s)"
        .formatted(from, to, attempt, agentId, reason);
    return extra == null ? fields : extra + " || " + fields;
  }
}
