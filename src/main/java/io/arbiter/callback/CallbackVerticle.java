package io.arbiter.callback;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.db.Coalescer;
import io.arbiter.db.Database;
import io.arbiter.db.DbBreaker;
import io.arbiter.db.Secrets;
import io.arbiter.task.TaskState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion callbacks: delivers each task's callback once the task is final, from the {@code task_callbacks} outbox
 * (see {@link CallbackSql}), at least once across restarts and nodes; and answers a task's callback status. A pass
 * claims a batch of due callbacks, tries them all at once ({@link Sender}), and records each verdict
 * ({@link RetryRule}). Passes run on a timer ({@code callbacks.pollIntervalMs}) and whenever the live stream reports a
 * task that finished; one pass at a time, and a full batch is followed at once. Its database calls go through its own
 * breaker, {@code callbacks-db}. With callbacks off ({@code callbacks.allowedHosts} empty) nothing is delivered.
 */
public final class CallbackVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CallbackVerticle.class);

  /** Most callbacks claimed and tried at once by one pass. */
  static final int BATCH = 32;

  /** The stream events of a task reaching a state its callback reports. */
  private static final Set<String> FINISHED = Arrays.stream(TaskState.values()).filter(TaskState::finished)
      .map(state -> "task." + state.wire()).collect(Collectors.toUnmodifiableSet());

  private static final int MAX_ERROR_LENGTH = 500;

  /** One claim at a time and short updates: a small pool, whatever {@code db.poolSize} gives the busy verticles. */
  private static final int POOL_SIZE = 2;

  private final ArbiterConfig config;
  private final CallbackSettings settings;
  private final MeterRegistry registry;
  private Pool pool;
  private DbBreaker breaker;
  private CallbackRepository callbacks;
  private Sender sender;
  private RetryRule rule;
  private Coalescer passes;
  private Map<String, Counter> deliveries = Map.of();

  public CallbackVerticle(ArbiterConfig config, CallbackSettings settings, MeterRegistry registry) {
    this.config = config;
    this.settings = settings;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.db(), "callbacks", false, POOL_SIZE);
    breaker = new DbBreaker(vertx, "callbacks-db", config.breaker(), registry);
    callbacks = new CallbackRepository(pool);
    rule = new RetryRule(settings, () -> ThreadLocalRandom.current().nextDouble());
    passes = new Coalescer(this::pass);
    if (registry != null) {
      deliveries = Map.of("delivered", counter("delivered"), "retry", counter("retry"), "failed", counter("failed"));
    }
    EventBus bus = vertx.eventBus();
    Future<?> consumers = bus.localConsumer(Addresses.CALLBACKS_GET, Replies.handle(LOG, m -> {
      RequestContext ctx = RequestContext.from(m);
      UUID id = taskId(m.body().getString("id"));
      return breaker.execute(() -> callbacks.get(ctx, id));
    })).completion();
    if (!settings.enabled()) {
      return consumers;
    }
    sender = new Sender(vertx, settings);
    return Future.all(consumers, bus.<JsonObject>consumer(Addresses.EVENTS_STREAM, m -> {
      if (finished(m.body().getJsonArray("events"))) {
        passes.request();
      }
    }).completion()).onSuccess(v -> vertx.setPeriodic(settings.pollIntervalMs(), id -> passes.request()));
  }

  @Override
  public Future<?> stop() {
    return sender == null ? Future.succeededFuture() : sender.close();
  }

  private Counter counter(String result) {
    return Counter.builder("arbiter.callbacks.deliveries").tag("result", result)
        .description("Tries of completion callbacks, by verdict: delivered, retry later, or given up")
        .register(registry);
  }

  private static boolean finished(JsonArray events) {
    if (events == null) {
      return false;
    }
    for (int i = 0; i < events.size(); i++) {
      if (FINISHED.contains(events.getJsonObject(i).getString("type"))) {
        return true;
      }
    }
    return false;
  }

  private static UUID taskId(String id) {
    try {
      return UUID.fromString(id);
    } catch (RuntimeException e) {
      throw Failure.BAD_REQUEST.exception("task id " + id + " is not a UUID");
    }
  }

  /** One pass: claims a batch, tries each, records each verdict. Answers whether the batch was full. */
  private Future<Boolean> pass() {
    long leaseMs = 2 * settings.timeoutMs() + 5_000;
    return breaker.execute(() -> callbacks.claimDue(BATCH, leaseMs))
        .compose(due -> Future.join(due.stream().map(this::attempt).toList()).map(v -> due.size() == BATCH))
        .recover(e -> {
          LOG.debug("callback pass stopped: {}", e.getMessage());
          return Future.succeededFuture(false);
        });
  }

  /** One try of one callback. A verdict that cannot be recorded leaves the row to be tried again after its lease. */
  private Future<Void> attempt(Due due) {
    String host = CallbackUrl.host(due.url());
    Future<Integer> answered = CallbackUrl.allowed(host.toLowerCase(java.util.Locale.ROOT), settings.allowedHosts())
        ? sender.post(due, Instant.now().getEpochSecond())
        : Future.failedFuture(new NotAllowed());
    return answered.transform(outcome -> {
      Integer status = outcome.succeeded() ? outcome.result() : null;
      RetryRule.Verdict verdict = outcome.cause() instanceof NotAllowed
          ? new RetryRule.GiveUp("host " + host + " is no longer in callbacks.allowedHosts")
          : rule.judge(status, due.attempts(), ageMs(due));
      String error;
      if (verdict instanceof RetryRule.Delivered) {
        error = null;
      } else if (verdict instanceof RetryRule.GiveUp g) {
        error = bounded(status == null && outcome.failed() && !(outcome.cause() instanceof NotAllowed)
            ? describe(outcome.cause(), due) + "; " + g.reason() : g.reason());
      } else {
        error = bounded(status != null ? "answered " + status : describe(outcome.cause(), due));
      }
      count(verdict);
      log(due, host, status, verdict, error);
      return breaker.execute(() -> callbacks.record(due, verdict, status, error)).<Void>mapEmpty()
          .recover(e -> {
            LOG.debug("callback of task {} (try {}) not recorded; it is tried again after its lease: {}",
                due.taskId(), due.attempts(), e.getMessage());
            return Future.succeededFuture();
          });
    });
  }

  private static long ageMs(Due due) {
    return due.finishedAt() == null ? 0 : Math.max(0, Duration.between(due.finishedAt().toInstant(), Instant.now())
        .toMillis());
  }

  /** Why a try got no answer, without the URL (its query may carry a receiver's token) or any credential. */
  private static String describe(Throwable cause, Due due) {
    String message = cause == null || cause.getMessage() == null ? "no answer" : cause.getMessage();
    return Secrets.mask(message.replace(due.url(), CallbackUrl.host(due.url())));
  }

  private static String bounded(String text) {
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH - 1) + "…";
  }

  private void count(RetryRule.Verdict verdict) {
    Counter counter = deliveries.get(verdict instanceof RetryRule.Delivered ? "delivered"
        : verdict instanceof RetryRule.Retry ? "retry" : "failed");
    if (counter != null) {
      counter.increment();
    }
  }

  private static void log(Due due, String host, Integer status, RetryRule.Verdict verdict, String error) {
    if (verdict instanceof RetryRule.Delivered) {
      LOG.debug("callback of task {} delivered to {} (try {}, status {})", due.taskId(), host, due.attempts(), status);
    } else if (verdict instanceof RetryRule.Retry r) {
      LOG.info("callback of task {} to {} failed (try {}: {}); next try in {} ms", due.taskId(), host,
          due.attempts(), error, r.delayMs());
    } else {
      LOG.warn("callback of task {} to {} given up after try {}: {}", due.taskId(), host, due.attempts(), error);
    }
  }

  /** The callback's host was removed from the allowed list after the task was submitted. */
  private static final class NotAllowed extends RuntimeException {
    NotAllowed() {
      super("host not allowed", null, false, false);
    }
  }
}
