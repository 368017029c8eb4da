package io.arbiter.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A blocking HTTP client for tests: real HTTP to the app, answers as {@link Reply}. */
public final class Http {

  private final WebClient client;

  Http(Vertx vertx, int port) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** One HTTP answer. */
  public record Reply(int status, MultiMap headers, Buffer body, long elapsedNanos) {
    public JsonObject json() {
      return body == null || body.length() == 0 ? new JsonObject() : body.toJsonObject();
    }

    public String header(String name) {
      return headers.get(name);
    }

    public String text() {
      return body == null ? "" : body.toString();
    }

    @Override
    public String toString() {
      return status + " " + text();
    }
  }

  public Reply get(String path, String token) {
    return send(HttpMethod.GET, path, token, null, null);
  }

  public Reply post(String path, String token, JsonObject body) {
    return send(HttpMethod.POST, path, token, "application/json", body == null ? null : body.toBuffer());
  }

  public Reply patch(String path, String token, JsonObject body) {
    return send(HttpMethod.PATCH, path, token, "application/json", body.toBuffer());
  }

  public Reply delete(String path, String token) {
    return send(HttpMethod.DELETE, path, token, null, null);
  }

  public Reply send(HttpMethod method, String path, String token, String contentType, Buffer body) {
    return send(method, path, token, contentType, body, MultiMap.caseInsensitiveMultiMap());
  }

  public Reply send(HttpMethod method, String path, String token, String contentType, Buffer body, MultiMap headers) {
    HttpRequest<Buffer> request = client.request(method, path).putHeaders(headers);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    long started = System.nanoTime();
    HttpResponse<Buffer> response = TestApp.await(body == null ? request.send() : request.sendBuffer(body));
    return new Reply(response.statusCode(), response.headers(), response.body(), System.nanoTime() - started);
  }
}
