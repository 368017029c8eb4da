package io.arbiter.http.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Arbiter's MCP server at {@link #PATH}: the queue's operations as MCP tools ({@link Tool#ALL}) and each task and its
 * history as resources ({@code arbiter://tasks/{taskId}}, {@code arbiter://tasks/{taskId}/history}), served by the
 * MCP Java SDK's stateless server over {@link VertxStatelessTransport}. A tool's input schema is its operation's in
 * the contract ({@link ToolSchemas}); a call is validated, authorized and sent as the REST call is ({@link ToolCalls}).
 * A refused call is a tool error whose content is the problem body REST would answer (its {@code code}, {@code status}
 * and {@code detail}).
 */
public final class McpEndpoint {

  /** Where the server answers. */
  public static final String PATH = "/mcp";

  private static final Pattern TASK_URI = Pattern.compile("arbiter://tasks/([^/]{1,64})(/history)?");
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final ObjectMapper mapper = new ObjectMapper();
  private final McpJsonMapper json = new JacksonMcpJsonMapper(mapper);
  private final ToolCalls calls;

  private McpEndpoint(ToolCalls calls) {
    this.calls = calls;
  }

  /**
   * Mounts the server on {@code router} at {@link #PATH} (POST; GET and DELETE answer 405). The route expects the
   * caller's token verified and the body read, as for the REST API. {@code timeoutMs} bounds a bus request beyond the
   * wait a claim asks for.
   */
  public static void mount(Vertx vertx, Router router, OpenAPIContract contract, long timeoutMs) {
    McpEndpoint endpoint = new McpEndpoint(new ToolCalls(vertx, contract, timeoutMs));
    VertxStatelessTransport transport = new VertxStatelessTransport(endpoint.json);
    JsonObject raw = contract.getRawContract();
    McpServer.async(transport)
        .serverInfo("arbiter", McpEndpoint.class.getPackage().getImplementationVersion() == null ? "dev"
            : McpEndpoint.class.getPackage().getImplementationVersion())
        .jsonMapper(endpoint.json)
        .validateToolInputs(false)
        .requestTimeout(Duration.ofMillis(timeoutMs + 61_000))
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build())
        .tools(Tool.ALL.stream().map(tool -> endpoint.tool(raw, tool)).toList())
        .resourceTemplates(endpoint.resource("arbiter://tasks/{taskId}", "task", Tool.TASK),
            endpoint.resource("arbiter://tasks/{taskId}/history", "task-history", Tool.HISTORY))
        .build();
    router.post(PATH).handler(transport);
    router.route(PATH).handler(rc -> rc.fail(Failure.METHOD_NOT_ALLOWED.exception(rc.request().method()
        + " is not allowed on " + PATH + ": this server keeps no session and opens no stream; POST each message")));
  }

  private McpStatelessServerFeatures.AsyncToolSpecification tool(JsonObject contract, Tool tool) {
    Map<String, Object> schema = map(ToolSchemas.of(contract, tool.operationId(), tool.names(),
        tool.self() == null ? Set.of() : Set.of(tool.self())));
    McpSchema.Tool definition = McpSchema.Tool.builder().name(tool.name()).description(tool.description())
        .inputSchema(schema).build();
    return new McpStatelessServerFeatures.AsyncToolSpecification(definition, (context, request) -> {
      RequestContext caller = caller(context);
      return Mono.fromCompletionStage(calls.call(tool, caller, request.arguments())
          .map(answer -> McpSchema.CallToolResult.builder().structuredContent(map(answer))
              .addTextContent(answer.encode()).build())
          .recover(e -> Future.succeededFuture(error(e, caller)))
          .toCompletionStage());
    });
  }

  private McpStatelessServerFeatures.AsyncResourceTemplateSpecification resource(String uri, String name, Tool read) {
    McpSchema.ResourceTemplate template = McpSchema.ResourceTemplate.builder().uriTemplate(uri).name(name)
        .description(read.description()).mimeType("application/json").build();
    return new McpStatelessServerFeatures.AsyncResourceTemplateSpecification(template, (context, request) -> {
      Matcher match = TASK_URI.matcher(request.uri());
      if (!match.matches() || (match.group(2) != null) != (read == Tool.HISTORY)) {
        return Mono.error(McpError.RESOURCE_NOT_FOUND.apply(request.uri()));
      }
      return Mono.fromCompletionStage(calls.call(read, caller(context), Map.of("taskId", match.group(1)))
          .map(answer -> new McpSchema.ReadResourceResult(List.of(
              new McpSchema.TextResourceContents(request.uri(), "application/json", answer.encode()))))
          .recover(e -> {
            JsonObject problem = problem(e);
            return Future.failedFuture(new McpError(new McpSchema.JSONRPCResponse.JSONRPCError(
                problem.getInteger("status") == 404 ? McpSchema.ErrorCodes.RESOURCE_NOT_FOUND
                    : McpSchema.ErrorCodes.INVALID_PARAMS, problem.getString("detail"), map(problem))));
          })
          .toCompletionStage());
    });
  }

  private static RequestContext caller(McpTransportContext context) {
    return (RequestContext) context.get(VertxStatelessTransport.CALLER);
  }

  /** The problem body REST would answer, with the request's correlation id, as a tool error. */
  private McpSchema.CallToolResult error(Throwable e, RequestContext caller) {
    JsonObject problem = problem(e).put("correlationId", caller.correlationId());
    return McpSchema.CallToolResult.builder().isError(true).structuredContent(map(problem))
        .addTextContent(problem.encode()).build();
  }

  private static JsonObject problem(Throwable e) {
    return (e instanceof ArbiterException known ? known : Failure.INTERNAL.exception("internal error")).problem();
  }

  private Map<String, Object> map(JsonObject object) {
    try {
      return mapper.readValue(object.encode(), MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
