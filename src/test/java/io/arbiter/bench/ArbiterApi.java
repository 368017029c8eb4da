package io.arbiter.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Arbiter's REST API over Vert.x web clients whose connection pools hold at most {@code connections} each: one client
 * per node, the requests taking the nodes in turn.
 */
final class ArbiterApi {

  static final String PREFIX = "/api/v1";

  private final List<WebClient> clients;
  private final AtomicInteger turn = new AtomicInteger();

  ArbiterApi(Vertx vertx, URI base, int connections) {
    this(vertx, List.of(base), connections);
  }

  ArbiterApi(Vertx vertx, List<URI> nodes, int connections) {
    this.clients = nodes.stream().map(base -> {
      boolean https = "https".equalsIgnoreCase(base.getScheme());
      int port = base.getPort() > 0 ? base.getPort() : https ? 443 : 80;
      WebClientOptions options = new WebClientOptions().setDefaultHost(base.getHost()).setDefaultPort(port)
          .setSsl(https).setKeepAlive(true).setTcpNoDelay(true).setUserAgent("arbiter-bench");
      return WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(connections));
    }).toList();
  }

  private WebClient client() {
    return clients.size() == 1 ? clients.get(0) : clients.get(Math.floorMod(turn.getAndIncrement(), clients.size()));
  }

  /** POST {@code /api/v1 + path} (which may carry a query string), with a JSON body unless {@code body} is null. */
  Future<HttpResponse<Buffer>> post(String path, String token, JsonObject body, long timeoutMs) {
    HttpRequest<Buffer> request = client().post(PREFIX + path).timeout(timeoutMs)
        .putHeader("Authorization", "Bearer " + token);
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  /** PATCH {@code /api/v1 + path} with a JSON body. */
  Future<HttpResponse<Buffer>> patch(String path, String token, JsonObject body, long timeoutMs) {
    return client().patch(PREFIX + path).timeout(timeoutMs).putHeader("Authorization", "Bearer " + token)
        .sendJsonObject(body);
  }

  Future<HttpResponse<Buffer>> get(String path, String token, long timeoutMs) {
    return client().get(PREFIX + path).timeout(timeoutMs).putHeader("Authorization", "Bearer " + token).send();
  }

  Future<HttpResponse<Buffer>> delete(String path, String token, long timeoutMs) {
    return client().delete(PREFIX + path).timeout(timeoutMs).putHeader("Authorization", "Bearer " + token).send();
  }

  void close() {
    clients.forEach(WebClient::close);
  }

  /** The response body as text, for error reports. */
  static String text(HttpResponse<Buffer> response) {
    Buffer body = response.body();
    return body == null ? "" : body.toString();
  }

  /** The response body as JSON, or an empty object when it is empty or not JSON. */
  static JsonObject json(HttpResponse<Buffer> response) {
    Buffer body = response.body();
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    try {
      return body.toJsonObject();
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }
}
