package io.arbiter.http;

import io.arbiter.bus.Failure;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics} with {@code http.metricsToken} set: the request must carry {@code Authorization: Bearer <token>}
 * (compared in constant time), or it answers 401 with a problem body. Prometheus sends it with {@code authorization}
 * in its scrape configuration.
 */
final class MetricsToken implements Handler<RoutingContext> {

  private final byte[] expected;

  MetricsToken(String token) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext rc) {
    String given = rc.request().getHeader("Authorization");
    if (given != null && given.length() <= 1024
        && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
      rc.next();
      return;
    }
    rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
    rc.fail(Failure.UNAUTHORIZED.exception("/metrics requires the bearer token set as http.metricsToken"));
  }
}
