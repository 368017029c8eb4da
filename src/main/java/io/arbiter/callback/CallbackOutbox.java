package io.arbiter.callback;

/**
 * How another domain registers completion callbacks: a data-modifying CTE inside the statement that inserts the
 * tasks, so a task and its callback commit together or not at all, and a callback is never lost between the two. The
 * rows start {@code pending}; the callback verticle delivers each once its task is final.
 */
public final class CallbackOutbox {
  private CallbackOutbox() {}

  /**
   * {@code name AS (INSERT INTO task_callbacks … select)}. {@code select} must yield, in order: task_id (uuid),
   * tenant_id (text), url (text, checked by {@link CallbackUrl#check}); one row per task that asked for a callback.
   */
  public static String cte(String name, String select) {
    return name + " AS (INSERT INTO task_callbacks (task_id, tenant_id, url)\n" + select + ")";
  }
}
