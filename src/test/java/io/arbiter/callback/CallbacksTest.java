package io.arbiter.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.Arbiter;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.LogCapture;
import io.arbiter.support.TestApp;
import io.arbiter.support.Trees;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Completion callbacks")
class CallbacksTest {

  private static final String TENANT = "callbacks";
  private static final String SIGNING_SECRET = "callback-signing-" + java.util.UUID.randomUUID();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static LogCapture logs;
  private static Receiver receiver;
  private static TestApp app;
  private static String admin;

  /** Callbacks on for 127.0.0.1, with quick retries and passes. */
  private static Map<String, Object> settings() {
    return Map.of("log.level", "DEBUG", "callbacks.allowedHosts", "127.0.0.1", "callbacks.signingSecret",
        SIGNING_SECRET, "callbacks.backoffBaseMs", 50, "callbacks.backoffCapMs", 200, "callbacks.pollIntervalMs", 50,
        "callbacks.timeoutMs", 1000);
  }

  @BeforeAll
  static void boot() {
    logs = LogCapture.attach();
    receiver = new Receiver();
    app = TestApp.start(settings());
    admin = app.tokens().admin(TENANT);
  }

  @AfterAll
  static void shutdown() {
    try {
      app.close();
      receiver.close();
    } finally {
      logs.close();
    }
    assertThat(logs.lines()).as("log lines were captured").isNotEmpty();
    assertThat(logs.lines()).as("no log line holds the signing secret or the receiver's token").noneMatch(line ->
        line.contains(SIGNING_SECRET) || line.contains("receiver-token"));
  }

  /** A task of a type no agent takes, so that it stays queued until canceled. */
  private static JsonObject task(String url) {
    return task("unassigned", url);
  }

  private static JsonObject task(String type, String url) {
    return new JsonObject().put("type", type).put("payload", new JsonObject().put("n", 1))
        .put("callback", new JsonObject().put("url", url));
  }

  private static String submit(TestApp on, String url) {
    Http.Reply reply = on.http().post("/api/v1/tasks", on.tokens().admin(TENANT), task(url));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private static void cancel(TestApp on, String taskId) {
    Http.Reply reply = on.http().post("/api/v1/tasks/" + taskId + "/cancel", on.tokens().admin(TENANT), null);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
  }

  private static JsonObject callback(String taskId) {
    Http.Reply reply = app.http().get("/api/v1/tasks/" + taskId + "/callback", admin);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    return reply.json();
  }

  private static String state(TestApp on, String taskId) {
    return on.sql("SELECT state FROM task_callbacks WHERE task_id = $1", java.util.UUID.fromString(taskId))
        .iterator().next().getString("state");
  }

  /** The signature a receiver computes: HMAC-SHA256 over "<t>.<body>" with the shared secret, checked here by hand. */
  private static void assertSigned(Receiver.Received r) throws Exception {
    assertThat(r.signature()).matches("t=\\d+,v1=[0-9a-f]{64}");
    String t = r.signature().substring(2, r.signature().indexOf(','));
    String v1 = r.signature().substring(r.signature().indexOf("v1=") + 3);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
    assertThat(v1).as("the signature verifies with the shared secret").isEqualTo(expected);
    assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t))).as("signed just now").isLessThan(60);
  }

  /**
   * The receiver's check that README shows (openssl in a shell) accepts the delivery as received and refuses it with
   * one byte changed.
   */
  private static void assertReadmeCheckAccepts(Receiver.Received r) throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```sh\n", readme.indexOf("<!-- callback-check:start -->")) + "```sh\n".length();
    String check = readme.substring(start, readme.indexOf("```", start));
    assertThat(check).contains("openssl dgst");
    Path dir = Files.createTempDirectory("callback-check");
    try {
      Files.write(dir.resolve("body.json"), r.body().getBytes(StandardCharsets.UTF_8));
      assertThat(runCheck(dir, check, r.signature())).as("README's check accepts the delivery").isEqualTo("valid");
      Files.write(dir.resolve("body.json"), (r.body() + " ").getBytes(StandardCharsets.UTF_8));
      assertThat(runCheck(dir, check, r.signature())).as("README's check refuses a changed body").isEmpty();
    } finally {
      Trees.delete(dir);
    }
  }

  private static String runCheck(Path dir, String check, String signature) throws Exception {
    ProcessBuilder shell = new ProcessBuilder("bash", "-c", check).directory(dir.toFile()).redirectErrorStream(true);
    shell.environment().put("SIG", signature);
    shell.environment().put("SECRET", SIGNING_SECRET);
    Process process = shell.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("openssl is installed (.ci/run installs it)").doesNotContain("not found");
    return out;
  }

  @Test
  @DisplayName("a task that succeeds gets exactly one signed delivery of its outcome")
  void succeededTaskGetsOneSignedDelivery() throws Exception {
    AgentClient agent = new AgentClient(app, TENANT, "callback-coder");
    assertThat(agent.register("code-editing", 4).status()).isEqualTo(201);
    Http.Reply submitted = app.http().post("/api/v1/tasks", admin, task("code-editing", receiver.url()));
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
    String taskId = submitted.json().getString("id");
    List<JsonObject> delivered = new ArrayList<>();
    TestApp.eventually(WAIT, "the task is delivered to the agent", () -> {
      delivered.addAll(agent.claim(1, 1));
      return !delivered.isEmpty();
    });
    assertThat(agent.ack(taskId, 1).status()).isEqualTo(200);
    assertThat(agent.result(taskId, new JsonObject().put("attempt", 1).put("outcome", "succeeded")
        .put("result", new JsonObject().put("summary", "done"))).status()).isEqualTo(200);

    TestApp.eventually(WAIT, "the callback is delivered", () -> "delivered".equals(state(app, taskId)));
    List<Receiver.Received> got = receiver.of(taskId);
    assertThat(got).hasSize(1);
    Receiver.Received r = got.get(0);
    assertSigned(r);
    assertReadmeCheckAccepts(r);
    assertThat(r.delivery()).as("Arbiter-Delivery").isEqualTo(taskId);
    assertThat(r.contentType()).isEqualTo("application/json");
    JsonObject body = r.json();
    assertThat(body.getString("taskId")).isEqualTo(taskId);
    assertThat(body.getString("tenantId")).isEqualTo(TENANT);
    assertThat(body.getString("state")).isEqualTo("succeeded");
    assertThat(body.getInteger("attempt")).isEqualTo(1);
    assertThat(body.getJsonObject("result")).isEqualTo(new JsonObject().put("summary", "done"));
    assertThat(body.getString("finishedAt")).isNotNull();

    // a later callback is delivered too, and the first is not delivered again
    String later = submit(app, receiver.url());
    cancel(app, later);
    TestApp.eventually(WAIT, "the later callback is delivered", () -> "delivered".equals(state(app, later)));
    assertThat(receiver.of(taskId)).as("still exactly one delivery").hasSize(1);
    JsonObject status = callback(taskId);
    assertThat(status.getString("state")).isEqualTo("delivered");
    assertThat(status.getInteger("attempts")).isEqualTo(1);
    assertThat(status.getInteger("lastStatus")).isEqualTo(200);
    assertThat(status.getString("host")).isEqualTo("127.0.0.1");
    assertThat(status.encode()).as("the URL's query is not shown").doesNotContain("receiver-token");
  }

  @Test
  @DisplayName("a receiver that answers 500 first gets retried with the same delivery id until it answers 200, then no more")
  void retriesAfterServerErrorThenStops() throws Exception {
    Map<String, AtomicInteger> perTask = new ConcurrentHashMap<>();
    receiver.answer(taskId -> perTask.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet() <= 2
        ? 500 : 200);
    try {
      String taskId = submit(app, receiver.url());
      cancel(app, taskId);
      TestApp.eventually(WAIT, "the callback is delivered", () -> "delivered".equals(state(app, taskId)));
      List<Receiver.Received> got = receiver.of(taskId);
      assertThat(got).extracting(Receiver.Received::answered).containsExactly(500, 500, 200);
      assertThat(got).extracting(Receiver.Received::delivery).containsOnly(taskId);
      for (Receiver.Received r : got) {
        assertSigned(r);
      }
      assertThat(got.get(0).json().getString("state")).isEqualTo("canceled");
      JsonObject status = callback(taskId);
      assertThat(status.getInteger("attempts")).isEqualTo(3);
      assertThat(status.getInteger("lastStatus")).isEqualTo(200);
      assertThat(status.getString("deliveredAt")).isNotNull();

      String later = submit(app, receiver.url());
      cancel(app, later);
      TestApp.eventually(WAIT, "the later callback is delivered", () -> "delivered".equals(state(app, later)));
      assertThat(receiver.of(taskId)).as("no try after the 200").hasSize(3);
    } finally {
      receiver.answer(taskId -> 200);
    }
  }

  @Test
  @DisplayName("a receiver that refuses with 4xx is given up at once, and the callback shows why")
  void clientErrorGivesUp() {
    receiver.answer(taskId -> 410);
    try {
      String taskId = submit(app, receiver.url());
      cancel(app, taskId);
      TestApp.eventually(WAIT, "the callback is given up", () -> "failed".equals(state(app, taskId)));
      assertThat(receiver.of(taskId)).hasSize(1);
      JsonObject status = callback(taskId);
      assertThat(status.getInteger("lastStatus")).isEqualTo(410);
      assertThat(status.getString("lastError")).isEqualTo("answered 410");
    } finally {
      receiver.answer(taskId -> 200);
    }
  }

  @Test
  @DisplayName("a receiver that does not answer within callbacks.timeoutMs is tried again; a redirect is not followed")
  void timeoutRetriesAndRedirectGivesUp() {
    Map<String, AtomicInteger> perTask = new ConcurrentHashMap<>();
    receiver.answer(taskId -> perTask.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet() == 1
        ? Receiver.HANG : 200);
    String slow;
    try {
      slow = submit(app, receiver.url());
      cancel(app, slow);
      TestApp.eventually(WAIT, "the callback is delivered on its second try",
          () -> "delivered".equals(state(app, slow)));
    } finally {
      receiver.answer(taskId -> 200);
    }
    assertThat(receiver.of(slow)).extracting(Receiver.Received::answered).containsExactly(Receiver.HANG, 200);
    assertThat(callback(slow).getInteger("attempts")).isEqualTo(2);

    receiver.answer(taskId -> 302);
    try {
      String redirected = submit(app, receiver.url());
      cancel(app, redirected);
      TestApp.eventually(WAIT, "the redirected callback is given up", () -> "failed".equals(state(app, redirected)));
      assertThat(receiver.of(redirected)).as("the redirect was not followed").hasSize(1);
      assertThat(callback(redirected).getString("lastError")).contains("redirects are not followed");
    } finally {
      receiver.answer(taskId -> 200);
    }
  }

  @Test
  @DisplayName("a callback to a host not listed, with user information, or too long is refused with 400 naming the field")
  void refusesHostsNotAllowed() {
    Http.Reply other = app.http().post("/api/v1/tasks", admin, task("https://hooks.example.com/x"));
    assertThat(other.status()).as(other.toString()).isEqualTo(400);
    assertThat(other.json().getString("field")).isEqualTo("callback.url");
    assertThat(other.json().getString("detail")).contains("hooks.example.com").contains("callbacks.allowedHosts");

    Http.Reply userinfo = app.http().post("/api/v1/tasks", admin, task("http://user:pw@127.0.0.1:9/x"));
    assertThat(userinfo.status()).as(userinfo.toString()).isEqualTo(400);

    Http.Reply tooLong = app.http().post("/api/v1/tasks", admin, task("http://127.0.0.1/" + "a".repeat(2100)));
    assertThat(tooLong.status()).as(tooLong.toString()).isEqualTo(400);

    Http.Reply batch = app.http().post("/api/v1/task-batches", admin, new JsonObject().put("tasks", new JsonArray()
        .add(task(receiver.url())).add(task("https://elsewhere.example.com/"))));
    assertThat(batch.status()).as(batch.toString()).isEqualTo(400);
    assertThat(batch.json().getString("field")).isEqualTo("tasks[1].callback.url");

    Http.Reply none = app.http().get("/api/v1/tasks/" + java.util.UUID.randomUUID() + "/callback", admin);
    assertThat(none.status()).isEqualTo(404);
  }

  @Test
  @DisplayName("a batch registers each task's callback with the task")
  void batchRegistersCallbacks() {
    Http.Reply batch = app.http().post("/api/v1/task-batches", admin, new JsonObject().put("tasks", new JsonArray()
        .add(task(receiver.url())).add(new JsonObject().put("type", "unassigned"))));
    assertThat(batch.status()).as(batch.toString()).isEqualTo(202);
    String withCallback = batch.json().getJsonArray("tasks").getJsonObject(0).getString("id");
    String without = batch.json().getJsonArray("tasks").getJsonObject(1).getString("id");
    assertThat(callback(withCallback).getString("state")).isEqualTo("pending");
    assertThat(app.http().get("/api/v1/tasks/" + without + "/callback", admin).status()).isEqualTo(404);
    cancel(app, withCallback);
    TestApp.eventually(WAIT, "the batch task's callback is delivered",
        () -> "delivered".equals(state(app, withCallback)));
  }

  @Test
  @DisplayName("callbacks are refused with 400 when not enabled, and enabling them needs a signing secret that no "
      + "error shows")
  void refusedWhenNotEnabled() {
    try (TestApp off = TestApp.start()) {
      Http.Reply reply = off.http().post("/api/v1/tasks", off.tokens().admin(TENANT), task(receiver.url()));
      assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
      assertThat(reply.json().getString("field")).isEqualTo("callback");
      assertThat(reply.json().getString("detail")).contains("not enabled");
    }
    String shortSecret = "short-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> weak = new HashMap<>(settings());
    weak.put("callbacks.signingSecret", shortSecret);
    assertThatThrownBy(() -> TestApp.start(weak)).isInstanceOf(Arbiter.StartupException.class)
        .hasMessageContaining("callbacks.signingSecret").satisfies(e -> assertThat(e.getMessage())
            .doesNotContain(shortSecret));
  }

  @Test
  @DisplayName("two nodes on one database deliver each callback once")
  void twoNodesDeliverEachCallbackOnce() {
    Map<String, Object> second = new HashMap<>(settings());
    second.put("db.url", app.dbUrl());
    try (TestApp other = TestApp.start(second)) {
      List<String> tasks = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String taskId = submit(i % 2 == 0 ? app : other, receiver.url());
        tasks.add(taskId);
      }
      for (int i = 0; i < tasks.size(); i++) {
        cancel(i % 3 == 0 ? app : other, tasks.get(i));
      }
      TestApp.eventually(WAIT, "every callback is delivered",
          () -> tasks.stream().allMatch(id -> "delivered".equals(state(app, id))));
      for (String id : tasks) {
        assertThat(receiver.of(id)).as("deliveries of %s", id).hasSize(1);
      }
    }
  }

  @Test
  @DisplayName("a restart while the receiver fails ends with exactly one successful delivery per task")
  void restartMidRetryDeliversOnce() {
    try (Receiver failing = new Receiver()) {
      AtomicBoolean up = new AtomicBoolean(false);
      failing.answer(taskId -> up.get() ? 200 : 503);
      Map<String, Object> slow = new HashMap<>(settings());
      slow.put("callbacks.backoffBaseMs", 200);
      TestApp first = TestApp.start(slow);
      String dbUrl = first.dbUrl();
      List<String> tasks = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          String taskId = submit(first, failing.url());
          cancel(first, taskId);
          tasks.add(taskId);
        }
        TestApp.eventually(WAIT, "every callback was tried and refused at least twice",
            () -> tasks.stream().allMatch(id -> failing.of(id).size() >= 2));
      } finally {
        first.close();
      }
      up.set(true);
      Map<String, Object> again = new HashMap<>(settings());
      again.put("db.url", dbUrl);
      try (TestApp second = TestApp.start(again)) {
        TestApp.eventually(WAIT, "every callback is delivered after the restart",
            () -> tasks.stream().allMatch(id -> "delivered".equals(state(second, id))));
        for (String id : tasks) {
          assertThat(failing.of(id).stream().filter(r -> r.answered() == 200).count())
              .as("successful deliveries of %s", id).isEqualTo(1);
          assertThat(failing.of(id).get(0).answered()).isEqualTo(503);
        }
      }
    }
  }
}
