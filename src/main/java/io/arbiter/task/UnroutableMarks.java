package io.arbiter.task;

import io.arbiter.bus.DispatchWake;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the unroutable marks of unassigned tasks true as agents come, change and go: on each agent event, the
 * tenant's marked tasks that an agent can now take lose their mark (only tenants with unroutable tasks cost more than
 * an index probe); after an agent left or changed, its tenant's unassigned tasks that no agent takes any more are
 * marked. No later event may come to fix a mark, so a failed update is tried again ({@link #retryDelayMs}).
 */
final class UnroutableMarks {

  private static final Logger LOG = LoggerFactory.getLogger(UnroutableMarks.class);

  /** How often an agent event's update of the marks is tried again after it failed. */
  static final int RETRIES = 4;

  private final Vertx vertx;
  private final DbBreaker breaker;
  private final TaskRepository tasks;
  private final TaskNudges nudges;

  UnroutableMarks(Vertx vertx, DbBreaker breaker, TaskRepository tasks, TaskNudges nudges) {
    this.vertx = vertx;
    this.breaker = breaker;
    this.tasks = tasks;
    this.nudges = nudges;
  }

  /** An agent event ({@code arbiter.events.agent}): its {@code event} kind and the tenants it concerns. */
  void agentChanged(JsonObject event) {
    List<String> tenants = DispatchWake.tenants(event);
    if (tenants == null || tenants.isEmpty()) {
      return;
    }
    String kind = event.getString("event", "");
    Future<Integer> marked = kind.equals("agent.deregistered") || kind.equals("agent.updated")
        ? breaker.execute(() -> tasks.markUnroutable(tenants)) : Future.succeededFuture(0);
    marked.compose(n -> breaker.execute(() -> tasks.clearUnroutable(tenants)).map(cleared -> n + cleared))
        .onSuccess(changed -> {
          if (changed > 0) {
            nudges.drainAudit();
          }
        }).onFailure(e -> {
          // a statement that lost to a concurrent dispatch (or a pool briefly full) is tried again
          int tries = event.getInteger("tries", 0);
          if (tries < RETRIES) {
            vertx.setTimer(retryDelayMs(tries), id -> agentChanged(event.copy().put("tries", tries + 1)));
          } else {
            LOG.warn("unroutable marks of tenants {} not updated after {} tries: {}", tenants, tries + 1,
                e.getMessage());
          }
        });
  }

  /** The wait before the next try after {@code tries} failed ones: 200 ms, doubling. */
  static long retryDelayMs(int tries) {
    return 200L << tries;
  }
}
