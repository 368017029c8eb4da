package io.arbiter.http;

import io.arbiter.bus.Failure;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers a request the HTTP decoder could not read (a request line over 4,096 bytes, headers over 8 KiB, a malformed
 * line) with a problem body like every other refusal, then closes the connection: what follows on it cannot be
 * trusted to start a request.
 */
final class InvalidRequests {

  private InvalidRequests() {}

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Failure failure;
    String detail;
    if (cause instanceof TooLongHttpLineException) {
      failure = Failure.URI_TOO_LONG;
      detail = "the request line is longer than 4096 bytes";
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      failure = Failure.HEADERS_TOO_LARGE;
      detail = "the request headers are larger than 8192 bytes";
    } else {
      failure = Failure.BAD_REQUEST;
      detail = "the request could not be read as HTTP/1.1";
    }
    request.response().setStatusCode(failure.httpStatus)
        .putHeader(HttpHeaders.CONTENT_TYPE, Failure.PROBLEM_CONTENT_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(failure.problem(detail).encode())
        .onComplete(done -> request.connection().close());
  }
}
