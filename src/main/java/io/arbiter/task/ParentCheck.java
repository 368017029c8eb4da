package io.arbiter.task;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * The parents a submission names must be tasks of its tenant, or submissions of the same batch: one read before the
 * write, only for submissions that name parents. A parent purged between this read and the write fails the write on
 * the {@code task_dependencies} foreign key.
 */
final class ParentCheck {

  private final DbBreaker breaker;
  private final TaskRepository tasks;

  ParentCheck(DbBreaker breaker, TaskRepository tasks) {
    this.breaker = breaker;
    this.tasks = tasks;
  }

  /**
   * Fails {@link Failure#BAD_REQUEST}, naming the field, when a submission of {@code batch} names a parent that is
   * neither a task of the caller's tenant nor another submission of the batch.
   *
   * @param field the field prefix of the batch's i-th submission
   */
  Future<Void> check(RequestContext ctx, List<Submission> batch, IntFunction<String> field) {
    Set<UUID> inBatch = new HashSet<>();
    Set<UUID> named = new LinkedHashSet<>();
    batch.forEach(s -> {
      inBatch.add(s.id());
      s.flow().dependsOn().forEach(e -> named.add(e.parent()));
    });
    named.removeAll(inBatch);
    if (named.isEmpty()) {
      return Future.succeededFuture();
    }
    return breaker.execute(() -> tasks.existing(ctx, named)).compose(found -> {
      for (int i = 0; i < batch.size(); i++) {
        List<Flow.Edge> edges = batch.get(i).flow().dependsOn();
        for (int j = 0; j < edges.size(); j++) {
          UUID parent = edges.get(j).parent();
          if (!found.contains(parent) && !inBatch.contains(parent)) {
            String at = field.apply(i) + "dependsOn[" + j + "].taskId";
            return Future.failedFuture(new ArbiterException(Failure.BAD_REQUEST, "field " + at + ": no task "
                + parent + " in this tenant", new JsonObject().put("field", at)));
          }
        }
      }
      return Future.succeededFuture();
    });
  }
}
