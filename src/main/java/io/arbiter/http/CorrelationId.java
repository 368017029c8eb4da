package io.arbiter.http;

import io.arbiter.audit.Redactor;
import io.arbiter.bus.RequestLog;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the correlation id from {@code X-Request-Id} (or makes one: also when the given one looks like a secret, such
 * as a JWT, since it is written into every log line and audit record of the request), echoes it in the response, and
 * writes one access log line per request carrying it. Domain verticles get it through the bus headers.
 */
public final class CorrelationId implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";
  private static final String KEY = "arbiter.correlation-id";
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Logger ACCESS = LoggerFactory.getLogger("io.arbiter.http.access");

  public static String of(RoutingContext rc) {
    return rc.get(KEY);
  }

  @Override
  public void handle(RoutingContext rc) {
    String given = rc.request().getHeader(HEADER);
    String id = given != null && SAFE.matcher(given).matches() && Redactor.redactText(given).equals(given) ? given
        : UUID.randomUUID().toString();
    long started = System.nanoTime();
    rc.put(KEY, id);
    rc.response().putHeader(HEADER, id)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-store");
    rc.addBodyEndHandler(v -> RequestLog.of(ACCESS, id).info("{} {} {} {} ms", rc.request().method(),
        rc.request().path(), rc.response().getStatusCode(), (System.nanoTime() - started) / 1_000_000));
    rc.next();
  }
}
