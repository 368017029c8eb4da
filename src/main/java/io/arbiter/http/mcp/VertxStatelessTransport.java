package io.arbiter.http.mcp;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.http.auth.Access;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * MCP's streamable HTTP transport, stateless: every POST carries one JSON-RPC message, a request is answered with its
 * JSON-RPC response as {@code application/json} and a notification with 202. No session is kept and no server stream
 * is opened (GET and DELETE answer 405), so any node of a cluster answers any call. The caller is the one its bearer
 * token names, as for REST: {@link Access#caller} builds its {@link RequestContext}, which the tools find in the MCP
 * transport context under {@link #CALLER}.
 */
final class VertxStatelessTransport implements McpStatelessServerTransport, Handler<RoutingContext> {

  /** The key of the caller's {@link RequestContext} in the MCP transport context. */
  static final String CALLER = "arbiter.caller";

  private final McpJsonMapper json;
  private volatile McpStatelessServerHandler handler;

  VertxStatelessTransport(McpJsonMapper json) {
    this.json = json;
  }

  @Override
  public void setMcpHandler(McpStatelessServerHandler handler) {
    this.handler = handler;
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.empty();
  }

  @Override
  public void handle(RoutingContext rc) {
    RequestContext caller;
    McpSchema.JSONRPCMessage message;
    try {
      caller = Access.caller(rc.user(), rc);
      String contentType = rc.request().getHeader("Content-Type");
      if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
        throw Failure.UNSUPPORTED_MEDIA_TYPE.exception("send one JSON-RPC message as application/json");
      }
      message = McpSchema.deserializeJsonRpcMessage(json, rc.body().asString());
    } catch (ArbiterException e) {
      rc.fail(e);
      return;
    } catch (IOException | IllegalArgumentException e) {
      rc.fail(Failure.BAD_REQUEST.exception("the body is not one JSON-RPC message"));
      return;
    }
    McpTransportContext context = McpTransportContext.create(Map.of(CALLER, caller));
    Context vertx = Vertx.currentContext();
    if (message instanceof McpSchema.JSONRPCRequest request) {
      handler.handleRequest(context, request).subscribe(
          response -> vertx.runOnContext(v -> answer(rc, response)),
          error -> vertx.runOnContext(v -> answer(rc, McpSchema.JSONRPCResponse.error(request.id(),
              new McpSchema.JSONRPCResponse.JSONRPCError(McpSchema.ErrorCodes.INTERNAL_ERROR, "internal error")))));
    } else if (message instanceof McpSchema.JSONRPCNotification notification) {
      handler.handleNotification(context, notification).subscribe(
          done -> { },
          error -> vertx.runOnContext(v -> rc.fail(Failure.INTERNAL.exception("internal error"))),
          () -> vertx.runOnContext(v -> rc.response().setStatusCode(202).end()));
    } else {
      rc.response().setStatusCode(202).end();
    }
  }

  private void answer(RoutingContext rc, McpSchema.JSONRPCResponse response) {
    if (rc.response().ended()) {
      return;
    }
    try {
      rc.response().putHeader("Content-Type", "application/json").end(json.writeValueAsString(response));
    } catch (IOException e) {
      rc.fail(e);
    }
  }
}
