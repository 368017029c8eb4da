package io.arbiter.http;

import io.arbiter.bus.Failure;
import io.arbiter.config.ArbiterConfig;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate limits on the API, token buckets (Bucket4j) per caller and per client address: each caller (tenant and
 * subject) has one bucket per kind of traffic ({@link Traffic}), each address one bucket for all its requests. A
 * request over a limit answers 429 with {@code Retry-After} and the {@code RateLimit-Limit},
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset} headers. Each bucket holds two seconds of its rate, so short
 * bursts pass. With several nodes, each node counts what it let through ({@link #takeSpent}) and the others charge
 * it to their own buckets ({@link #spentElsewhere}), so a caller's limit holds across the cluster within the interval
 * the counts travel at. The rates reload with the conf file ({@link #apply}) on every node that reads the changed
 * file.
 * Runs after the token check, so the caller is known; idle buckets are dropped by {@link #forgetIdle()}.
 */
public final class RateLimits implements Handler<RoutingContext> {

  /** The kinds of API traffic, each limited apart: submissions, agents' calls, and reads and everything else. */
  public enum Traffic {
    SUBMIT, AGENT, READ;

    /** The kind of a request, from its method and its path under {@code /api/v1}. */
    public static Traffic of(HttpMethod method, String path) {
      if (method == HttpMethod.POST && (path.equals("/api/v1/tasks") || path.equals("/api/v1/task-batches"))) {
        return SUBMIT;
      }
      if (method == HttpMethod.POST && path.startsWith("/api/v1/agents/") && path.indexOf('/', 15) > 0) {
        return AGENT;
      }
      return READ;
    }
  }

  private volatile Map<Traffic, Long> perSecond;
  private volatile long addressPerSecond;
  /** A bucket and the rate it refills at (it holds twice that when full). */
  private record Limited(Bucket bucket, long rate) {}

  private final Map<String, Limited> buckets = new ConcurrentHashMap<>();
  /** Tokens taken on this node since the last {@link #takeSpent}, by bucket; only while other nodes are told. */
  private final Map<String, LongAdder> spent = new ConcurrentHashMap<>();
  private volatile boolean sharing;
  private final Counter limited;
  private final Counter shared;

  /** The most buckets one report of {@link #takeSpent} names; the busiest callers are the ones worth sharing. */
  static final int MAX_SHARED_BUCKETS = 10_000;

  RateLimits(ArbiterConfig.Rates rates, MeterRegistry registry) {
    apply(rates);
    this.limited = registry == null ? null : Counter.builder("arbiter.http.rate.limited")
        .description("Requests answered 429 by the rate limits").register(registry);
    this.shared = registry == null ? null : Counter.builder("arbiter.http.rate.shared")
        .description("Tokens charged to this node's buckets for requests other nodes let through").register(registry);
  }

  @Override
  public void handle(RoutingContext rc) {
    JsonObject principal = rc.user() == null ? null : rc.user().attributes().getJsonObject("accessToken");
    if (principal == null) {
      rc.next();
      return;
    }
    String address = Problems.address(rc);
    Traffic traffic = Traffic.of(rc.request().method(), rc.request().path());
    String caller = principal.getString("tenant") + "/" + principal.getString("sub");
    if (take(rc, "address " + address, addressPerSecond, "address " + address)
        && take(rc, traffic + " " + caller, perSecond.get(traffic), traffic.name().toLowerCase() + " calls of "
        + principal.getString("sub"))) {
      rc.next();
    }
  }

  /** Takes one token from the bucket {@code key}; when it is empty, answers 429 and returns false. */
  private boolean take(RoutingContext rc, String key, long rate, String whose) {
    ConsumptionProbe probe = consume(key, rate);
    if (probe.isConsumed()) {
      return true;
    }
    long retrySeconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999) / 1_000_000_000);
    rc.response().putHeader("Retry-After", Long.toString(retrySeconds))
        .putHeader("RateLimit-Limit", Long.toString(rate))
        .putHeader("RateLimit-Remaining", "0")
        .putHeader("RateLimit-Reset", Long.toString(retrySeconds));
    if (limited != null) {
      limited.increment();
    }
    rc.fail(Failure.RATE_LIMITED.exception("more than " + rate + " requests a second for " + whose
        + "; retry after " + retrySeconds + " s"));
    return false;
  }

  /** One token from bucket {@code key}, counted for the other nodes when it is taken. */
  ConsumptionProbe consume(String key, long rate) {
    ConsumptionProbe probe = bucket(key, rate).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed() && sharing && (spent.containsKey(key) || spent.size() < MAX_SHARED_BUCKETS)) {
      spent.computeIfAbsent(key, k -> new LongAdder()).increment();
    }
    return probe;
  }

  private Bucket bucket(String key, long rate) {
    return buckets.computeIfAbsent(key, k -> new Limited(Bucket.builder()
        .addLimit(limit -> limit.capacity(2 * rate).refillGreedy(rate, Duration.ofSeconds(1))).build(), rate)).bucket();
  }

  /** The rate of bucket {@code key}, from its name: {@code address …} or a traffic kind and a caller. */
  private long rateOf(String key) {
    if (key.startsWith("address ")) {
      return addressPerSecond;
    }
    int space = key.indexOf(' ');
    return perSecond.get(Traffic.valueOf(key.substring(0, space)));
  }

  /** From now on, counts the tokens this node takes, for {@link #takeSpent} to hand to the other nodes. */
  void share() {
    sharing = true;
  }

  /** The tokens taken on this node since the last call, by bucket, and starts counting again. */
  Map<String, Long> takeSpent() {
    Map<String, Long> taken = new java.util.HashMap<>();
    for (String key : spent.keySet()) {
      LongAdder count = spent.remove(key);
      if (count != null && count.sum() > 0) {
        taken.put(key, count.sum());
      }
    }
    return taken;
  }

  /**
   * Tokens another node took from its own buckets: the same buckets here lose them too, going into debt if need be,
   * so that a caller spread over the nodes gets the limit once, not once per node.
   */
  void spentElsewhere(Map<String, Long> taken) {
    taken.forEach((key, count) -> {
      try {
        bucket(key, rateOf(key)).consumeIgnoringRateLimits(count);
        if (shared != null) {
          shared.increment(count);
        }
      } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
        // a bucket name this node does not know (another version's traffic kinds): nothing to charge
      }
    });
  }

  /** New rates (a reloaded conf file): every bucket starts again, full, at its new rate. */
  void apply(ArbiterConfig.Rates rates) {
    this.perSecond = Map.of(Traffic.SUBMIT, rates.submitPerSecond(), Traffic.AGENT, rates.agentPerSecond(),
        Traffic.READ, rates.readPerSecond());
    this.addressPerSecond = rates.addressPerSecond();
    buckets.clear();
  }

  /** Drops the buckets that are full again (no recent traffic), so that one-off callers and addresses hold nothing. */
  void forgetIdle() {
    buckets.values().removeIf(limited -> limited.bucket().getAvailableTokens() >= 2 * limited.rate());
  }
}
