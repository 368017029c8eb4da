package io.arbiter.callback;

import io.arbiter.task.TaskState;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * All SQL of the callback domain, on {@code task_callbacks} (see V14__task_callbacks.sql); rows are inserted with
 * their tasks through {@link CallbackOutbox#cte}. Reads for a caller are scoped by tenant; the claim of due callbacks
 * is system work across tenants, as the task domain's lease rescuer is.
 *
 * <p>A row's {@code next_attempt_at} is when it is next due: for {@code pending} the time of its next try, for
 * {@code delivering} the end of the lease of the node trying it. The claim takes both kinds once due, so a node that
 * died mid-try leaves its callbacks to be tried again when their leases end, and two nodes never try one callback at
 * the same time ({@code SKIP LOCKED}, then the lease).
 *
 * <p>Rows are due from the moment their task is inserted, and the claim skips those whose task has not finished by
 * joining {@code tasks}. The trade-off: each claim walks, in {@code next_attempt_at} order through the partial index
 * {@code task_callbacks_due}, past the pending callbacks of unfinished tasks that come before the first due ones, so
 * its cost grows with the number of unfinished tasks that asked for a callback. Bounding the batch keeps one claim
 * short once due rows exist; the alternative (rows parked at {@code 'infinity'} and armed by the task domain's
 * final-state statements) would make every one of those statements touch this table.
 */
final class CallbackSql {
  private CallbackSql() {}

  /** The task states a callback reports, from {@link TaskState}: the states no move leads out of. */
  static final String FINAL_STATES = Arrays.stream(TaskState.values()).filter(TaskState::finished)
      .map(s -> "'" + s.wire() + "'").collect(Collectors.joining(", "));

  /**
   * $1 most callbacks, $2 lease ms. Takes the due callbacks of finished tasks, oldest due first, and marks each
   * {@code delivering} under a lease of $2, counting the try; returns each with what its body reports of the task.
   */
  static final String CLAIM_DUE = """
      WITH due AS (
        SELECT c.task_id, t.state, t.attempt, t.result, t.error, COALESCE(t.finished_at, t.updated_at) AS finished_at
        FROM task_callbacks c JOIN tasks t ON t.id = c.task_id
        WHERE c.state IN ('pending', 'delivering') AND c.next_attempt_at <= now() AND t.state IN (%s)
        ORDER BY c.next_attempt_at
        LIMIT $1
        FOR UPDATE OF c SKIP LOCKED
      ),
      claimed AS (
        UPDATE task_callbacks c SET state = 'delivering', attempts = c.attempts + 1, last_attempt_at = now(),
               next_attempt_at = now() + $2 * interval '1 millisecond'
        WHERE c.task_id = ANY (ARRAY(SELECT task_id FROM due))
        RETURNING c.task_id, c.tenant_id, c.url, c.attempts
      )
      SELECT c.task_id, c.tenant_id, c.url, c.attempts, d.state, d.attempt, d.result, d.error, d.finished_at
      FROM claimed c JOIN due d ON d.task_id = c.task_id
      """.formatted(FINAL_STATES);

  /**
   * $1 tenant, $2 task id, $3 the try ({@code attempts} as claimed), $4 the new state (pending, delivered or failed),
   * $5 ms until the next try (pending only), $6 the receiver's HTTP status (null without an answer), $7 the error
   * (null when delivered). Records a try's outcome, unless the lease ran out and another try took the row meanwhile.
   */
  static final String RECORD = """
      UPDATE task_callbacks SET state = $4::text,
             next_attempt_at = CASE WHEN $4::text = 'pending' THEN now() + $5::bigint * interval '1 millisecond'
                                    ELSE next_attempt_at END,
             delivered_at = CASE WHEN $4::text = 'delivered' THEN now() END,
             last_status = $6::integer, last_error = $7::text
      WHERE tenant_id = $1 AND task_id = $2 AND state = 'delivering' AND attempts = $3
      """;

  /** $1 tenant, $2 task id. */
  static final String SELECT_ONE = """
      SELECT url, state, attempts, next_attempt_at, last_attempt_at, last_status, last_error, delivered_at, created_at
      FROM task_callbacks WHERE tenant_id = $1 AND task_id = $2
      """;
}
