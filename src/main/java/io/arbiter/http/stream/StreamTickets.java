package io.arbiter.http.stream;

import io.arbiter.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-time stream tickets, so that a browser's WebSocket or EventSource, which cannot send an {@code Authorization}
 * header, never puts the bearer token in a URL where proxies log it. {@code POST /api/v1/stream-tickets} (with the
 * bearer token) answers a ticket that opens one stream within {@link #TTL_MS}; the stream then lives as long as the
 * token it was issued for.
 *
 * <p>A ticket is the caller's verified claims and its deadline, signed with HMAC-SHA256 under a key derived from the
 * JWT secret: any node sharing that secret accepts it. A second use is refused on every node: the redeemed tickets
 * are remembered until they expire in {@link UsedTickets}, cluster-wide when the nodes are clustered. Shared by every
 * ingress instance of a node.
 */
public final class StreamTickets {

  /** How long a ticket may wait before it opens its stream. */
  public static final long TTL_MS = 30_000;
  /** The longest ticket accepted as input, so that a forged one costs nothing to refuse. */
  static final int MAX_LENGTH = 4096;

  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

  private final byte[] key;
  private final LongSupplier clock;
  private final SecureRandom random = new SecureRandom();
  private final UsedTickets used;

  public StreamTickets(String jwtSecret, UsedTickets used) {
    this(jwtSecret, used, System::currentTimeMillis);
  }

  StreamTickets(String jwtSecret, UsedTickets used, LongSupplier clock) {
    this.key = mac(jwtSecret.getBytes(StandardCharsets.UTF_8), "arbiter stream tickets v1"
        .getBytes(StandardCharsets.UTF_8));
    this.used = used;
    this.clock = clock;
  }

  /** A ticket for the verified {@code claims} of a token; {@code {ticket, expiresAt}} (epoch ms). */
  public JsonObject issue(JsonObject claims) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    long until = clock.getAsLong() + TTL_MS;
    String body = ENCODE.encodeToString(new JsonObject().put("claims", claims).put("until", until)
        .put("nonce", ENCODE.encodeToString(nonce)).encode().getBytes(StandardCharsets.UTF_8));
    return new JsonObject().put("ticket", body + "." + ENCODE.encodeToString(mac(key, body.getBytes(
        StandardCharsets.US_ASCII)))).put("expiresAt", until);
  }

  /**
   * The claims a ticket was issued for, once in the whole cluster; fails {@link Failure#UNAUTHORIZED} for a forged,
   * altered, expired or used ticket.
   */
  public Future<JsonObject> redeem(String ticket) {
    JsonObject content;
    try {
      content = verified(ticket);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return used.firstUse(content.getString("nonce"), content.getLong("until")).compose(first -> first
        ? Future.succeededFuture(content.getJsonObject("claims"))
        : Future.failedFuture(Failure.UNAUTHORIZED.exception("this stream ticket was used already: ask for a new one")));
  }

  /** The ticket's content when its signature holds and its time has not passed. */
  private JsonObject verified(String ticket) {
    int dot = ticket == null ? -1 : ticket.indexOf('.');
    if (dot < 1 || ticket.length() > MAX_LENGTH) {
      throw invalid();
    }
    String body = ticket.substring(0, dot);
    byte[] given;
    try {
      given = DECODE.decode(ticket.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    if (!MessageDigest.isEqual(given, mac(key, body.getBytes(StandardCharsets.US_ASCII)))) {
      throw invalid();
    }
    JsonObject content = new JsonObject(new String(DECODE.decode(body), StandardCharsets.UTF_8));
    if (content.getLong("until") < clock.getAsLong()) {
      throw invalid();
    }
    return content;
  }

  private static RuntimeException invalid() {
    return Failure.UNAUTHORIZED.exception("the stream ticket is invalid or expired: ask for a new one with "
        + "POST /api/v1/stream-tickets");
  }

  private static byte[] mac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
