package io.arbiter.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Agents that take their work by push over the SockJS event-bus bridge ({@code /eventbus/websocket}, raw WebSocket
 * frames): each registers on {@code arbiter.agent.<id>.tasks}, acknowledges every pushed task with a request-reply
 * send to {@code .ack} and reports it succeeded on {@code .result}, and sends its own heartbeat on {@code .heartbeat}
 * every 10 s. Non-blocking, unlike the tests' {@code BridgeClient}, so that many tasks are in flight at once.
 */
final class BridgeAgents {

  private static final long HEARTBEAT_MS = 10_000;
  private static final long PING_MS = 5_000;
  private static final long REPLY_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final URI base;
  private final List<SimulatedAgents.Agent> agents;
  private final String taskType;
  private final WebSocketClient client;
  private final List<Channel> channels = new ArrayList<>();
  private final LongAdder succeeded = new LongAdder();
  final Tally errors = new Tally();
  private final Percentiles.Recorder ackMicros = new Percentiles.Recorder();
  private final Percentiles.Recorder resultMicros = new Percentiles.Recorder();

  BridgeAgents(Vertx vertx, URI base, List<SimulatedAgents.Agent> agents, String taskType) {
    this.vertx = vertx;
    this.base = base;
    this.agents = agents;
    this.taskType = taskType;
    this.client = vertx.createWebSocketClient();
  }

  /** Registers every agent over REST with the admin token: capability {@code taskType}, the given capacity. */
  Future<Void> register(ArbiterApi api, String adminToken, int capacity) {
    return SimulatedAgents.register(api, agents, adminToken, capacity, taskType);
  }

  /** Opens one bridge socket per agent and registers it on its tasks address. */
  Future<Void> start() {
    List<Future<Void>> all = new ArrayList<>();
    for (SimulatedAgents.Agent agent : agents) {
      all.add(client.connect(new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
          .setURI("/eventbus/websocket")).map(socket -> {
            Channel channel = new Channel(agent, socket);
            channels.add(channel);
            channel.open();
            return null;
          }));
    }
    return Future.all(all).mapEmpty();
  }

  Future<Void> stop() {
    List<Future<Void>> all = new ArrayList<>();
    for (Channel channel : channels) {
      all.add(channel.close());
    }
    return Future.join(all).transform(ar -> client.close());
  }

  long succeeded() {
    return succeeded.sum();
  }

  /** Client-side times (microseconds) of the bridge acks and results since the last call. */
  Map<String, long[]> drainCallMicros() {
    return Map.of("bridge-ack", ackMicros.drain(), "bridge-result", resultMicros.drain());
  }

  /** One agent's socket: pushed tasks in, request-reply sends out, replies matched by reply address. */
  private final class Channel {
    private final SimulatedAgents.Agent agent;
    private final WebSocket socket;
    private final Map<String, Consumer<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<Long> timers = new ArrayList<>();
    private final String prefix;
    private volatile boolean closing;

    Channel(SimulatedAgents.Agent agent, WebSocket socket) {
      this.agent = agent;
      this.socket = socket;
      this.prefix = "arbiter.agent." + agent.id();
    }

    void open() {
      socket.handler(this::frame);
      socket.closeHandler(v -> {
        if (!closing) {
          errors.add("bridge socket closed by the server", "status " + socket.closeStatusCode());
        }
      });
      write(new JsonObject().put("type", "register").put("address", prefix + ".tasks").put("headers", headers()));
      timers.add(vertx.setPeriodic(PING_MS, id -> write(new JsonObject().put("type", "ping"))));
      timers.add(vertx.setPeriodic(HEARTBEAT_MS, id -> request(".heartbeat", new JsonObject(), reply -> { })));
    }

    Future<Void> close() {
      closing = true;
      timers.forEach(vertx::cancelTimer);
      return socket.close();
    }

    private void frame(Buffer data) {
      JsonObject frame;
      try {
        frame = data.toJsonObject();
      } catch (RuntimeException notJson) {
        errors.add("bridge frame not JSON", data.toString());
        return;
      }
      String address = frame.getString("address");
      Consumer<JsonObject> waiting = address == null ? null : pending.remove(address);
      if (waiting != null) {
        waiting.accept(frame);
      } else if ((prefix + ".tasks").equals(address) && "rec".equals(frame.getString("type"))) {
        work(frame.getJsonObject("body", new JsonObject()));
      } else if ("err".equals(frame.getString("type"))) {
        errors.add("bridge err " + frame.getValue("failureCode"), frame.getString("message"));
      }
    }

    private void work(JsonObject delivery) {
      JsonObject ref = new JsonObject().put("taskId", delivery.getString("taskId"))
          .put("attempt", delivery.getInteger("attempt"));
      long acking = System.nanoTime();
      request(".ack", ref, ack -> {
        long reporting = System.nanoTime();
        ackMicros.add((reporting - acking) / 1000);
        if (!"rec".equals(ack.getString("type"))) {
          errors.add("bridge ack " + ack.getValue("failureCode"), ack.getString("message"));
          return;
        }
        JsonObject outcome = ref.copy().put("outcome", "succeeded").put("quality", 0.9).put("filesChanged", 3)
            .put("linesChanged", 120);
        request(".result", outcome, result -> {
          resultMicros.add((System.nanoTime() - reporting) / 1000);
          if ("rec".equals(result.getString("type"))) {
            succeeded.increment();
          } else {
            errors.add("bridge result " + result.getValue("failureCode"), result.getString("message"));
          }
        });
      });
    }

    private void request(String suffix, JsonObject body, Consumer<JsonObject> onReply) {
      String replyAddress = UUID.randomUUID().toString();
      pending.put(replyAddress, onReply);
      long timer = vertx.setTimer(REPLY_TIMEOUT_MS, id -> {
        if (pending.remove(replyAddress) != null) {
          errors.add("bridge " + suffix.substring(1) + " timeout", null);
        }
      });
      pending.put(replyAddress, reply -> {
        vertx.cancelTimer(timer);
        onReply.accept(reply);
      });
      write(new JsonObject().put("type", "send").put("address", prefix + suffix).put("headers", headers())
          .put("body", body).put("replyAddress", replyAddress));
    }

    private void write(JsonObject frame) {
      if (!closing) {
        socket.writeTextMessage(frame.encode()).onFailure(e -> errors.add("bridge write failed", e.getMessage()));
      }
    }

    private JsonObject headers() {
      return new JsonObject().put("authorization", "Bearer " + agent.token());
    }
  }
}
