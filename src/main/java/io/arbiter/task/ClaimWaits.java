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
  /** Per agent ({@link #key}), the claims holding its places; an agent with none has no entry. */
  private final Map<String, Places> agents = new HashMap<>();
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
    Places places = agents.computeIfAbsent(key, k -> new Places());
    if (places.held() >= maxPerAgent) {
      return Future.failedFuture(tooMany(agentId));
    }
    Starting start = new Starting(correlationId);
    places.starting.add(start);
    return attempt(first).transform(found -> {
      places.starting.remove(start);
      boolean willWait = found.succeeded() && found.result().isEmpty() && !closed && !start.cancelled;
      if (!willWait) {
        forgetIfFree(key, places);
        return found.failed() ? Future.failedFuture(found.cause()) : Future.succeededFuture(found.result());
      }
      Wait wait = new Wait(key, places, correlationId, waitMs, again);
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
    Places places = agents.get(key(tenantId, agentId));
    if (places != null) {
      places.starting.stream().filter(start -> start.correlationId.equals(correlationId))
          .forEach(start -> start.cancelled = true);
      places.waiting.stream().filter(wait -> wait.correlationId.equals(correlationId)).toList()
          .forEach(Wait::expire);
    }
  }

  /** Drops the agent's entry once no claim holds a place. */
  private void forgetIfFree(String key, Places places) {
    if (places.held() == 0) {
      agents.remove(key, places);
    }
  }

  /** One agent's places: its claims on their first attempt, and its claims waiting, the longest waiting first. */
  private static final class Places {
    private final List<Starting> starting = new ArrayList<>();
    private final Set<Wait> waiting = new LinkedHashSet<>();

    int held() {
      return starting.size() + waiting.size();
    }
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
    Places places = agents.get(key(tenantId, agentId));
    if (places != null) {
      places.starting.forEach(start -> start.woken = true);
      places.waiting.stream().filter(Wait::open).limit(Math.max(1, count)).toList().forEach(Wait::attempt);
    }
  }

  /**
   * Answers every waiting claim with what it has (a claim in flight answers with what it claims), and lets no claim
   * wait from now on.
   */
  void close() {
    closed = true;
    agents.values().stream().flatMap(places -> places.waiting.stream()).toList().forEach(Wait::expire);
  }

  int waiting() {
    return agents.values().stream().mapToInt(places -> places.waiting.size()).sum();
  }

  private static String key(String tenantId, String agentId) {
    return tenantId + "/" + agentId;
  }

  private final class Wait {
    private final String key;
    private final Places places;
    private final String correlationId;
    private final long waitMs;
    private final Supplier<Future<List<Row>>> claim;
    private final Promise<List<Row>> promise = Promise.promise();
    private long pollTimer;
    private long deadlineTimer;
    private boolean busy;
    private boolean again;
    private boolean expired;

    Wait(String key, Places places, String correlationId, long waitMs, Supplier<Future<List<Row>>> claim) {
      this.key = key;
      this.places = places;
      this.correlationId = correlationId;
      this.waitMs = waitMs;
      this.claim = claim;
    }

    Future<List<Row>> start() {
      places.waiting.add(this);
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
      if (!places.waiting.isEmpty() && places.waiting.iterator().next() == this) {
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
      places.waiting.remove(this);
      forgetIfFree(key, places);
      if (error != null) {
        promise.fail(error);
      } else {
        promise.complete(claimed);
      }
    }
  }
}
