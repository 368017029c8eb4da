package io.arbiter.schedule;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.arbiter.task.TaskState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firing poll: each due schedule's occurrence becomes an ordinary task, submitted over the bus as ingress submits
 * one, with the idempotency key {@code schedule:<id>:<occurrence>}; then a compare-and-set on {@code next_run_at}
 * moves the schedule on and records the run. Any number of nodes may poll the same database: they may all submit an
 * occurrence, but the task domain's idempotency turns those into one task, and only one node's compare-and-set holds.
 * A step that cannot finish (the database or the task verticle unavailable, a submission buffered in the outage
 * journal) leaves the schedule due, and a later poll fires the same occurrence with the same key.
 */
final class Firing {

  private static final Logger LOG = LoggerFactory.getLogger(Firing.class);

  /** Due schedules read per poll; a full batch polls again at once. */
  static final int BATCH = 100;
  /** The role submissions of a schedule carry in their audit records. */
  static final String ROLE = "scheduler";

  /** Failures after which the occurrence is tried again at the next poll rather than recorded as refused. */
  private static final Set<Failure> TRANSIENT = Set.of(Failure.UNAVAILABLE, Failure.OVERLOADED, Failure.TIMEOUT,
      Failure.INTERNAL, Failure.RATE_LIMITED);

  private final EventBus bus;
  private final DbBreaker breaker;
  private final ScheduleRepository schedules;
  private final long requestTimeoutMs;
  private final Clock clock;
  private final MeterRegistry registry;

  Firing(EventBus bus, DbBreaker breaker, ScheduleRepository schedules, long requestTimeoutMs, Clock clock,
         MeterRegistry registry) {
    this.registry = registry;
    this.bus = bus;
    this.breaker = breaker;
    this.schedules = schedules;
    this.requestTimeoutMs = requestTimeoutMs;
    this.clock = clock;
  }

  /** The idempotency key of an occurrence's task. */
  static String idempotencyKey(UUID scheduleId, Instant occurrence) {
    return "schedule:" + scheduleId + ":" + occurrence;
  }

  /** What one step did: whether it moved its schedule on, and whether the schedule is still due after it. */
  private record Stepped(boolean advanced, boolean stillDue) {
    static final Stepped STUCK = new Stepped(false, false);
  }

  /**
   * One poll: a step for each due schedule. True when a step moved on and more may be due at once (a full batch, or
   * catch-up left): a poll whose steps all failed waits for the next tick instead of spinning.
   */
  Future<Boolean> poll() {
    Instant now = clock.instant();
    return breaker.execute(() -> schedules.due(now, BATCH)).compose(due -> {
      List<Future<Stepped>> steps = due.stream().map(s -> step(s, now).recover(e -> {
        LOG.debug("schedule {} of tenant {}: occurrence {} left for the next poll ({})", s.id(), s.tenantId(),
            s.nextRunAt(), e.getMessage());
        return Future.succeededFuture(Stepped.STUCK);
      })).toList();
      return Future.join(steps).map(v -> {
        List<Stepped> done = steps.stream().map(Future::result).toList();
        return done.stream().anyMatch(Stepped::advanced)
            && (due.size() >= BATCH || done.stream().anyMatch(Stepped::stillDue));
      });
    });
  }

  /** One step of a due schedule: at most one occurrence fired (catch-up of several takes several steps). */
  private Future<Stepped> step(Schedule s, Instant now) {
    Cadence cadence;
    try {
      cadence = s.cadence();
    } catch (Cadence.Invalid e) {
      LOG.warn("schedule {} of tenant {} no longer parses ({}); it stays due until it is changed", s.id(),
          s.tenantId(), e.getMessage());
      return Future.succeededFuture(Stepped.STUCK);
    }
    CatchUp.Step step = s.catchUp().step(cadence, s.nextRunAt(), now);
    Instant next = step.next().orElse(null);
    if (step.fire().isEmpty()) {
      return breaker.execute(() -> schedules.advance(s, null, next, null)).map(advanced -> {
        dropped(s, step, advanced);
        return new Stepped(advanced, false);
      });
    }
    Instant occurrence = step.fire().get();
    RequestContext ctx = new RequestContext("schedule-" + s.id() + "-" + occurrence.getEpochSecond(), s.tenantId(),
        "schedule:" + s.id(), ROLE, null, null);
    return overlapAllows(s, ctx)
        .compose(fire -> fire ? submit(s, occurrence, ctx) : Future.succeededFuture(Run.skipped(s.lastRunTaskId())))
        .compose(run -> breaker.execute(() -> schedules.advance(s, occurrence, next, run)).map(advanced -> {
          if (advanced) {
            LOG.debug("schedule {} of tenant {}: occurrence {} {}", s.id(), s.tenantId(), occurrence, run.outcome());
            counted(run);
          }
          dropped(s, step, advanced);
          return new Stepped(advanced, advanced && next != null && !next.isAfter(now));
        }));
  }

  /**
   * Whether the occurrence fires, by the schedule's overlap policy, when its previous run has not finished: skip says
   * no; cancel cancels that run first (a run that finished meanwhile is left as it is); queue always fires.
   */
  private Future<Boolean> overlapAllows(Schedule s, RequestContext ctx) {
    if (s.overlap() == Overlap.QUEUE || s.lastRunTaskId() == null) {
      return Future.succeededFuture(true);
    }
    return breaker.execute(() -> schedules.taskState(s.tenantId(), s.lastRunTaskId())).compose(state -> {
      if (finished(state)) {
        return Future.succeededFuture(true);
      }
      if (s.overlap() == Overlap.SKIP) {
        return Future.succeededFuture(false);
      }
      return bus.request(Addresses.TASKS_CANCEL, new JsonObject().put("id", s.lastRunTaskId().toString()),
              ctx.deliveryOptions(requestTimeoutMs))
          .map(true)
          .recover(e -> {
            ArbiterException failure = Replies.fromBus(e);
            return failure.failure() == Failure.CONFLICT || failure.failure() == Failure.NOT_FOUND
                ? Future.succeededFuture(true) : Future.failedFuture(failure);
          });
    });
  }

  /** Logged by the node whose step held, once per outage. */
  private static void dropped(Schedule s, CatchUp.Step step, boolean advanced) {
    if (advanced && step.dropped() > 0) {
      LOG.info("schedule {} of tenant {}: {} missed occurrence(s) dropped (catchUp {})", s.id(), s.tenantId(),
          step.dropped(), s.catchUp().wire());
    }
  }

  private void counted(Run run) {
    if (registry != null) {
      Counter.builder("arbiter.schedules.runs").tag("outcome", run.outcome())
          .description("Schedule occurrences handled, by outcome (submitted, skipped, refused)").register(registry)
          .increment();
    }
  }

  /** A task that was purged counts as finished; a state this build does not know counts as unfinished. */
  static boolean finished(Optional<String> state) {
    if (state.isEmpty()) {
      return true;
    }
    try {
      return TaskState.fromWire(state.get()).finished();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The occurrence's task, submitted with its idempotency key. A refusal for good (the template breaks limits set
   * since) is a refused run; a failure that may pass, or a submission only buffered in the outage journal, fails the
   * step so that the next poll submits it again with the same key.
   */
  private Future<Run> submit(Schedule s, Instant occurrence, RequestContext ctx) {
    JsonObject body = s.template().copy().put("idempotencyKey", idempotencyKey(s.id(), occurrence));
    return bus.<JsonObject>request(Addresses.TASKS_SUBMIT, body, ctx.deliveryOptions(requestTimeoutMs))
        .transform(reply -> {
          if (reply.succeeded()) {
            JsonObject task = reply.result().body().getJsonObject("task");
            if (task.getBoolean("buffered", false)) {
              return Future.failedFuture(Failure.UNAVAILABLE.exception("the submission is buffered in the outage "
                  + "journal"));
            }
            return Future.succeededFuture(Run.submitted(UUID.fromString(task.getString("id"))));
          }
          ArbiterException failure = Replies.fromBus(reply.cause());
          if (TRANSIENT.contains(failure.failure())) {
            return Future.failedFuture(failure);
          }
          LOG.warn("schedule {} of tenant {}: the task of occurrence {} was refused: {}", s.id(), s.tenantId(),
              occurrence, failure.getMessage());
          return Future.succeededFuture(Run.refused(failure.getMessage()));
        });
  }
}
