package io.arbiter.http.auth;

import io.arbiter.bus.Failure;
import io.arbiter.config.ArbiterConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.auth.JWTOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies every token this node accepts, for the REST API, the streams and the event-bus bridge alike: its
 * signature against the keys in force, its {@code exp}, {@code iss} and {@code aud}, and the deny list
 * ({@link Revocations}). The keys in force are:
 * <ul>
 *   <li>{@code RS256} and {@code ES256} public keys from {@code auth.publicKeysPath} (re-read every
 *       {@code config.scanPeriodMs}) and from {@code auth.jwksUrl} (fetched every {@code auth.jwksRefreshMs}, and on a
 *       token whose {@code kid} no key carries, at most once per {@link #MIN_FETCH_INTERVAL_MS}); a key added to
 *       either source is accepted and a key removed is refused without a restart. A source that cannot be read keeps
 *       the keys it gave last.</li>
 *   <li>the {@code HS256} secret {@code auth.jwtSecret}, in dev mode always, in prod mode only when no asymmetric
 *       source is configured.</li>
 * </ul>
 * Shared by the node's ingress instances; a new key set replaces the provider in one write. A token verified once is
 * not decoded again on its next uses while the provider and its time claims hold ({@link VerifiedTokens}); the deny
 * list is asked on every use.
 */
public final class Verifier implements JWTAuth {

  private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

  /** The least time between two JWKS fetches caused by unknown {@code kid}s. */
  public static final long MIN_FETCH_INTERVAL_MS = 5_000;
  /** The largest JWKS document, and the largest PEM file, read. */
  public static final int JWKS_MAX_BYTES = 1 << 20;
  /** How long a JWKS fetch may take, connection included. */
  public static final long JWKS_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final ArbiterConfig.Auth auth;
  private final boolean acceptSecret;
  private final Revocations revocations;
  private final LongSupplier clockMs;
  private volatile List<PubSecKeyOptions> pemKeys = List.of();
  private volatile List<JsonObject> jwksKeys = List.of();
  private volatile String pemText;
  private volatile JWTAuth current;
  private final VerifiedTokens verified = new VerifiedTokens(VerifiedTokens.MAX_ENTRIES, VerifiedTokens.MAX_AGE);
  private volatile long lastFetchMs = Long.MIN_VALUE / 2;
  private Future<Void> fetching;
  private HttpClient client;

  /**
   * @param acceptSecret whether HS256 tokens signed with {@code auth.jwtSecret} are accepted (with an asymmetric
   *                     source configured: in dev mode only)
   */
  public Verifier(Vertx vertx, ArbiterConfig.Auth auth, boolean acceptSecret, Revocations revocations) {
    this.vertx = vertx;
    this.auth = auth;
    this.acceptSecret = acceptSecret && !auth.jwtSecret().isEmpty();
    this.revocations = revocations;
    this.clockMs = System::currentTimeMillis;
    rebuild();
  }

  /**
   * Whether HS256 tokens signed with {@code auth.jwtSecret} are accepted: in dev mode, and in prod mode only while
   * no asymmetric source ({@code auth.publicKeysPath}, {@code auth.jwksUrl}) is configured, so that a shared secret
   * cannot mint tokens beside an identity provider's keys.
   */
  public static boolean acceptsSecret(ArbiterConfig config) {
    return config.mode() == ArbiterConfig.Mode.DEV || !config.auth().asymmetric();
  }

  public Revocations revocations() {
    return revocations;
  }

  /**
   * Reads the key sources and keeps them fresh: fails when the PEM file cannot be read or holds anything but usable
   * public keys (a start must not run without the keys it was given); a JWKS that cannot be fetched at start is
   * logged, and fetched again on the first token that needs it.
   */
  public Future<Void> start(long pemScanMs) {
    Future<Void> pem = Future.succeededFuture();
    if (!auth.publicKeysPath().isEmpty()) {
      pem = readPem().recover(e -> Future.failedFuture(new IllegalStateException("config key auth.publicKeysPath ("
          + auth.publicKeysPath() + "): " + e.getMessage(), e)));
      vertx.setPeriodic(pemScanMs, id -> readPem().onFailure(e -> LOG.error(
          "auth.publicKeysPath {} not applied, the keys read before stay in force: {}", auth.publicKeysPath(),
          e.getMessage())));
    }
    if (!auth.jwksUrl().isEmpty()) {
      client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) JWKS_TIMEOUT_MS));
      fetchJwks().onFailure(e -> LOG.error("JWKS {} not fetched at start: {}", auth.jwksUrl(), e.getMessage()));
      vertx.setPeriodic(auth.jwksRefreshMs(), id -> fetchJwks().onFailure(e -> LOG.warn(
          "JWKS {} not fetched, the keys fetched before stay in force: {}", auth.jwksUrl(), e.getMessage())));
    }
    return pem;
  }

  private Future<Void> readPem() {
    return vertx.fileSystem().readFile(auth.publicKeysPath()).map(buffer -> {
      if (buffer.length() > JWKS_MAX_BYTES) {
        throw new IllegalArgumentException("the file is larger than " + JWKS_MAX_BYTES + " bytes");
      }
      String text = buffer.toString();
      if (!text.equals(pemText)) {
        List<PubSecKeyOptions> keys = TokenKeys.fromPem(text);
        pemText = text;
        pemKeys = keys;
        rebuild();
        LOG.info("auth.publicKeysPath: {} public keys in force", keys.size());
      }
      return null;
    });
  }

  /** Fetches the JWKS, or joins the fetch under way. Runs on whichever thread asks; the fetch itself is serialized. */
  private synchronized Future<Void> fetchJwks() {
    if (fetching != null) {
      return fetching;
    }
    lastFetchMs = clockMs.getAsLong();
    Promise<Void> done = Promise.promise();
    fetching = done.future();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(auth.jwksUrl())
        .setIdleTimeout(JWKS_TIMEOUT_MS).addHeader("Accept", "application/json");
    long deadline = vertx.setTimer(JWKS_TIMEOUT_MS, id -> done.tryFail("no JWKS within " + JWKS_TIMEOUT_MS + " ms"));
    client.request(request).compose(req -> req.send()).compose(response -> {
      if (response.statusCode() != 200) {
        return Future.failedFuture("the JWKS endpoint answered " + response.statusCode());
      }
      String length = response.getHeader("Content-Length");
      if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > JWKS_MAX_BYTES) {
        response.request().reset();
        return Future.failedFuture("the JWKS is larger than " + JWKS_MAX_BYTES + " bytes");
      }
      Promise<Buffer> body = Promise.promise();
      Buffer read = Buffer.buffer();
      response.handler(chunk -> {
        if (read.length() + chunk.length() > JWKS_MAX_BYTES) {
          body.tryFail("the JWKS is larger than " + JWKS_MAX_BYTES + " bytes");
          response.request().reset();
        } else {
          read.appendBuffer(chunk);
        }
      });
      response.endHandler(v -> body.tryComplete(read));
      response.exceptionHandler(body::tryFail);
      return body.future();
    }).map(buffer -> TokenKeys.fromJwks(new JsonObject(buffer))).onComplete(result -> {
      vertx.cancelTimer(deadline);
      if (result.succeeded()) {
        if (!result.result().equals(jwksKeys)) {
          jwksKeys = result.result();
          rebuild();
          LOG.info("JWKS {}: {} signing keys in force", auth.jwksUrl(), jwksKeys.size());
        }
        done.tryComplete();
      } else {
        done.tryFail(result.cause());
      }
    });
    return fetching.onComplete(r -> {
      synchronized (this) {
        fetching = null;
      }
    });
  }

  private void rebuild() {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(Jwt.verifying(auth));
    List<PubSecKeyOptions> keys = new ArrayList<>(pemKeys);
    if (acceptSecret) {
      keys.add(Jwt.secretKey(auth));
    }
    options.setPubSecKeys(keys);
    options.setJwks(new ArrayList<>(jwksKeys));
    current = JWTAuth.create(vertx, options);
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    JWTAuth provider = current;
    String token = credentials instanceof TokenCredentials tokenCredentials ? tokenCredentials.getToken() : null;
    User known = token == null ? null : verified.get(token, provider, auth.leewaySeconds());
    return (known != null ? Future.succeededFuture(known) : verify(provider, credentials, token)).compose(user -> {
      JsonObject claims = user.attributes().getJsonObject("accessToken");
      if (claims != null && revoked(claims)) {
        return Future.failedFuture(Failure.UNAUTHORIZED.exception("the token was revoked"));
      }
      return Future.succeededFuture(user);
    });
  }

  /**
   * Verifies the token with {@code provider}, the one in force, and once more after fetching the JWKS when no key
   * carries its {@code kid}; a token verified is remembered with the provider that verified it.
   */
  private Future<User> verify(JWTAuth provider, Credentials credentials, String token) {
    return remembered(provider, credentials, token).recover(e -> {
      if (e instanceof NoSuchKeyIdException && client != null
          && clockMs.getAsLong() - lastFetchMs >= MIN_FETCH_INTERVAL_MS) {
        return fetchJwks().transform(fetched -> remembered(current, credentials, token));
      }
      return Future.failedFuture(e);
    });
  }

  private Future<User> remembered(JWTAuth provider, Credentials credentials, String token) {
    return provider.authenticate(credentials).onSuccess(user -> {
      if (token != null) {
        verified.put(token, provider, user);
      }
    });
  }

  /**
   * The claims of {@code token} when its signature, expiry, issuer and audience hold, whether or not it is revoked
   * already (revoking it again changes nothing).
   */
  public Future<JsonObject> verifyForRevocation(String token) {
    return current.authenticate(new TokenCredentials(token))
        .map(user -> user.attributes().getJsonObject("accessToken"));
  }

  /** Whether the deny list names the token of these verified claims. */
  public boolean revoked(JsonObject claims) {
    return claims.getValue(Jwt.JTI_CLAIM) instanceof String jti
        && revocations.revoked(claims.getString(Jwt.TENANT_CLAIM), jti);
  }

  /** Signing is the {@code token} command's, with the secret; ingress only verifies. */
  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    throw new UnsupportedOperationException("ingress verifies tokens; it does not sign them");
  }

  @Override
  public String generateToken(JsonObject claims) {
    throw new UnsupportedOperationException("ingress verifies tokens; it does not sign them");
  }
}
