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

/**
 * Rate limits on the API, token buckets (Bucket4j) per caller and per client address: each caller (tenant and
 * subject) has one bucket per kind of traffic ({@link Traffic}), each address one bucket for all its requests. A
 * request over a limit answers 429 with {@code Retry-After} and the {@code RateLimit-Limit},
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset} headers. Each bucket holds two seconds of its rate, so short
 * bursts pass. The limits are per node: with several nodes behind a balancer, a caller may reach each node's limit.
 * The rates reload with the conf file ({@link #apply}) on every node that reads the changed file.
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
  private final Counter limited;

  RateLimits(ArbiterConfig.Rates rates, MeterRegistry registry) {
    apply(rates);
    this.limited = registry == null ? null : Counter.builder("arbiter.http.rate.limited")
        .description("Requests answered 429 by the rate limits").register(registry);
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
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Limited(Bucket.builder()
        .addLimit(limit -> limit.capacity(2 * rate).refillGreedy(rate, Duration.ofSeconds(1))).build(), rate)).bucket();
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
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
