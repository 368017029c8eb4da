package io.arbiter.http.api;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.Replies;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Access;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;
import java.time.Instant;

/**
 * {@code POST /api/v1/token-revocations}: a token given whole is verified here, where the keys are, and reduced to
 * its tenant, jti and expiry; the policy domain then lists it ({@link Addresses#POLICY_TOKEN_REVOKE}). The token
 * itself goes no further than this handler.
 */
public final class TokenRevocationsApi {
  private TokenRevocationsApi() {}

  public static void mount(RouterBuilder builder, EventBus bus, Verifier verifier, long timeoutMs) {
    builder.getRoute("revokeToken").addHandler(handler(bus, verifier, timeoutMs));
  }

  static Handler<RoutingContext> handler(EventBus bus, Verifier verifier, long timeoutMs) {
    return rc -> {
      ValidatedRequest request = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
      RequestContext ctx = Access.context(rc);
      JsonObject body = BusRoute.body(request);
      entry(body, ctx, verifier)
          .compose(entry -> bus.<JsonObject>request(Addresses.POLICY_TOKEN_REVOKE, entry,
              ctx.deliveryOptions(timeoutMs)).recover(e -> Future.failedFuture(Replies.fromBus(e))))
          .onSuccess(reply -> {
            // this node refuses the token before it answers; the others learn it from the published event
            JsonObject revoked = reply.body();
            verifier.revocations().add(revoked.getString("tenantId"), revoked.getString("jti"),
                Instant.parse(revoked.getString("expiresAt")).toEpochMilli());
            BusRoute.json(rc, 201, revoked);
          })
          .onFailure(rc::fail);
    };
  }

  /** {@code {tenantId, jti, expiresAt}} of the token to revoke. */
  private static Future<JsonObject> entry(JsonObject body, RequestContext ctx, Verifier verifier) {
    String token = body.getString("token");
    if (token != null) {
      if (body.containsKey("jti") || body.containsKey("expiresAt") || body.containsKey("tenantId")) {
        return Future.failedFuture(bad("token", "send either token, or jti with expiresAt, not both"));
      }
      return verifier.verifyForRevocation(token)
          .recover(e -> Future.failedFuture(new ArbiterException(Failure.UNPROCESSABLE,
              "field token: is not a valid token of this service, or has expired (an expired token is refused "
                  + "already)", new JsonObject().put("field", "token"))))
          .compose(claims -> {
            if (!(claims.getValue(Jwt.JTI_CLAIM) instanceof String jti)) {
              return Future.failedFuture(new ArbiterException(Failure.UNPROCESSABLE, "field token: has no jti "
                  + "claim, so it cannot be revoked on its own (rotate the signing key instead)",
                  new JsonObject().put("field", "token")));
            }
            return Future.succeededFuture(new JsonObject().put("tenantId", claims.getString(Jwt.TENANT_CLAIM))
                .put("jti", jti).put("expiresAt", Instant.ofEpochSecond(claims.getLong("exp")).toString()));
          });
    }
    if (body.getString("jti") == null) {
      return Future.failedFuture(bad("jti", "send either token, or jti with expiresAt"));
    }
    if (body.getString("expiresAt") == null) {
      return Future.failedFuture(bad("expiresAt", "is required with jti"));
    }
    return Future.succeededFuture(new JsonObject().put("tenantId", body.getString("tenantId", ctx.tenantId()))
        .put("jti", body.getString("jti")).put("expiresAt", body.getString("expiresAt")));
  }

  private static ArbiterException bad(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }
}
