package io.arbiter.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live-stream subscribers of one tenant, as a browser opens them: each takes a one-time ticket
 * ({@code POST /api/v1/stream-tickets}) and opens {@code GET /api/v1/stream?ticket=} (WebSocket) or
 * {@code GET /api/v1/events?ticket=} (server-sent events), and counts what arrives. {@link #reopen()} closes every
 * stream and opens a fresh one in its place, so that a run also churns subscriptions.
 */
final class StreamSubscribers {

  private static final long TIMEOUT_MS = 30_000;

  private final ArbiterApi api;
  private final URI base;
  private final String token;
  private final int webSockets;
  private final int eventSources;
  private final WebSocketClient wsClient;
  private final HttpClient sseClient;
  private final List<WebSocket> openSockets = new ArrayList<>();
  private final List<HttpClientResponse> openStreams = new ArrayList<>();
  private final LongAdder messages = new LongAdder();
  private final LongAdder opened = new LongAdder();
  final Tally errors = new Tally();
  private final Percentiles.Recorder ticketMicros = new Percentiles.Recorder();

  StreamSubscribers(Vertx vertx, ArbiterApi api, URI base, String token, int webSockets, int eventSources) {
    this.api = api;
    this.base = base;
    this.token = token;
    this.webSockets = webSockets;
    this.eventSources = eventSources;
    this.wsClient = vertx.createWebSocketClient();
    this.sseClient = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(base.getHost())
        .setDefaultPort(base.getPort()));
  }

  /** Closes the open streams (if any) and opens the configured number of each kind. */
  Future<Void> reopen() {
    return closeAll().transform(ar -> {
      List<Future<Void>> all = new ArrayList<>();
      for (int i = 0; i < webSockets; i++) {
        all.add(ticket().compose(this::openWebSocket));
      }
      for (int i = 0; i < eventSources; i++) {
        all.add(ticket().compose(this::openEventSource));
      }
      return Future.join(all).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    });
  }

  Future<Void> close() {
    return closeAll().transform(ar -> wsClient.close()).transform(ar -> sseClient.close());
  }

  private synchronized Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    openSockets.forEach(s -> closing.add(s.close()));
    openStreams.forEach(r -> closing.add(r.request().connection().close()));
    openSockets.clear();
    openStreams.clear();
    return Future.join(closing).mapEmpty();
  }

  /** Stream messages received so far (WebSocket messages and SSE chunks). */
  long messages() {
    return messages.sum();
  }

  long opened() {
    return opened.sum();
  }

  /** Client-side times (microseconds) of the ticket requests since the last call. */
  long[] drainTicketMicros() {
    return ticketMicros.drain();
  }

  private Future<String> ticket() {
    long sent = System.nanoTime();
    return api.post("/stream-tickets", token, null, TIMEOUT_MS).compose(r -> {
      ticketMicros.add((System.nanoTime() - sent) / 1000);
      String ticket = ArbiterApi.json(r).getString("ticket");
      if (r.statusCode() / 100 != 2 || ticket == null) {
        errors.add("stream ticket " + r.statusCode(), ArbiterApi.text(r));
        return Future.failedFuture("no ticket");
      }
      return Future.succeededFuture(ticket);
    });
  }

  private Future<Void> openWebSocket(String ticket) {
    return wsClient.connect(new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
        .setURI(ArbiterApi.PREFIX + "/stream?ticket=" + ticket)).map(socket -> {
          opened.increment();
          socket.textMessageHandler(m -> messages.increment());
          socket.closeHandler(v -> {
            synchronized (this) {
              if (openSockets.remove(socket)) {
                errors.add("stream WebSocket closed by the server", "status " + socket.closeStatusCode() + " "
                    + socket.closeReason());
              }
            }
          });
          synchronized (this) {
            openSockets.add(socket);
          }
          return (Void) null;
        }).onFailure(e -> errors.add("stream WebSocket " + SimulatedAgents.failureKind(e), e.getMessage()));
  }

  private Future<Void> openEventSource(String ticket) {
    return sseClient.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setURI(ArbiterApi.PREFIX + "/events?ticket=" + ticket).putHeader("Accept", "text/event-stream"))
        .compose(request -> request.send()).compose(response -> {
          if (response.statusCode() != 200) {
            errors.add("stream SSE " + response.statusCode(), null);
            return response.body().<Void>mapEmpty();
          }
          opened.increment();
          response.handler(chunk -> messages.increment());
          response.endHandler(v -> {
            synchronized (this) {
              if (openStreams.remove(response)) {
                errors.add("stream SSE ended by the server", null);
              }
            }
          });
          synchronized (this) {
            openStreams.add(response);
          }
          return Future.<Void>succeededFuture();
        }).onFailure(e -> errors.add("stream SSE " + SimulatedAgents.failureKind(e), e.getMessage()));
  }
}
