package io.arbiter.http.mcp;

import io.arbiter.bus.Failure;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * The checks MCP's streamable HTTP transport asks of a server before any message is read: a present
 * {@code MCP-Protocol-Version} must name a version the server speaks (else 400; an absent one is taken as the oldest
 * version of the transport), and a present {@code Origin} must be one of the allowed origins (else 403), so that a page
 * of another site cannot reach the server through a browser (DNS rebinding). Both answer a problem body, before the
 * token is looked at.
 */
public final class TransportHeaders implements Handler<RoutingContext> {

  /** The protocol versions the server's transport speaks (the MCP SDK's stateless transport's). */
  static final List<String> VERSIONS = new VertxStatelessTransport(null).protocolVersions();

  private final Set<String> origins;

  private TransportHeaders(Set<String> origins) {
    this.origins = origins;
  }

  /** The checks, with {@code allowedOrigins} ({@code http.cors.allowedOrigins}) as the only origins let through. */
  public static TransportHeaders allowing(List<String> allowedOrigins) {
    return new TransportHeaders(Set.copyOf(allowedOrigins));
  }

  @Override
  public void handle(RoutingContext rc) {
    String version = rc.request().getHeader(HttpHeaders.PROTOCOL_VERSION);
    String origin = rc.request().getHeader("Origin");
    if (origin != null && !origins.contains(origin)) {
      rc.fail(Failure.FORBIDDEN.exception("the Origin " + abbreviate(origin) + " may not call " + McpEndpoint.PATH
          + ": it is not in http.cors.allowedOrigins"));
    } else if (version != null && !VERSIONS.contains(version)) {
      rc.fail(Failure.BAD_REQUEST.exception("MCP-Protocol-Version " + abbreviate(version) + " is not supported; "
          + "this server speaks " + String.join(", ", VERSIONS)));
    } else {
      rc.next();
    }
  }

  private static String abbreviate(String value) {
    return value.length() > 100 ? value.substring(0, 100) + "…" : value;
  }
}
