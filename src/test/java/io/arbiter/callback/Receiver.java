package io.arbiter.callback;

import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ToIntFunction;

/** A callback receiver on 127.0.0.1 for tests: records every request and answers the status {@code answer} picks. */
final class Receiver implements AutoCloseable {

  /** One request received, and the status it was answered with. */
  record Received(String signature, String delivery, String contentType, String body, int answered) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String taskId() {
      return json().getString("taskId");
    }
  }

  /** An answer that never comes: the request is left open. */
  static final int HANG = 0;

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  private volatile ToIntFunction<String> answer = taskId -> 200;

  Receiver() {
    server = TestApp.await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String taskId = new JsonObject(body).getString("taskId");
      int status = answer.applyAsInt(taskId);
      received.add(new Received(request.getHeader("Arbiter-Signature"), request.getHeader("Arbiter-Delivery"),
          request.getHeader("Content-Type"), body.toString(), status));
      if (status == HANG) {
        return;
      }
      if (status >= 300 && status < 400) {
        request.response().putHeader("Location", url());
      }
      request.response().setStatusCode(status).end("ignored by Arbiter");
    })).listen(0, "127.0.0.1"));
  }

  /** {@code http://127.0.0.1:<port>/hook}. */
  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hook?token=receiver-token";
  }

  /** How each request is answered, by the task it reports on. */
  void answer(ToIntFunction<String> status) {
    this.answer = status;
  }

  List<Received> of(String taskId) {
    return received.stream().filter(r -> taskId.equals(r.taskId())).toList();
  }

  List<Received> all() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    TestApp.await(vertx.close());
  }
}
