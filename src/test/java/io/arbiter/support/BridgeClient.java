package io.arbiter.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A SockJS event-bus bridge client for tests: the raw WebSocket endpoint {@code /eventbus/websocket}, speaking the
 * bridge's JSON frames ({@code send}, {@code register}, {@code ping}; {@code rec} and {@code err} back, as text or
 * binary messages). It pings
 * every second, as the npm client does, so the bridge keeps it open. Every frame received is kept, in order.
 */
public final class BridgeClient implements AutoCloseable {

  private final Vertx vertx;
  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final long pingTimer;
  private volatile boolean closed;
  private volatile Short closeStatus;

  private BridgeClient(Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.handler(data -> frames.add(data.toJsonObject()));
    socket.closeHandler(v -> {
      closeStatus = socket.closeStatusCode();
      closed = true;
    });
    this.pingTimer = vertx.setPeriodic(1000, id -> {
      if (!closed) {
        socket.writeTextMessage(new JsonObject().put("type", "ping").encode());
      }
    });
  }

  public static BridgeClient connect(Vertx vertx, int port) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket socket = TestApp.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/eventbus/websocket")));
    return new BridgeClient(vertx, client, socket);
  }

  /** Registers on {@code address} with the token in the {@code authorization} header (null: no header). */
  public void register(String address, String token) {
    write(new JsonObject().put("type", "register").put("address", address).put("headers", headers(token)));
  }

  /** Sends {@code body} to {@code address} with a reply address; returns that reply address. */
  public String send(String address, String token, Object body) {
    String replyAddress = UUID.randomUUID().toString();
    write(new JsonObject().put("type", "send").put("address", address).put("headers", headers(token))
        .put("body", body).put("replyAddress", replyAddress));
    return replyAddress;
  }

  /** A request-reply send: the reply frame, {@code rec} with the body or {@code err} with failureCode and message. */
  public JsonObject request(String address, String token, Object body) {
    String replyAddress = send(address, token, body);
    return awaitFrame(Duration.ofSeconds(10), "a reply on " + address, replyAddress);
  }

  public void publish(String address, String token, Object body) {
    write(new JsonObject().put("type", "publish").put("address", address).put("headers", headers(token))
        .put("body", body));
  }

  /** The first frame for {@code address} (a reply address, or a registered one), waiting up to {@code timeout}. */
  public JsonObject awaitFrame(Duration timeout, String what, String address) {
    JsonObject[] found = new JsonObject[1];
    TestApp.eventually(timeout, what, () -> {
      found[0] = frames.stream().filter(f -> address.equals(f.getString("address"))).findFirst().orElse(null);
      return found[0] != null;
    });
    return found[0];
  }

  /** The frames received on {@code address} so far. */
  public List<JsonObject> frames(String address) {
    return frames.stream().filter(f -> address.equals(f.getString("address"))).toList();
  }

  public List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  /** The status the server closed the socket with, or null while it is open. */
  public Short closeStatus() {
    return closeStatus;
  }

  public boolean isClosed() {
    return closed;
  }

  private void write(JsonObject frame) {
    TestApp.await(socket.writeTextMessage(frame.encode()));
  }

  private static JsonObject headers(String token) {
    return token == null ? new JsonObject() : new JsonObject().put("authorization", "Bearer " + token);
  }

  @Override
  public void close() {
    vertx.cancelTimer(pingTimer);
    if (!closed) {
      TestApp.await(socket.close());
    }
    TestApp.await(client.close());
  }
}
