package io.arbiter.bus;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every failure that can cross the event bus or reach a client. Each has a fixed integer {@link #code} (sent with
 * {@code message.fail(code, detail)}), the HTTP status it maps to, and an RFC 9457 problem type. Codes never change
 * once published; never derive them from {@code ordinal()}.
 */
public enum Failure {
  BAD_REQUEST(4000, 400, "bad-request", "The request is invalid"),
  UNAUTHORIZED(4010, 401, "unauthorized", "Authentication is required"),
  FORBIDDEN(4030, 403, "forbidden", "The caller may not do this"),
  NOT_FOUND(4040, 404, "not-found", "No such resource"),
  METHOD_NOT_ALLOWED(4050, 405, "method-not-allowed", "The method is not allowed on this resource"),
  REQUEST_TIMEOUT(4080, 408, "request-timeout", "The request body did not arrive in time"),
  CONFLICT(4090, 409, "conflict", "The request conflicts with the current state"),
  PAYLOAD_TOO_LARGE(4130, 413, "payload-too-large", "The request body is too large"),
  URI_TOO_LONG(4140, 414, "uri-too-long", "The request line is too long"),
  UNSUPPORTED_MEDIA_TYPE(4150, 415, "unsupported-media-type", "The content type is not supported"),
  UNPROCESSABLE(4220, 422, "unprocessable", "The request breaks a rule"),
  RATE_LIMITED(4290, 429, "rate-limited", "Too many requests"),
  HEADERS_TOO_LARGE(4310, 431, "headers-too-large", "The request headers are too large"),
  INTERNAL(5000, 500, "internal", "Internal error"),
  UNAVAILABLE(5030, 503, "unavailable", "The database is unavailable; retry later"),
  OVERLOADED(5031, 503, "overloaded", "Arbiter is overloaded or shutting down; retry shortly"),
  TIMEOUT(5040, 504, "timeout", "The request took too long");

  private static final Map<Integer, Failure> BY_CODE =
      Arrays.stream(values()).collect(Collectors.toMap(f -> f.code, Function.identity()));

  public static final String PROBLEM_CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_BASE = "https://arbiter.dev/problems/";

  public final int code;
  public final int httpStatus;
  public final String slug;
  public final String title;

  Failure(int code, int httpStatus, String slug, String title) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.slug = slug;
    this.title = title;
  }

  /** The failure for a bus code; an unknown code is {@link #INTERNAL}. */
  public static Failure fromCode(int code) {
    return BY_CODE.getOrDefault(code, INTERNAL);
  }

  /** The {@code application/problem+json} body: type, title, status, detail, code. */
  public JsonObject problem(String detail) {
    return new JsonObject()
        .put("type", TYPE_BASE + slug)
        .put("title", title)
        .put("status", httpStatus)
        .put("detail", detail == null ? title : detail)
        .put("code", code);
  }

  /** A failed future's cause carrying this failure and a detail that is safe to show. */
  public ArbiterException exception(String detail) {
    return new ArbiterException(this, detail);
  }

  /** Whether {@code error} is this failure. */
  public boolean is(Throwable error) {
    return error instanceof ArbiterException known && known.failure() == this;
  }
}
