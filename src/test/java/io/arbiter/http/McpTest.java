package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.Role;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The MCP server at /mcp: the queue's operations as tools, for the SDK's own client, under REST's rules")
class McpTest {

  private static final String TENANT = "mcp";
  private static final String ALLOWED_ORIGIN = "https://console.example.com";

  private static TestApp app;
  private static Http http;
  private static final List<McpSyncClient> clients = new ArrayList<>();

  @BeforeAll
  static void boot() {
    app = TestApp.start(Map.of("routing.pollIntervalMs", 100, "tasks.claimPollMs", 200, "http.cors.allowedOrigins",
        ALLOWED_ORIGIN));
    http = app.http();
  }

  @AfterAll
  static void shutdown() {
    clients.forEach(McpSyncClient::closeGracefully);
    app.close();
  }

  private static McpSyncClient client(String token) {
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder("http://127.0.0.1:" + app.arbiter().port()).endpoint("/mcp")
        .httpRequestCustomizer((request, method, uri, body, context) ->
            request.header("Authorization", "Bearer " + token))
        .build();
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    clients.add(client);
    client.initialize();
    return client;
  }

  private static JsonObject call(McpSyncClient client, String tool, JsonObject arguments) {
    McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, plain(arguments)));
    JsonObject answer = new JsonObject(((McpSchema.TextContent) result.content().get(0)).text());
    assertThat(result.isError()).as(tool + " answered " + answer).isNotEqualTo(Boolean.TRUE);
    return answer;
  }

  private static JsonObject refusal(McpSyncClient client, String tool, JsonObject arguments) {
    McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, plain(arguments)));
    assertThat(result.isError()).as(tool + " is refused").isTrue();
    return new JsonObject(((McpSchema.TextContent) result.content().get(0)).text());
  }

  /** The arguments as plain maps and lists, which the client's JSON mapper writes as they are. */
  private static Map<String, Object> plain(JsonObject arguments) {
    return arguments.getMap().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> unwrap(e.getValue())));
  }

  private static Object unwrap(Object value) {
    if (value instanceof JsonObject object) {
      return plain(object);
    }
    return value instanceof JsonArray array ? array.stream().map(McpTest::unwrap).toList() : value;
  }

  private static String submitOverRest(String type) {
    Http.Reply reply = http.post("/api/v1/tasks", app.tokens().admin(TENANT), new JsonObject().put("type", type)
        .put("payload", new JsonObject()));
    assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
    return reply.json().getString("id");
  }

  private static List<String> history(String taskId) {
    return http.get("/api/v1/tasks/" + taskId + "/history", app.tokens().admin(TENANT)).json().getJsonArray("items")
        .stream().map(t -> ((JsonObject) t).getString("to") + "/" + ((JsonObject) t).getString("reason")).toList();
  }

  /** The task's audit records as {@code action by actor (role)}, oldest first. */
  private static List<String> audit(String taskId) {
    return StreamSupport.stream(app.sql("SELECT action, actor_sub, actor_role FROM audit_log WHERE target = $1 ORDER BY id",
            "task:" + taskId).spliterator(), false)
        .map((Row row) -> row.getString("action") + " by " + row.getString("actor_sub") + " (" + row.getString("actor_role")
            + ")")
        .toList();
  }

  @Test
  @DisplayName("lists the tools by name, each with its input schema taken from the contract")
  void listsToolsWithContractSchemas() {
    McpSyncClient client = client(app.tokens().agent(TENANT, "lister"));

    Map<String, McpSchema.Tool> tools = client.listTools().tools().stream()
        .collect(Collectors.toMap(McpSchema.Tool::name, t -> t));

    assertThat(tools).containsOnlyKeys("claim_task", "ack_task", "report_progress", "heartbeat", "submit_result",
        "submit_task", "submit_task_batch", "submit_workflow", "cancel_task", "requeue_task", "get_task", "list_tasks",
        "explain_routing");
    tools.values().forEach(tool -> assertThat(tool.description()).as(tool.name()).isNotBlank());
    JsonObject result = JsonObject.mapFrom(tools.get("submit_result").inputSchema());
    assertThat(result.getJsonObject("properties").fieldNames()).contains("agentId", "taskId", "next", "attempt",
        "outcome", "result", "error", "quality", "testsPassed", "coverage");
    assertThat(result.getJsonArray("required")).containsExactlyInAnyOrder("taskId", "attempt", "outcome");
    assertThat(result.getJsonObject("properties").getJsonObject("quality").getInteger("maximum")).isEqualTo(1);
    JsonObject submit = JsonObject.mapFrom(tools.get("submit_task").inputSchema());
    assertThat(submit.getJsonObject("properties").getJsonObject("requirements").getJsonObject("properties")
        .getJsonObject("languages").getInteger("maxItems")).as("the contract's Requirements, inlined").isEqualTo(32);
    assertThat(submit.encode()).doesNotContain("__absolute_uri__");
    assertThat(submit.getJsonObject("properties").containsKey("idempotencyKey")).isTrue();
    JsonObject batch = JsonObject.mapFrom(tools.get("submit_task_batch").inputSchema());
    assertThat(batch.getJsonArray("required")).containsExactly("tasks");
    assertThat(batch.getJsonObject("properties").getJsonObject("tasks").getInteger("maxItems")).isEqualTo(1000);
    JsonObject workflow = JsonObject.mapFrom(tools.get("submit_workflow").inputSchema());
    assertThat(workflow.getJsonObject("properties").fieldNames()).contains("nodes", "edges");
    assertThat(JsonObject.mapFrom(tools.get("requeue_task").inputSchema()).getJsonArray("required"))
        .containsExactly("taskId");
  }

  @Test
  @DisplayName("a submitter submits a batch and a workflow, and cancels a task, through the tools")
  void submitterSubmitsBatchesAndWorkflowsAndCancels() {
    McpSyncClient client = client(app.tokens().of(TENANT, Role.SUBMITTER, "submitter"));

    JsonArray batch = call(client, "submit_task_batch", new JsonObject().put("tasks", new JsonArray()
        .add(new JsonObject().put("type", "mcp-batch").put("payload", new JsonObject().put("i", 0)))
        .add(new JsonObject().put("type", "mcp-batch").put("priority", 9)))).getJsonArray("tasks");
    JsonObject workflow = call(client, "submit_workflow", new JsonObject()
        .put("nodes", new JsonArray().add(new JsonObject().put("key", "build").put("type", "mcp-flow"))
            .add(new JsonObject().put("key", "test").put("type", "mcp-flow")))
        .put("edges", new JsonArray().add(new JsonObject().put("from", "build").put("to", "test"))))
        .getJsonObject("tasks");
    JsonObject canceled = call(client, "cancel_task", new JsonObject().put("taskId", batch.getJsonObject(0)
        .getString("id")));
    JsonObject overLimit = refusal(client, "submit_task_batch", new JsonObject().put("tasks", new JsonArray()
        .add(new JsonObject().put("type", "mcp-batch")).add(new JsonObject().put("type", "mcp-batch")
            .put("priority", 42))));

    assertThat(batch).hasSize(2);
    assertThat(http.get("/api/v1/tasks/" + batch.getJsonObject(1).getString("id"), app.tokens().admin(TENANT)).json()
        .getInteger("priority")).isEqualTo(9);
    assertThat(workflow.fieldNames()).containsExactlyInAnyOrder("build", "test");
    assertThat(http.get("/api/v1/tasks/" + workflow.getString("test"), app.tokens().admin(TENANT)).json()
        .getString("state")).as("the child waits for its parent").isEqualTo("waiting");
    assertThat(canceled.getString("state")).isEqualTo("canceled");
    assertThat(history(canceled.getString("id"))).last().asString().startsWith("canceled/");
    assertThat(overLimit.getInteger("status")).isEqualTo(400);
    assertThat(overLimit.getString("field")).isEqualTo("tasks[1].priority");
    assertThat(refusal(client, "cancel_task", new JsonObject().put("taskId", canceled.getString("id")))
        .getInteger("status")).as("a task that ended cannot be canceled").isEqualTo(409);
    assertThat(refusal(client, "requeue_task", new JsonObject().put("taskId", canceled.getString("id")))
        .getInteger("status")).as("a submitter may not requeue").isEqualTo(403);
  }

  @Test
  @DisplayName("an operator requeues a dead task through requeue_task, and an agent runs it again")
  void operatorRequeuesADeadTask() {
    AgentClient agent = new AgentClient(app, TENANT, "requeue-worker");
    assertThat(agent.register("mcp-requeue", 1).status()).isEqualTo(201);
    String id = http.post("/api/v1/tasks", app.tokens().admin(TENANT), new JsonObject().put("type", "mcp-requeue")
        .put("maxAttempts", 1)).json().getString("id");
    assertThat(agent.claim(10, 1)).hasSize(1);
    assertThat(agent.ack(id, 1).status()).isEqualTo(200);
    assertThat(agent.result(id, 1, "failed").status()).isEqualTo(200);
    assertThat(http.get("/api/v1/tasks/" + id, app.tokens().admin(TENANT)).json().getString("state")).isEqualTo("dead");
    McpSyncClient operator = client(app.tokens().of(TENANT, Role.OPERATOR, "operator"));

    JsonObject requeued = call(operator, "requeue_task", new JsonObject().put("taskId", id));

    assertThat(requeued.getString("state")).isIn("queued", "assigned");
    assertThat(agent.claim(10, 1)).extracting(d -> d.getString("taskId")).containsExactly(id);
    assertThat(refusal(operator, "requeue_task", new JsonObject().put("taskId", id)).getInteger("status"))
        .as("only a dead task is requeued").isEqualTo(409);
  }

  @Test
  @DisplayName("an unsupported MCP-Protocol-Version answers 400 and an Origin not allowed 403, both as problems")
  void checksTheTransportHeaders() {
    String token = app.tokens().of(TENANT, Role.SUBMITTER, "submitter");
    Buffer ping = new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "ping").toBuffer();

    Http.Reply oldVersion = http.send(HttpMethod.POST, "/mcp", token, "application/json", ping,
        MultiMap.caseInsensitiveMultiMap().add("MCP-Protocol-Version", "1999-01-01"));
    Http.Reply current = http.send(HttpMethod.POST, "/mcp", token, "application/json", ping,
        MultiMap.caseInsensitiveMultiMap().add("MCP-Protocol-Version", "2025-06-18"));
    Http.Reply foreign = http.send(HttpMethod.POST, "/mcp", token, "application/json", ping,
        MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example.com"));
    Http.Reply allowed = http.send(HttpMethod.POST, "/mcp", token, "application/json", ping,
        MultiMap.caseInsensitiveMultiMap().add("Origin", ALLOWED_ORIGIN));

    assertThat(oldVersion.status()).as(oldVersion.toString()).isEqualTo(400);
    assertThat(oldVersion.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(oldVersion.json().getString("detail")).contains("1999-01-01", "2025-06-18");
    assertThat(current.status()).as(current.toString()).isEqualTo(200);
    assertThat(foreign.status()).as(foreign.toString()).isEqualTo(403);
    assertThat(foreign.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(foreign.json().getString("detail")).contains("https://evil.example.com");
    assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
  }

  @Test
  @DisplayName("an agent claims, reports progress and a result through the tools; history and audit read as for REST")
  void agentWorksATaskThroughTheTools() {
    AgentClient restAgent = new AgentClient(app, TENANT, "rest-worker");
    assertThat(restAgent.register("mcp-rest", 1).status()).isEqualTo(201);
    String viaRest = submitOverRest("mcp-rest");
    JsonObject restDelivery = restAgent.claim(10, 1).get(0);
    assertThat(restAgent.ack(viaRest, 1).status()).isEqualTo(200);
    assertThat(http.post("/api/v1/agents/rest-worker/tasks/" + viaRest + "/progress",
        app.tokens().agent(TENANT, "rest-worker"), new JsonObject().put("attempt", 1).put("percent", 50)).status())
        .isEqualTo(200);
    assertThat(restAgent.result(viaRest, 1, "succeeded").status()).isEqualTo(200);
    assertThat(restDelivery.getString("taskId")).isEqualTo(viaRest);

    AgentClient mcpAgent = new AgentClient(app, TENANT, "mcp-worker");
    assertThat(mcpAgent.register("mcp-tools", 1).status()).isEqualTo(201);
    String viaMcp = submitOverRest("mcp-tools");
    McpSyncClient client = client(app.tokens().agent(TENANT, "mcp-worker"));

    JsonObject claim = call(client, "claim_task", new JsonObject().put("wait", 10).put("ack", false));
    JsonObject delivery = claim.getJsonArray("tasks").getJsonObject(0);
    assertThat(delivery.getString("taskId")).isEqualTo(viaMcp);
    call(client, "ack_task", new JsonObject().put("taskId", viaMcp).put("attempt", 1));
    JsonObject progress = call(client, "report_progress", new JsonObject().put("agentId", "mcp-worker")
        .put("taskId", viaMcp).put("attempt", 1).put("percent", 50).put("message", "half way"));
    assertThat(progress.getString("state")).isEqualTo("running");
    assertThat(call(client, "heartbeat", new JsonObject().put("taskId", viaMcp).put("attempt", 1))
        .getBoolean("canceled", false)).isFalse();
    JsonObject outcome = call(client, "submit_result", new JsonObject().put("taskId", viaMcp).put("attempt", 1)
        .put("outcome", "succeeded").put("quality", 0.9).put("testsPassed", true).put("result",
            new JsonObject().put("ok", true)));

    assertThat(outcome.getString("state")).isEqualTo("succeeded");
    JsonObject task = http.get("/api/v1/tasks/" + viaMcp, app.tokens().admin(TENANT)).json();
    assertThat(task.getString("state")).isEqualTo("succeeded");
    assertThat(task.getJsonObject("result").getBoolean("ok")).isTrue();
    assertThat(history(viaMcp)).isEqualTo(history(viaRest));
    JsonObject decision = call(client(app.tokens().of(TENANT, Role.SUBMITTER, "submitter")), "explain_routing",
        new JsonObject().put("taskId", viaMcp));
    assertThat(decision.getString("agentId")).isEqualTo("mcp-worker");
    assertThat(decision.getString("rationale")).isNotBlank();
    TestApp.eventually(Duration.ofSeconds(5), "both tasks' transitions are audited",
        () -> audit(viaMcp).size() == audit(viaRest).size() && audit(viaMcp).size() >= 4);
    assertThat(audit(viaMcp)).isEqualTo(audit(viaRest).stream().map(a -> a.replace("rest-worker", "mcp-worker"))
        .toList());
  }

  @Test
  @DisplayName("claim_task acknowledges by default and takes the agent from its token")
  void claimAcknowledgesByDefault() {
    AgentClient agent = new AgentClient(app, TENANT, "acking");
    assertThat(agent.register("mcp-ack", 1).status()).isEqualTo(201);
    String id = submitOverRest("mcp-ack");
    McpSyncClient client = client(app.tokens().agent(TENANT, "acking"));

    JsonObject delivery = call(client, "claim_task", new JsonObject().put("wait", 10)).getJsonArray("tasks")
        .getJsonObject(0);

    assertThat(delivery.getString("taskId")).isEqualTo(id);
    assertThat(delivery.getString("state")).isEqualTo("running");
    assertThat(call(client, "submit_result", new JsonObject().put("taskId", id).put("attempt", 1)
        .put("outcome", "succeeded")).getString("state")).isEqualTo("succeeded");
  }

  @Test
  @DisplayName("an agent's token cannot act as another agent: a tool error with the problem's code, audited")
  void agentCannotActAsAnother() {
    McpSyncClient client = client(app.tokens().agent(TENANT, "honest"));

    JsonObject problem = refusal(client, "claim_task", new JsonObject().put("agentId", "someone-else"));

    assertThat(problem.getInteger("status")).isEqualTo(403);
    assertThat(problem.getInteger("code")).isNotNull();
    assertThat(problem.getString("detail")).isEqualTo("an agent may act only as itself");
    assertThat(problem.getString("correlationId")).isNotBlank();
    TestApp.eventually(Duration.ofSeconds(5), "the refusal is audited", () -> app.sql(
        "SELECT 1 FROM audit_log WHERE action = 'access.denied' AND actor_sub = 'honest' AND target = 'MCP claim_task'")
        .size() == 1);
    assertThat(refusal(client, "submit_task", new JsonObject().put("type", "x")).getInteger("status"))
        .as("an agent may not submit").isEqualTo(403);
  }

  @Test
  @DisplayName("invalid arguments are a tool error naming the field, as REST's 400 does")
  void invalidArgumentsNameTheField() {
    McpSyncClient client = client(app.tokens().of(TENANT, Role.SUBMITTER, "submitter"));

    JsonObject problem = refusal(client, "submit_task", new JsonObject().put("type", "ok").put("priority", 42));

    assertThat(problem.getInteger("status")).isEqualTo(400);
    assertThat(problem.getString("field")).isEqualTo("priority");
    assertThat(refusal(client, "get_task", new JsonObject().put("taskId", "not-a-uuid")).getInteger("status"))
        .isEqualTo(400);
    assertThat(refusal(client, "get_task", new JsonObject().put("taskId", java.util.UUID.randomUUID().toString())
        .put("extra", 1)).getString("field")).isEqualTo("extra");
  }

  @Test
  @DisplayName("a submitter submits, gets, lists a task and reads it as a resource through the server")
  void submitterSubmitsAndGets() {
    McpSyncClient client = client(app.tokens().of(TENANT, Role.SUBMITTER, "submitter"));

    JsonObject task = call(client, "submit_task", new JsonObject().put("type", "mcp-submitted").put("priority", 7)
        .put("payload", new JsonObject().put("q", "why")).put("idempotencyKey", "mcp-1"));
    JsonObject again = call(client, "submit_task", new JsonObject().put("type", "mcp-submitted").put("priority", 7)
        .put("payload", new JsonObject().put("q", "why")).put("idempotencyKey", "mcp-1"));
    JsonObject read = call(client, "get_task", new JsonObject().put("taskId", task.getString("id")));
    JsonArray listed = call(client, "list_tasks", new JsonObject().put("type", "mcp-submitted")).getJsonArray("items");
    McpSchema.ReadResourceResult resource = client.readResource(new McpSchema.ReadResourceRequest(
        "arbiter://tasks/" + task.getString("id") + "/history"));

    assertThat(again.getString("id")).as("the idempotency key repeats the first task").isEqualTo(task.getString("id"));
    assertThat(read.getString("type")).isEqualTo("mcp-submitted");
    assertThat(read.getInteger("priority")).isEqualTo(7);
    assertThat(listed).hasSize(1);
    JsonObject history = new JsonObject(((McpSchema.TextResourceContents) resource.contents().get(0)).text());
    assertThat(history.getJsonArray("items")).isNotEmpty();
    assertThat(client.listResourceTemplates().resourceTemplates()).extracting(McpSchema.ResourceTemplate::uriTemplate)
        .containsExactlyInAnyOrder("arbiter://tasks/{taskId}", "arbiter://tasks/{taskId}/history");
  }

  @Test
  @DisplayName("without a token /mcp answers 401 with a problem; GET answers 405")
  void withoutTokenIsUnauthorized() {
    String initialize = new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "initialize")
        .put("params", new JsonObject().put("protocolVersion", "2025-06-18").put("capabilities", new JsonObject())
            .put("clientInfo", new JsonObject().put("name", "t").put("version", "1"))).encode();

    Http.Reply anonymous = http.send(HttpMethod.POST, "/mcp", null, "application/json", Buffer.buffer(initialize));
    Http.Reply stream = http.send(HttpMethod.GET, "/mcp", app.tokens().agent(TENANT, "a"), null, null);

    assertThat(anonymous.status()).as(anonymous.toString()).isEqualTo(401);
    assertThat(anonymous.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(anonymous.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(stream.status()).isEqualTo(405);
  }

  @Test
  @DisplayName("a revoked token is refused at /mcp with 401, as on REST")
  void revokedTokenIsUnauthorized() {
    String token = app.tokens().agent(TENANT, "revoked-agent");
    Buffer ping = new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "ping").toBuffer();
    assertThat(http.send(HttpMethod.POST, "/mcp", token, "application/json", ping).status()).isEqualTo(200);

    assertThat(http.post("/api/v1/token-revocations", app.tokens().admin(TENANT), new JsonObject().put("token", token))
        .status()).isEqualTo(201);

    Http.Reply refused = http.send(HttpMethod.POST, "/mcp", token, "application/json", ping);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
    assertThat(refused.json().getString("detail")).contains("revoked");
  }

  @Test
  @DisplayName("a message over http.bodyLimitBytes answers 413, and a body that is not JSON-RPC 400, before any tool")
  void boundsTheMessage() {
    String token = app.tokens().of(TENANT, Role.SUBMITTER, "submitter");
    JsonObject huge = new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "tools/call")
        .put("params", new JsonObject().put("name", "submit_task").put("arguments", new JsonObject().put("type", "x")
            .put("payload", "x".repeat(2_100_000))));

    Http.Reply tooLarge = http.send(HttpMethod.POST, "/mcp", token, "application/json", huge.toBuffer());
    Http.Reply garbled = http.send(HttpMethod.POST, "/mcp", token, "application/json", Buffer.buffer("[1, 2"));

    assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(413);
    assertThat(garbled.status()).as(garbled.toString()).isEqualTo(400);
    assertThat(http.get("/api/v1/tasks?type=x", app.tokens().admin(TENANT)).json().getJsonArray("items")).isEmpty();
  }
}
