package io.arbiter.http;

import io.arbiter.bus.Failure;
import io.arbiter.http.stream.StreamRoutes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control at ingress: at most {@code maxInFlight} requests are served at once, and a request beyond that is
 * answered 503 {@code overloaded} with {@code Retry-After} at once instead of queueing (load shedding). While
 * Arbiter shuts down ({@link #drain}), every new request is refused the same way and in-flight ones finish.
 * {@code /health/live} and {@code /metrics} are always served; so are the readiness and DB checks under overload (but
 * not while draining, so that a load balancer stops sending work). Long-lived streams (WebSocket, server-sent events,
 * the event-bus bridge) and long-polling claims (bounded per agent instead) are not counted as requests in flight.
 */
final class Admission implements Handler<RoutingContext> {

  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Long-polling claims being served: outside {@code maxInFlight}, but a shutdown still waits for them. */
  private final AtomicInteger longPolls = new AtomicInteger();
  private final Counter shed;
  private volatile boolean draining;

  Admission(int maxInFlight, MeterRegistry registry) {
    this.maxInFlight = maxInFlight;
    if (registry != null) {
      Gauge.builder("arbiter.http.in.flight", this, Admission::inFlight)
          .description("HTTP requests being served (long-polling claims included)").register(registry);
      shed = Counter.builder("arbiter.http.shed").description("Requests refused with 503 by admission control")
          .register(registry);
    } else {
      shed = null;
    }
  }

  /**
   * A claim that may wait ({@code wait} above 0): it is bounded per agent ({@code tasks.maxWaitingClaims}) and would
   * otherwise hold an in-flight slot for up to a minute doing nothing.
   */
  private static boolean longPoll(RoutingContext rc) {
    String wait = rc.request().getParam("wait");
    return wait != null && !wait.equals("0") && rc.request().path().endsWith("/claim");
  }

  @Override
  public void handle(RoutingContext rc) {
    String path = rc.request().path();
    if (path.equals("/health/live") || path.equals("/metrics")) {
      rc.next();
      return;
    }
    if (draining) {
      refuse(rc, "Arbiter is shutting down; retry on another node or in a moment");
      return;
    }
    if (path.startsWith("/health/") || path.equals(StreamRoutes.WEBSOCKET) || path.equals(StreamRoutes.EVENTS)
        || path.startsWith("/eventbus")) {
      rc.next();
      return;
    }
    if (longPoll(rc)) {
      longPolls.incrementAndGet();
      rc.addEndHandler(v -> longPolls.decrementAndGet());
      rc.next();
      return;
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      refuse(rc, "more than " + maxInFlight + " requests in flight (http.maxInFlight); retry shortly");
      return;
    }
    rc.addEndHandler(v -> inFlight.decrementAndGet());
    rc.next();
  }

  private void refuse(RoutingContext rc, String detail) {
    if (shed != null) {
      shed.increment();
    }
    rc.fail(Failure.OVERLOADED.exception(detail));
  }

  /** Refuses every new request from now on. */
  void drain() {
    draining = true;
  }

  /** Requests being served, long-polling claims included (what a shutdown waits for). */
  int inFlight() {
    return inFlight.get() + longPolls.get();
  }
}
