package io.arbiter.task;

import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.arbiter.policy.PolicyReads;
import io.arbiter.policy.Report;
import io.arbiter.policy.ResultGates;
import io.arbiter.policy.Verdict;
import io.arbiter.policy.Waiver;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Judges a batch of results by the result gates before they are recorded: the gate inputs of the tasks that reported
 * success come from {@link GateCache} (or one read for the batch), then {@link ResultGates} runs in memory. A success
 * the gates fail becomes a failed attempt naming the rules, so retries and dead-lettering apply as to any failure.
 * Tasks without budget or gates, and attempts reported as failed, are not checked.
 */
final class ResultJudge {

  /** A result as it will be recorded, and the result gates' verdict on it (null when nothing was checked). */
  record Judged(JsonObject result, Verdict verdict) {}

  private final Pool pool;
  private final DbBreaker breaker;
  private final GateCache gates;

  ResultJudge(Pool pool, DbBreaker breaker, GateCache gates) {
    this.pool = pool;
    this.breaker = breaker;
    this.gates = gates;
  }

  /** One {@link Judged} per result, in order. */
  Future<List<Judged>> judge(RequestContext ctx, String agentId, List<UUID> ids, List<JsonObject> results) {
    List<UUID> succeeded = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      if ("succeeded".equals(results.get(i).getString("outcome"))) {
        succeeded.add(ids.get(i));
      }
    }
    if (succeeded.isEmpty()) {
      return Future.succeededFuture(results.stream().map(r -> new Judged(r, null)).toList());
    }
    return gateInputs(ctx.tenantId(), agentId, succeeded).map(inputs -> {
      Instant now = Instant.now();
      List<Judged> judged = new ArrayList<>(results.size());
      for (int i = 0; i < results.size(); i++) {
        JsonObject result = results.get(i);
        PolicyReads.GateInput input = inputs.get(ids.get(i));
        if (input == null || !"succeeded".equals(result.getString("outcome")) || input.policy().isEmpty()) {
          judged.add(new Judged(result, null));
          continue;
        }
        Verdict verdict = ResultGates.evaluate(input.policy(), Report.from(result),
            new ResultGates.Attempt(input.taskId(), input.taskType(), agentId), input.waivers(), now);
        judged.add(new Judged(verdict.failed()
            ? result.copy().put("outcome", "failed").put("error", verdict.error()) : result, verdict));
      }
      return judged;
    });
  }

  /**
   * The gate inputs of the tasks that reported success: from {@link GateCache} when it knows them all (no read),
   * otherwise one read for the batch.
   */
  private Future<Map<UUID, PolicyReads.GateInput>> gateInputs(String tenantId, String agentId, List<UUID> succeeded) {
    Map<UUID, GateCache.Known> known = gates.tasks(succeeded);
    if (known == null) {
      return breaker.execute(() -> PolicyReads.resultGates(pool, tenantId, agentId, succeeded));
    }
    if (known.values().stream().allMatch(k -> k.policy().isEmpty())) {
      return Future.succeededFuture(Map.of());
    }
    List<Waiver> cached = gates.waivers(tenantId);
    if (cached != null) {
      return Future.succeededFuture(GateCache.inputs(known, cached));
    }
    long generation = gates.generation();
    long readAt = System.nanoTime();
    return breaker.execute(() -> PolicyReads.activeWaivers(pool, tenantId)).map(read -> {
      gates.waiversRead(tenantId, read, generation, readAt);
      return GateCache.inputs(known, read);
    });
  }
}
