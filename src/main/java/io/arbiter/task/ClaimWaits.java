package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Long-polling claims: each runs its first attempt, then waits for its agent's work, tries the claim again when the
 * agent is assigned work ({@link #wake}: as many claims as tasks were assigned) and on a poll timer as a fallback, and
 * answers empty at its deadline (the agent's longest-waiting claim runs that poll for all of them). Once {@link #close closed} (a shutdown began) every waiting claim answers at once with
 * what it has, and a claim that reaches the wait later (it was still on its first database or registry round trip)
 * does not wait at all. Used from its verticle's event loop only.
 */
final class ClaimWaits {

  private final Vertx vertx;
  private final long pollMs;
  private final int maxPerAgent;
  private final Map<String, Set<Wait>> waits = new HashMap<>();
  /** Per agent, claims on their first attempt: they hold a place although they do not wait yet. */
  private final Map<String, List<Starting>> starting = new HashMap<>();
  private boolean closed;

  ClaimWaits(Vertx vertx, long pollMs, int maxPerAgent) {
    this.vertx = vertx;
    this.pollMs = pollMs;
    this.maxPerAgent = maxPerAgent;
  }

  /**
   * Runs a claim's {@code first} attempt and, when it delivered nothing, waits up to {@code waitMs} for work for the
   * agent, running {@code again} (one attempt: the tasks it delivered, possibly none) whenever there may be some;
   * answers at once, empty, when closed. The claim holds one of the agent's {@code maxPerAgent} places from its first
   * attempt on, so a burst of claims for one agent sends at most that many first attempts to the database: one claim
   * more gets {@link Failure#RATE_LIMITED} at once, without a statement (each place holds a connection while it runs
   * and the claim statement on every poll).
   */
  Future<List<Row>> await(String tenantId, String agentId, String correlationId, long waitMs,
                          Supplier<Future<List<Row>>> first, Supplier<Future<List<Row>>> again) {
    if (closed || waitMs <= 0) {
      return attempt(first);
    }
    String key = key(tenantId, agentId);
    if (held(key) >= maxPerAgent) {
      return Future.failedFuture(tooMany(agentId));
    }
    Starting start = new Starting(correlationId);
    starting.computeIfAbsent(key, k -> new ArrayList<>()).add(start);
    return attempt(first).transform(found -> {
      List<Starting> others = starting.get(key);
      others.remove(start);
      if (others.isEmpty()) {
        starting.remove(key);
      }
      if (found.failed()) {
        return Future.failedFuture(found.cause());
      }
      if (!found.result().isEmpty() || closed || start.cancelled) {
        return Future.succeededFuture(found.result());
      }
      Wait wait = new Wait(key, correlationId, waitMs, again);
      Future<List<Row>> answer = wait.start();
      if (start.woken) {
        // an assignment was announced while the first statement ran, which may have read before it committed
        wait.attempt();
      }
      return answer;
    });
  }

  /**
   * The client of the agent's claim {@code correlationId} went away (its connection closed): the claim stops waiting
   * and frees its place (answering empty, to no one), or, still on its first attempt, does not wait at all. An agent
   * that reconnects at once then finds its places free instead of held by claims nobody will read.
   */
  void cancel(String tenantId, String agentId, String correlationId) {
    String key = key(tenantId, agentId);
    starting.getOrDefault(key, List.of()).stream().filter(start -> start.correlationId.equals(correlationId))
        .forEach(start -> start.cancelled = true);
    waits.getOrDefault(key, Set.of()).stream().filter(wait -> wait.correlationId.equals(correlationId)).toList()
        .forEach(Wait::expire);
  }

  /** Places of the agent taken: claims on their first attempt, and claims waiting. */
  private int held(String key) {
    return starting.getOrDefault(key, List.of()).size() + waits.getOrDefault(key, Set.of()).size();
  }

  /** A claim on its first attempt. */
  private static final class Starting {
    private final String correlationId;
    private boolean cancelled;
    /** An assignment to its agent was announced meanwhile: if the first attempt finds nothing, it tries once more. */
    private boolean woken;

    Starting(String correlationId) {
      this.correlationId = correlationId;
    }
  }

  private static Future<List<Row>> attempt(Supplier<Future<List<Row>>> claim) {
    try {
      return claim.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The refusal of a claim beyond {@code maxPerAgent} waiting ones. */
  private RuntimeException tooMany(String agentId) {
    return Failure.RATE_LIMITED.exception("agent " + agentId + " already has " + maxPerAgent
        + " claims waiting (tasks.maxWaitingClaims); wait for one to answer, or claim several tasks with max");
  }

  /**
   * The agent was assigned {@code count} tasks: that many of its waiting claims, the longest waiting first, try again
   * now (each claim takes at least one task when any is left; the others keep waiting instead of running a claim that
   * would find nothing). Its claims still on their first statement, which may have read before the assignment
   * committed, try once more if that statement finds nothing, instead of waiting for the poll.
   */
  void wake(String tenantId, String agentId, int count) {
    String key = key(tenantId, agentId);
    starting.getOrDefault(key, List.of()).forEach(start -> start.woken = true);
    Set<Wait> waiting = waits.get(key);
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
    private final String correlationId;
    private final long waitMs;
    private final Supplier<Future<List<Row>>> claim;
    private final Promise<List<Row>> promise = Promise.promise();
    private long pollTimer;
    private long deadlineTimer;
    private boolean busy;
    private boolean again;
    private boolean expired;

    Wait(String key, String correlationId, long waitMs, Supplier<Future<List<Row>>> claim) {
      this.key = key;
      this.correlationId = correlationId;
      this.waitMs = waitMs;
      this.claim = claim;
    }

    Future<List<Row>> start() {
      waits.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(this);
      pollTimer = vertx.setPeriodic(pollMs, id -> poll());
      deadlineTimer = vertx.setTimer(waitMs, id -> expire());
      return promise.future();
    }

    /**
     * The fallback poll, for work whose announcement this node missed: only the agent's longest-waiting claim runs it,
     * so an idle agent with several long polls costs one statement a period, not one per claim. When it finds work
     * and answers, the next claim in line polls from its next tick.
     */
    void poll() {
      Set<Wait> waiting = waits.get(key);
      if (waiting != null && waiting.iterator().next() == this) {
        attempt();
      }
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
