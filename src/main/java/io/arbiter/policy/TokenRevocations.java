package io.arbiter.policy;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token deny list's bus side, wired by {@link PolicyVerticle}: revoking ({@link Addresses#POLICY_TOKEN_REVOKE},
 * then {@link Addresses#EVENTS_TOKEN_REVOKED} published to every node), the reload ingress makes
 * ({@link Addresses#POLICY_TOKEN_REVOCATIONS}), and the purge of entries whose token has expired (at start, then
 * every minute).
 */
final class TokenRevocations {

  private static final Logger LOG = LoggerFactory.getLogger(TokenRevocations.class);

  /** The longest a revocation may last: no token the {@code token} command mints lives longer. */
  static final Duration LONGEST = Duration.ofDays(366);
  static final int MAX_ID_LENGTH = 200;
  private static final long PURGE_INTERVAL_MS = 60_000;

  private final Vertx vertx;
  private final DbBreaker breaker;
  private final RevocationRepository repository;

  TokenRevocations(Vertx vertx, DbBreaker breaker, Pool pool) {
    this.vertx = vertx;
    this.breaker = breaker;
    this.repository = new RevocationRepository(pool);
  }

  Future<Void> start() {
    purge();
    vertx.setPeriodic(PURGE_INTERVAL_MS, id -> purge());
    return Future.all(List.of(
        vertx.eventBus().localConsumer(Addresses.POLICY_TOKEN_REVOKE, Replies.handle(LOG, this::revoke)).completion(),
        vertx.eventBus().localConsumer(Addresses.POLICY_TOKEN_REVOCATIONS, Replies.handle(LOG, this::unexpired))
            .completion())).mapEmpty();
  }

  private void purge() {
    breaker.execute(repository::purgeExpired).onSuccess(n -> {
      if (n > 0) {
        LOG.info("purged {} revoked token ids whose tokens have expired", n);
      }
    });
  }

  private Future<JsonObject> revoke(Message<JsonObject> m) {
    RequestContext ctx = RequestContext.from(m);
    JsonObject body = m.body();
    String tenantId = body.getString("tenantId");
    String jti = body.getString("jti");
    if (tenantId == null || tenantId.isBlank() || tenantId.length() > MAX_ID_LENGTH) {
      throw unprocessable("tenantId", "must be 1 to " + MAX_ID_LENGTH + " characters");
    }
    if (jti == null || jti.isBlank() || jti.length() > MAX_ID_LENGTH) {
      throw unprocessable("jti", "must be 1 to " + MAX_ID_LENGTH + " characters");
    }
    if (!ctx.platform() && !tenantId.equals(ctx.tenantId())) {
      throw Failure.FORBIDDEN.exception("an admin revokes only its own tenant's tokens");
    }
    Instant expiresAt;
    try {
      expiresAt = OffsetDateTime.parse(body.getString("expiresAt")).toInstant();
    } catch (DateTimeParseException | NullPointerException e) {
      throw new ArbiterException(Failure.BAD_REQUEST, "field expiresAt: is not an ISO-8601 date-time with an offset",
          new JsonObject().put("field", "expiresAt"));
    }
    Instant now = Instant.now();
    if (!expiresAt.isAfter(now)) {
      throw unprocessable("expiresAt", "must lie in the future (an expired token is refused already)");
    }
    if (expiresAt.isAfter(now.plus(LONGEST))) {
      throw unprocessable("expiresAt", "must lie within " + LONGEST.toDays() + " days");
    }
    return breaker.execute(() -> repository.revoke(ctx, tenantId, jti, expiresAt)).map(revoked -> {
      vertx.eventBus().publish(Addresses.EVENTS_TOKEN_REVOKED, new JsonObject().put("tenantId", revoked.tenantId())
          .put("jti", revoked.jti()).put("expiresAt", revoked.expiresAt().toEpochMilli()));
      vertx.eventBus().send(Addresses.AUDIT_DRAIN, null);
      return revoked.toJson();
    });
  }

  private Future<JsonObject> unexpired(Message<JsonObject> m) {
    String since = m.body() == null ? null : m.body().getString("since");
    OffsetDateTime from = since == null ? null : OffsetDateTime.parse(since);
    return breaker.execute(() -> repository.unexpiredSince(from))
        .map(page -> new JsonObject().put("asOf", page.asOf().toString()).put("items", page.items()));
  }

  private static ArbiterException unprocessable(String field, String message) {
    return new ArbiterException(Failure.UNPROCESSABLE, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }
}
