package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Long-polling claims: each waits for its agent's work, tries the claim again when the agent is assigned work
 * ({@link #wake}: as many claims as tasks were assigned) and on a poll timer as a fallback, and answers empty at its deadline. Once {@link #close closed} (a
 * shutdown began) every waiting claim answers at once with what it has, and a claim that reaches the wait later (it was
 * still on its first database or registry round trip) does not wait at all. Used from its verticle's event loop only.
 */
final class ClaimWaits {

  private final Vertx vertx;
  private final long pollMs;
  private final int maxPerAgent;
  private final Map<String, Set<Wait>> waits = new HashMap<>();
  private boolean closed;

  ClaimWaits(Vertx vertx, long pollMs, int maxPerAgent) {
    this.vertx = vertx;
    this.pollMs = pollMs;
    this.maxPerAgent = maxPerAgent;
  }

  /**
   * Waits up to {@code waitMs} for work for the agent, running {@code claim} (one attempt: the tasks it delivered,
   * possibly none) whenever there may be some; answers at once, empty, when closed. An agent that already has
   * {@code maxPerAgent} claims waiting gets {@link Failure#RATE_LIMITED} at once: one agent's claims cannot pile up
   * (each holds a connection and runs the claim statement on every poll).
   */
  Future<List<Row>> await(String tenantId, String agentId, long waitMs, Supplier<Future<List<Row>>> claim) {
    if (closed || waitMs <= 0) {
      return Future.succeededFuture(List.of());
    }
    String key = key(tenantId, agentId);
    Set<Wait> waiting = waits.get(key);
    if (waiting != null && waiting.size() >= maxPerAgent) {
      return Future.failedFuture(tooMany(agentId));
    }
    return new Wait(key, waitMs, claim).start();
  }

  /**
   * Whether the agent already has {@code maxPerAgent} claims waiting: one more is refused before it runs the claim
   * statement (its waiting claims take any work first, and a flood of refused claims must not load the database).
   */
  boolean full(String tenantId, String agentId) {
    Set<Wait> waiting = waits.get(key(tenantId, agentId));
    return waiting != null && waiting.size() >= maxPerAgent;
  }

  /** The refusal of a claim beyond {@code maxPerAgent} waiting ones. */
  RuntimeException tooMany(String agentId) {
    return Failure.RATE_LIMITED.exception("agent " + agentId + " already has " + maxPerAgent
        + " claims waiting (tasks.maxWaitingClaims); wait for one to answer, or claim several tasks with max");
  }

  /**
   * The agent was assigned {@code count} tasks: that many of its waiting claims, the longest waiting first, try again
   * now (each claim takes at least one task when any is left; the others keep waiting instead of running a claim that
   * would find nothing).
   */
  void wake(String tenantId, String agentId, int count) {
    Set<Wait> waiting = waits.get(key(tenantId, agentId));
    if (waiting != null) {
      waiting.stream().filter(Wait::open).limit(Math.max(1, count)).toList().forEach(Wait::attempt);
    }
  }

  /**
   * Answers every waiting claim with what it has (a claim in flight answers with what it claims), and lets no claim
   * wait from now on.
   */
  void close() {
    closed = true;
    waits.values().stream().flatMap(Set::stream).toList().forEach(Wait::expire);
  }

  int waiting() {
    return waits.values().stream().mapToInt(Set::size).sum();
  }

  private static String key(String tenantId, String agentId) {
    return tenantId + "/" + agentId;
  }

  private final class Wait {
    private final String key;
    private final long waitMs;
    private final Supplier<Future<List<Row>>> claim;
    private final Promise<List<Row>> promise = Promise.promise();
    private long pollTimer;
    private long deadlineTimer;
    private boolean busy;
    private boolean again;
    private boolean expired;

    Wait(String key, long waitMs, Supplier<Future<List<Row>>> claim) {
      this.key = key;
      this.waitMs = waitMs;
      this.claim = claim;
    }

    Future<List<Row>> start() {
      waits.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(this);
      pollTimer = vertx.setPeriodic(pollMs, id -> attempt());
      deadlineTimer = vertx.setTimer(waitMs, id -> expire());
      return promise.future();
    }

    /** At the deadline a claim still in flight may already have marked tasks delivered: it answers the wait. */
    void expire() {
      expired = true;
      if (!busy) {
        finish(List.of(), null);
      }
    }

    /** Whether it still waits (not answered, not at its deadline). */
    boolean open() {
      return !expired && !promise.future().isComplete();
    }

    void attempt() {
      if (promise.future().isComplete() || expired) {
        return;
      }
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      again = false;
      claim.get().onComplete(result -> {
        busy = false;
        if (result.failed()) {
          finish(null, result.cause());
        } else if (!result.result().isEmpty() || expired) {
          finish(result.result(), null);
        } else if (again) {
          attempt();
        }
      });
    }

    private void finish(List<Row> claimed, Throwable error) {
      if (promise.future().isComplete()) {
        return;
      }
      vertx.cancelTimer(pollTimer);
      vertx.cancelTimer(deadlineTimer);
      Set<Wait> waiting = waits.get(key);
      if (waiting != null) {
        waiting.remove(this);
        if (waiting.isEmpty()) {
          waits.remove(key);
        }
      }
      if (error != null) {
        promise.fail(error);
      } else {
        promise.complete(claimed);
      }
    }
  }
}
