package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ArbiterApp
@ExtendWith(VertxExtension.class)
@DisplayName("Live task and agent events over WebSocket and server-sent events")
class StreamsTest {

  private static final int MAX_STREAMS = 3;
  @ArbiterApp.Inject private static TestApp app;
  private static Vertx client;

  @ArbiterApp.Settings
  static Map<String, Object> settings() {
    return Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 100, "http.maxStreamsPerCaller", MAX_STREAMS);
  }

  @BeforeAll
  static void openClient() {
    client = Vertx.vertx();
  }

  @AfterAll
  static void closeClient() {
    TestApp.await(client.close());
  }

  private static int port() {
    return app.arbiter().port();
  }

  /** Kept in fields: a client nobody references may be closed by the garbage collector with its connections. */
  private static final java.util.Map<WebSocketClientOptions, WebSocketClient> WEB_SOCKETS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static WebSocket webSocket(String query, String token, WebSocketClientOptions options) {
    WebSocketClient webSockets = WEB_SOCKETS.computeIfAbsent(options, o -> client.createWebSocketClient(o));
    WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
        .setURI("/api/v1/stream" + query);
    if (token != null) {
      connect.addHeader("Authorization", "Bearer " + token);
    }
    return TestApp.await(webSockets.connect(connect));
  }

  /** Opens server-sent events and collects each {@code data:} line as JSON. */
  private static List<JsonObject> serverSentEvents(String query, List<String> raw) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    HttpClient http = client.createHttpClient();
    TestApp.await(http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port())
            .setURI("/api/v1/events" + query))
        .compose(req -> req.send()).map(resp -> {
          assertThat(resp.statusCode()).isEqualTo(200);
          assertThat(resp.getHeader("Content-Type")).isEqualTo("text/event-stream");
          StringBuilder pending = new StringBuilder();
          resp.handler(chunk -> {
            pending.append(chunk.toString());
            int end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
              String block = pending.substring(0, end);
              pending.delete(0, end + 2);
              raw.add(block);
              block.lines().filter(l -> l.startsWith("data: {")).forEach(l -> events.add(new JsonObject(l.substring(6))));
            }
          });
          return resp;
        }));
    return events;
  }

  /** A one-time stream ticket for {@code token}. */
  private static String ticket(String token) {
    Http.Reply issued = app.http().post("/api/v1/stream-tickets", token, null);
    assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
    return issued.json().getString("ticket");
  }

  private static String runTask(String tenant, String agentId) {
    return runTask(tenant, agentId, "streamed");
  }

  /** Registers the agent for {@code type}, submits one task of that type, and has the agent complete it. */
  private static String runTask(String tenant, String agentId, String type) {
    AgentClient agent = new AgentClient(app, tenant, agentId);
    agent.register(type, 1);
    String id = app.http().post("/api/v1/tasks", app.tokens().of(tenant, Role.SUBMITTER, "c"),
        new JsonObject().put("type", type)).json().getString("id");
    TestApp.eventually(Duration.ofSeconds(10), "delivery", () -> !agent.claim(0, 1).isEmpty());
    agent.ack(id, 1);
    agent.result(id, 1, "succeeded");
    return id;
  }

  @Test
  @DisplayName("a tenant's WebSocket sees its task's transitions in order; another tenant's SSE sees none of them")
  void tenantsSeeOnlyTheirOwnEvents() {
    List<JsonObject> seenByA = new CopyOnWriteArrayList<>();
    WebSocket ws = webSocket("", app.tokens().of("stream-a", Role.OPERATOR, "op"), new WebSocketClientOptions());
    ws.textMessageHandler(text -> seenByA.add(new JsonObject(text)));
    List<String> rawB = new CopyOnWriteArrayList<>();
    List<JsonObject> seenByB = serverSentEvents("?ticket=" + ticket(app.tokens().of("stream-b", Role.AUDITOR, "au")),
        rawB);

    String taskA = runTask("stream-a", "sa-1");
    String taskB = runTask("stream-b", "sb-1");

    TestApp.eventually(Duration.ofSeconds(10), "A sees its task succeed", () -> seenByA.stream()
        .anyMatch(e -> taskA.equals(e.getString("taskId")) && "task.succeeded".equals(e.getString("type"))));
    assertThat(seenByA.stream().filter(e -> taskA.equals(e.getString("taskId"))).map(e -> e.getString("type")))
        .containsExactly("task.queued", "task.assigned", "task.running", "task.succeeded");
    assertThat(seenByA).anyMatch(e -> "agent.registered".equals(e.getString("type")) && "sa-1".equals(e.getString("agentId")));
    TestApp.eventually(Duration.ofSeconds(10), "B sees its own task succeed", () -> seenByB.stream()
        .anyMatch(e -> taskB.equals(e.getString("taskId")) && "task.succeeded".equals(e.getString("type"))));
    assertThat(seenByB).noneMatch(e -> taskA.equals(e.getString("taskId")) || "sa-1".equals(e.getString("agentId")));
    assertThat(seenByA).noneMatch(e -> taskB.equals(e.getString("taskId")));
    assertThat(rawB).anyMatch(block -> block.startsWith("event: task.succeeded\nid: "));
    TestApp.await(ws.close());
  }

  @Test
  @DisplayName("filters by task and by type prefix")
  void filters() {
    List<JsonObject> succeeded = new CopyOnWriteArrayList<>();
    WebSocket ws = webSocket("?type=task.succeeded", app.tokens().of("stream-f", Role.SUBMITTER, "s"),
        new WebSocketClientOptions());
    ws.textMessageHandler(text -> succeeded.add(new JsonObject(text)));
    List<JsonObject> agentEvents = serverSentEvents("?type=agent.&ticket="
        + ticket(app.tokens().of("stream-f", Role.ADMIN, "a")), new CopyOnWriteArrayList<>());
    String id = runTask("stream-f", "sf-1");
    TestApp.eventually(Duration.ofSeconds(10), "the success arrives", () -> !succeeded.isEmpty());
    assertThat(succeeded).allMatch(e -> "task.succeeded".equals(e.getString("type")));
    assertThat(succeeded.get(0).getString("taskId")).isEqualTo(id);
    TestApp.eventually(Duration.ofSeconds(10), "the registration arrives", () -> !agentEvents.isEmpty());
    assertThat(agentEvents).allMatch(e -> e.getString("type").startsWith("agent."));
    TestApp.await(ws.close());
  }

  @Test
  @DisplayName("an agent's stream shows its own work only, and asking for another agent's answers 403")
  void agentsSeeOnlyTheirOwnWork() {
    List<JsonObject> seenByOne = serverSentEvents("?ticket=" + ticket(app.tokens().agent("stream-g", "sg-1")),
        new CopyOnWriteArrayList<>());
    String other = runTask("stream-g", "sg-2", "streamed-other");
    String own = runTask("stream-g", "sg-1", "streamed-own");
    TestApp.eventually(Duration.ofSeconds(10), "the agent sees its own task succeed", () -> seenByOne.stream()
        .anyMatch(e -> own.equals(e.getString("taskId")) && "task.succeeded".equals(e.getString("type"))));
    assertThat(seenByOne).noneMatch(e -> other.equals(e.getString("taskId")) || "sg-2".equals(e.getString("agentId")));
    HttpClient http = client.createHttpClient();
    int status = TestApp.await(http.request(HttpMethod.GET, port(), "127.0.0.1",
        "/api/v1/events?agent=sg-2&ticket="
        + ticket(app.tokens().agent("stream-g", "sg-1"))).compose(req -> req.send()).map(resp -> resp.statusCode()));
    assertThat(status).isEqualTo(403);
  }

  @Test
  @DisplayName("a stream closes when its token expires: SSE with an expired event, the WebSocket with 1008")
  void streamsCloseWhenTheirTokenExpires() {
    List<String> raw = new CopyOnWriteArrayList<>();
    serverSentEvents("?ticket=" + ticket(app.tokens().lasting("stream-x", Role.OPERATOR, "op",
        Duration.ofSeconds(2))), raw);
    AtomicReference<Short> closedWith = new AtomicReference<>();
    WebSocket ws = webSocket("", app.tokens().lasting("stream-x", Role.OPERATOR, "op", Duration.ofSeconds(2)),
        new WebSocketClientOptions());
    ws.closeHandler(v -> closedWith.set(ws.closeStatusCode()));
    TestApp.eventually(Duration.ofSeconds(10), "both streams close at the token's expiry",
        () -> closedWith.get() != null && raw.stream().anyMatch(block -> block.startsWith("event: expired")));
    assertThat(closedWith.get()).isEqualTo((short) 1008);
  }

  @Test
  @DisplayName("a caller with http.maxStreamsPerCaller streams open gets 429 for one more, and one once one closed")
  void streamsPerCallerAreBounded() {
    String token = app.tokens().of("stream-c", Role.OPERATOR, "many");
    List<WebSocket> open = new java.util.ArrayList<>();
    for (int i = 0; i < MAX_STREAMS; i++) {
      open.add(webSocket("", token, new WebSocketClientOptions()));
    }
    HttpClient http = client.createHttpClient();
    java.util.function.Supplier<Integer> oneMore = () -> TestApp.await(http.request(HttpMethod.GET, port(), "127.0.0.1",
        "/api/v1/events?ticket=" + ticket(token)).compose(req -> req.send()).map(resp -> {
          int status = resp.statusCode();
          resp.request().connection().close();
          return status;
        }));
    assertThat(oneMore.get()).isEqualTo(429);
    TestApp.await(open.get(0).close());
    TestApp.eventually(Duration.ofSeconds(5), "a closed stream frees its place", () -> oneMore.get() == 200);
    open.subList(1, MAX_STREAMS).forEach(ws -> TestApp.await(ws.close()));
  }

  @Test
  @DisplayName("a ticket opens one stream, once; a used, forged or altered ticket and a token in the URL answer 401")
  void ticketsOpenOneStreamOnce() {
    String token = app.tokens().of("stream-t", Role.OPERATOR, "op");
    Http.Reply issued = app.http().post("/api/v1/stream-tickets", token, null);
    assertThat(issued.status()).isEqualTo(201);
    String ticket = issued.json().getString("ticket");
    assertThat(ticket).doesNotContain(token);
    assertThat(issued.json().getLong("expiresAt")).isGreaterThan(System.currentTimeMillis());
    HttpClient http = client.createHttpClient();
    java.util.function.Function<String, Http.Reply> open = query -> TestApp.await(http.request(HttpMethod.GET, port(),
        "127.0.0.1", "/api/v1/events?" + query).compose(req -> req.send()).compose(resp -> {
          if (resp.statusCode() == 200) {
            resp.request().connection().close();
            return io.vertx.core.Future.succeededFuture(new Http.Reply(200, resp.headers(), Buffer.buffer(), 0));
          }
          return resp.body().map(body -> new Http.Reply(resp.statusCode(), resp.headers(), body, 0));
        }));
    assertThat(open.apply("ticket=" + ticket).status()).as("the first use").isEqualTo(200);
    Http.Reply again = open.apply("ticket=" + ticket);
    assertThat(again.status()).as("a second use").isEqualTo(401);
    assertThat(again.text()).contains("used already");
    String forged = ticket.substring(0, ticket.indexOf('.')) + ".AAAA";
    assertThat(open.apply("ticket=" + forged).status()).as("a forged signature").isEqualTo(401);
    assertThat(open.apply("ticket=" + "x.".repeat(1500)).status()).as("an oversized ticket").isEqualTo(401);
    Http.Reply inUrl = open.apply("access_token=" + token);
    assertThat(inUrl.status()).as("a token in the URL").isEqualTo(401);
    assertThat(inUrl.text()).contains("stream-tickets").doesNotContain(token);
    assertThat(app.http().post("/api/v1/stream-tickets", null, null).status()).as("a ticket needs a token")
        .isEqualTo(401);
  }

  @Test
  @DisplayName("without a valid token the streams answer 401")
  void streamsNeedAToken(VertxTestContext test) {
    HttpClient http = client.createHttpClient();
    int status = TestApp.await(http.request(HttpMethod.GET, port(), "127.0.0.1", "/api/v1/events?access_token=nope")
        .compose(req -> req.send()).map(resp -> resp.statusCode()));
    assertThat(status).isEqualTo(401);
    client.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
        .setURI("/api/v1/stream")).onComplete(test.failing(refused -> test.verify(() -> {
          assertThat(refused.getMessage()).contains("401");
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a WebSocket client that stops reading is closed with 1008 and a reason, not buffered without bound")
  void slowConsumerIsDropped() throws Exception {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port()));
      String token = app.tokens().of("stream-slow", Role.OPERATOR, "op");
      socket.getOutputStream().write(("GET /api/v1/stream?type=task.queued HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " + token + "\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.readUnsignedByte());
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 101");

      // the client now reads nothing while the tenant's events pile up
      String submitter = app.tokens().of("stream-slow", Role.SUBMITTER, "s");
      for (int batch = 0; batch < 30; batch++) {
        JsonArray tasks = new JsonArray();
        IntStream.range(0, 1000).forEach(i -> tasks.add(new JsonObject().put("type", "never-routed")
            .put("payload", new JsonObject().put("n", i))));
        assertThat(app.http().post("/api/v1/task-batches", submitter, new JsonObject().put("tasks", tasks)).status())
            .isEqualTo(202);
      }

      socket.setSoTimeout(30_000);
      int frames = 0;
      while (true) {
        int opcode = in.readUnsignedByte() & 0x0f;
        long length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] payload = in.readNBytes((int) length);
        if (opcode == 0x8) {
          int status = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
          String reason = new String(payload, 2, payload.length - 2, java.nio.charset.StandardCharsets.UTF_8);
          assertThat(status).isEqualTo(1008);
          assertThat(reason).contains("slow consumer");
          assertThat(frames).as("events sent before the drop").isPositive();
          return;
        }
        frames++;
      }
    }
  }
}
