package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.AgentClient;
import io.arbiter.support.ArbiterApp;
import io.arbiter.support.Http;
import io.arbiter.support.LogCapture;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a client without a token, or with a slow body, or with many connections, can take from ingress: raw sockets,
 * so that a test can announce a body and not send it, or keep connections open.
 */
@ArbiterApp
@DisplayName("Ingress spends nothing on unauthenticated callers and bounds slow bodies and connections")
class IngressLimitsTest {

  /** Above what the test client keeps open from 127.0.0.1 (each test's raw sockets use an address of their own). */
  private static final int MAX_CONNECTIONS = 24;
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: (\\d{1,9})");
  @ArbiterApp.Inject private static TestApp app;
  private static String token;

  @ArbiterApp.Settings
  static Map<String, Object> settings() {
    return Map.of("http.bodyTimeoutMs", 500, "http.maxInFlight", 1, "http.maxConnectionsPerAddress", MAX_CONNECTIONS);
  }

  @BeforeAll
  static void adminToken() {
    token = app.tokens().admin("acme");
  }

  /**
   * A connection from {@code from}, a loopback address of the test's own, so that the connections the test client
   * keeps from 127.0.0.1 do not count against the cap the test measures.
   */
  private static Socket connect(String from) throws IOException {
    Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), app.arbiter().port(), InetAddress.getByName(from),
        0);
    socket.setSoTimeout(5_000);
    return socket;
  }

  /** Request headers announcing {@code length} bytes of JSON body, with the bearer token when given. */
  private static String head(String path, String bearer, int length) {
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
        + length + "\r\n" + (bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n") + "\r\n";
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** The status line and headers of the next response; its body (by its Content-Length) is read and dropped. */
  private static String responseHead(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    Matcher length = CONTENT_LENGTH.matcher(text);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
    return text;
  }

  /** Whether the server closed the connection: a read ends instead of timing out. */
  private static boolean closedByServer(Socket socket) throws IOException {
    try {
      InputStream in = socket.getInputStream();
      while (in.read() >= 0) {
        // the rest of a response
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Test
  @DisplayName("a request without a valid token answers 401 before its body is read and takes no in-flight slot")
  void tokenIsCheckedBeforeTheBodyAndAdmission() throws Exception {
    try (Socket holder = connect("127.0.0.2"); Socket anonymous = connect("127.0.0.2"); Socket second = connect("127.0.0.2")) {
      // an authenticated request whose body has not arrived holds the one in-flight slot
      send(holder, head("/api/v1/tasks", token, 1000) + "{\"type\":");
      // without a token: refused at once, with its announced body never sent and the slot taken
      send(anonymous, head("/api/v1/tasks", null, 1000));
      assertThat(responseHead(anonymous)).startsWith("HTTP/1.1 401");
      // with a token: refused by admission, the slot being taken
      send(second, head("/api/v1/tasks", token, 2) + "{}");
      assertThat(responseHead(second)).startsWith("HTTP/1.1 503");
      // the holder's body never completes: 408, and its connection is closed
      assertThat(responseHead(holder)).startsWith("HTTP/1.1 408");
      assertThat(closedByServer(holder)).isTrue();
    }
    TestApp.eventually(Duration.ofSeconds(5), "the in-flight slot is free again",
        () -> app.http().get("/api/v1/agents", token).status() == 200);
  }

  @Test
  @DisplayName("connections from one address beyond the cap are closed at once, and the others keep working")
  void connectionsPerAddressAreCapped() throws Exception {
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        Socket socket = connect("127.0.0.3");
        send(socket, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(responseHead(socket)).startsWith("HTTP/1.1 200");
        open.add(socket);
      }
      try (Socket extra = connect("127.0.0.3")) {
        send(extra, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(closedByServer(extra)).as("the connection beyond the cap").isTrue();
      }
      send(open.get(0), "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(responseHead(open.get(0))).startsWith("HTTP/1.1 200");
    } finally {
      for (Socket socket : open) {
        socket.close();
      }
    }
    TestApp.eventually(Duration.ofSeconds(5), "closed connections no longer count",
        () -> app.http().get("/health/live", null).status() == 200);
  }

  @Test
  @DisplayName("an agent with tasks.maxWaitingClaims claims waiting gets 429 for one more, at once")
  void waitingClaimsPerAgentAreBounded() throws Exception {
    AgentClient agent = new AgentClient(app, "acme", "eager-agent");
    assertThat(agent.register("eager", 4).status()).isEqualTo(201);
    String self = app.tokens().agent("acme", "eager-agent");
    ExecutorService loops = Executors.newFixedThreadPool(5);
    try {
      List<Future<Http.Reply>> claims = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        claims.add(loops.submit(() -> app.http().post("/api/v1/agents/eager-agent/claim?wait=20", self, null)));
      }
      TestApp.eventually(Duration.ofSeconds(10), "one of five waiting claims is refused",
          () -> claims.stream().anyMatch(Future::isDone));
      List<Http.Reply> answered = new ArrayList<>();
      for (Future<Http.Reply> claim : claims) {
        if (claim.isDone()) {
          answered.add(claim.get());
        }
      }
      assertThat(answered).hasSize(1);
      assertThat(answered.get(0).status()).isEqualTo(429);
      assertThat(answered.get(0).header("Retry-After")).isNotNull();
      assertThat(answered.get(0).json().getString("detail")).contains("tasks.maxWaitingClaims");
    } finally {
      loops.shutdownNow();
    }
  }

  @Test
  @DisplayName("a client that closes its connection in the middle of its body is logged as gone, not as an error")
  void aClientLeavingMidBodyIsNoError() throws Exception {
    // an application of its own: this class's bodies time out after 500 ms, sooner than a busy machine polls
    try (TestApp own = TestApp.start(Map.of()); LogCapture logs = LogCapture.attach()) {
      try (Socket socket = new Socket("127.0.0.1", own.arbiter().port())) {
        send(socket, head("/api/v1/tasks", own.tokens().admin("acme"), 1_000) + "{\"type\": ");
        TestApp.eventually(Duration.ofSeconds(10), "the request is being read", () -> own.http().get("/metrics", null)
            .text().contains("arbiter_http_in_flight 1.0"));
      }
      TestApp.eventually(Duration.ofSeconds(10), "the request is over", () -> own.http().get("/metrics", null)
          .text().contains("arbiter_http_in_flight 0.0"));
      assertThat(logs.lines()).noneMatch(line -> line.contains("\"level\":\"ERROR\""));
    }
  }

  @Test
  @DisplayName("long-polling claims whose connections close free their agent's places at once")
  void claimsOfAClientThatLeftFreeTheirPlaces() throws Exception {
    // an application of its own, so that its gauge of waiting claims counts this test's claims only
    try (TestApp own = TestApp.start(Map.of("tasks.maxWaitingClaims", 2))) {
      AgentClient agent = new AgentClient(own, "acme", "leaving-agent");
      assertThat(agent.register("leaving", 4).status()).isEqualTo(201);
      String self = own.tokens().agent("acme", "leaving-agent");
      String claim = "POST /api/v1/agents/leaving-agent/claim?wait=30 HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Length: 0\r\nAuthorization: Bearer " + self + "\r\n\r\n";
      List<Socket> polls = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket poll = new Socket("127.0.0.1", own.arbiter().port());
          send(poll, claim);
          polls.add(poll);
        }
        TestApp.eventually(Duration.ofSeconds(10), "two long polls wait", () -> own.http().get("/metrics", null)
            .text().contains("arbiter_claims_waiting 2.0"));
        assertThat(own.http().post("/api/v1/agents/leaving-agent/claim?wait=1", self, null).status())
            .as("the agent's two places are taken").isEqualTo(429);
      } finally {
        for (Socket poll : polls) {
          poll.close();
        }
      }
      TestApp.eventually(Duration.ofSeconds(10), "the claims of the client that left stop waiting",
          () -> own.http().get("/metrics", null).text().contains("arbiter_claims_waiting 0.0"));
      assertThat(own.http().post("/api/v1/agents/leaving-agent/claim?wait=1", self, null).status())
          .as("a claim after the client left waits, and answers empty").isEqualTo(204);
    }
  }

  @Test
  @DisplayName("a request line or headers too long for the decoder get a problem body, and the connection closes")
  void unreadableRequestsGetAProblem() throws IOException {
    String longLine = "GET /api/v1/tasks?x=" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    String bigHeaders = "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + "b".repeat(9_000)
        + "\r\n\r\n";
    for (String[] probe : new String[][] {{longLine, "414", "uri-too-long"}, {bigHeaders, "431", "headers-too-large"}}) {
      try (Socket socket = connect("127.0.0.3")) {
        send(socket, probe[0]);
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).matches("(?s)HTTP/1\\.[01] " + probe[1] + " .*").contains("application/problem+json")
            .contains("https://arbiter.dev/problems/" + probe[2]);
      }
    }
  }
}
