package io.arbiter.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** An agent's side of the REST delivery protocol, for tests: claim, ack, heartbeat, result. */
public final class AgentClient {

  private final Http http;
  private final String id;
  private final String token;

  public AgentClient(TestApp app, String tenant, String id) {
    this.http = app.http();
    this.id = id;
    this.token = app.tokens().agent(tenant, id);
  }

  public String id() {
    return id;
  }

  public Http.Reply register(String taskType, int capacity) {
    JsonObject body = Agents.registration(id, taskType).put("maxConcurrentTasks", capacity);
    return http.post("/api/v1/agents", token, body);
  }

  /** The deliveries of one claim (empty on 204). */
  public List<JsonObject> claim(int waitSeconds, int max) {
    Http.Reply reply = http.post("/api/v1/agents/" + id + "/claim?wait=" + waitSeconds + "&max=" + max, token, null);
    if (reply.status() == 204) {
      return List.of();
    }
    if (reply.status() != 200) {
      throw new AssertionError("claim failed: " + reply);
    }
    JsonArray tasks = reply.json().getJsonArray("tasks");
    return tasks.stream().map(JsonObject.class::cast).toList();
  }

  public Http.Reply ack(String taskId, int attempt) {
    return http.post(base(taskId) + "/ack", token, new JsonObject().put("attempt", attempt));
  }

  public Http.Reply heartbeat(String taskId, int attempt) {
    return http.post(base(taskId) + "/heartbeat", token, new JsonObject().put("attempt", attempt));
  }

  public Http.Reply result(String taskId, int attempt, String outcome) {
    return result(taskId, new JsonObject().put("attempt", attempt).put("outcome", outcome));
  }

  public Http.Reply result(String taskId, JsonObject body) {
    return http.post(base(taskId) + "/result", token, body);
  }

  /** {@code POST ack-batches} with {@code {tasks: refs}}, each ref {taskId, attempt}. */
  public Http.Reply ackBatch(JsonArray refs) {
    return http.post("/api/v1/agents/" + id + "/ack-batches", token, new JsonObject().put("tasks", refs));
  }

  /** {@code POST result-batches} with {@code {results: results}}, each {taskId, attempt, outcome, …}. */
  public Http.Reply resultBatch(JsonArray results) {
    return http.post("/api/v1/agents/" + id + "/result-batches", token, new JsonObject().put("results", results));
  }

  public Http.Reply heartbeatSelf() {
    return http.post("/api/v1/agents/" + id + "/heartbeat", token, null);
  }

  private String base(String taskId) {
    return "/api/v1/agents/" + id + "/tasks/" + taskId;
  }
}
