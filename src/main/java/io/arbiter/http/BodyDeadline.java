package io.arbiter.http;

import io.arbiter.bus.Failure;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * A request body must arrive within {@code http.bodyTimeoutMs} of its headers: a client that announces a body and
 * sends it slowly (or not at all) gets 408 and its connection closed, instead of holding an in-flight slot and a
 * buffer for as long as it likes. Requests already complete when their headers are handled cost nothing here.
 */
final class BodyDeadline implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final long timeoutMs;

  BodyDeadline(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext rc) {
    if (!rc.request().isEnded()) {
      long timer = vertx.setTimer(timeoutMs, id -> {
        if (!rc.request().isEnded() && !rc.response().ended() && !rc.failed()) {
          rc.response().putHeader(HttpHeaders.CONNECTION, "close");
          rc.addEndHandler(v -> rc.request().connection().close());
          rc.fail(Failure.REQUEST_TIMEOUT.exception("the request body did not arrive within " + timeoutMs
              + " ms (http.bodyTimeoutMs)"));
        }
      });
      rc.addEndHandler(v -> vertx.cancelTimer(timer));
    }
    rc.next();
  }
}
