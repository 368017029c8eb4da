package io.arbiter.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;

/** Assertions on problem responses. */
public final class Problems {
  private Problems() {}

  /** The reply is {@code failure}'s status with a complete {@code application/problem+json} body; returns the body. */
  public static JsonObject assertProblem(Http.Reply reply, Failure failure) {
    assertThat(reply.status()).as("status of %s", reply).isEqualTo(failure.httpStatus);
    assertThat(reply.header("Content-Type")).as("content type of %s", reply).startsWith(Failure.PROBLEM_CONTENT_TYPE);
    JsonObject body = reply.json();
    assertThat(body.getString("type")).endsWith("/" + failure.slug);
    assertThat(body.getString("title")).isEqualTo(failure.title);
    assertThat(body.getInteger("status")).isEqualTo(failure.httpStatus);
    assertThat(body.getInteger("code")).isEqualTo(failure.code);
    assertThat(body.getString("detail")).isNotBlank();
    return body;
  }
}
