package io.arbiter.callback;

import io.arbiter.Version;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Posts one signed callback and answers the receiver's HTTP status. The try is bounded by {@code callbacks.timeoutMs}
 * from its start to the response's status line; redirects are not followed (the status is the answer), and the
 * response body is read only to be discarded, and only up to {@link #MAX_RESPONSE_BYTES}: past that the stream is
 * reset, so that no receiver can hold a connection by streaming.
 */
final class Sender {

  /** The most response body bytes read (and discarded) to keep the connection for the next try. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final HttpClient client;
  private final String secret;
  private final long timeoutMs;

  Sender(Vertx vertx, CallbackSettings settings) {
    this.vertx = vertx;
    this.secret = settings.signingSecret();
    this.timeoutMs = settings.timeoutMs();
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) timeoutMs).setKeepAlive(true).setVerifyHost(true),
        new PoolOptions().setHttp1MaxSize(8));
  }

  /** The receiver's status; a failed future when none came in time (the message says why, without the URL). */
  Future<Integer> post(Due due, long unixSeconds) {
    Buffer body = due.body();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(due.url())
        .setFollowRedirects(false).setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
        .putHeader("Content-Type", "application/json").putHeader("User-Agent", "Arbiter/" + Version.NUMBER)
        .putHeader(Signature.HEADER, Signature.header(secret, unixSeconds, body.getBytes()))
        .putHeader("Arbiter-Delivery", due.deliveryId());
    Promise<Integer> answered = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, id -> answered.tryFail("no answer within " + timeoutMs + " ms"));
    client.request(options).compose(request -> {
      answered.future().onFailure(e -> request.reset());
      return request.send(body);
    }).onSuccess(response -> {
      long[] read = {0};
      response.handler(chunk -> {
        read[0] += chunk.length();
        if (read[0] > MAX_RESPONSE_BYTES) {
          response.request().reset();
        }
      });
      response.exceptionHandler(e -> { });
      answered.tryComplete(response.statusCode());
    }).onFailure(e -> answered.tryFail(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    return answered.future().onComplete(done -> vertx.cancelTimer(timer));
  }

  Future<Void> close() {
    return client.close();
  }
}
