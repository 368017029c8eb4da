package io.arbiter.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Turns a domain verticle's {@code Future} into a bus reply, and a bus failure back into a {@link Failure}. A failure
 * crosses the bus as {@code message.fail(code, text)}: the code is the {@link Failure}'s, the text is the detail, and
 * when the failure adds problem fields (such as {@code field}) they follow the detail as JSON after
 * {@link #EXTRA_SEPARATOR}.
 */
public final class Replies {
  private Replies() {}

  static final String EXTRA_SEPARATOR = "\u001e";

  /** Consumer body: runs {@code work} and replies with its JSON, or fails with the failure's fixed code. */
  public static Handler handle(Logger logger, Function<Message<JsonObject>, Future<JsonObject>> work) {
    return message -> {
      Future<JsonObject> result;
      try {
        result = work.apply(message);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(message::reply).onFailure(e -> fail(logger, message, e));
    };
  }

  /** A bus consumer that replies through {@link #handle}. */
  @FunctionalInterface
  public interface Handler extends io.vertx.core.Handler<Message<JsonObject>> {}

  public static void fail(Logger logger, Message<?> message, Throwable error) {
    if (error instanceof ArbiterException known) {
      message.fail(known.failure().code, known.extra() == null ? known.getMessage()
          : known.getMessage() + EXTRA_SEPARATOR + known.extra().encode());
      return;
    }
    String correlationId = message.headers().get(RequestContext.CORRELATION_ID);
    RequestLog.of(logger, correlationId).error("unexpected failure on {}: {}", message.address(), error.toString());
    message.fail(Failure.INTERNAL.code, "internal error (correlation id " + correlationId + ")");
  }

  /** The failure a bus reply error stands for. */
  public static ArbiterException fromBus(Throwable error) {
    if (error instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case RECIPIENT_FAILURE -> recipientFailure(reply);
        case TIMEOUT -> Failure.TIMEOUT.exception("the service did not answer in time");
        case NO_HANDLERS -> Failure.UNAVAILABLE.exception("the service is starting or stopping; retry");
        default -> Failure.INTERNAL.exception("event bus error");
      };
    }
    if (error instanceof ArbiterException known) {
      return known;
    }
    return Failure.INTERNAL.exception("internal error");
  }

  private static ArbiterException recipientFailure(ReplyException reply) {
    String text = String.valueOf(reply.getMessage());
    int cut = text.indexOf(EXTRA_SEPARATOR);
    Failure failure = Failure.fromCode(reply.failureCode());
    return cut < 0 ? new ArbiterException(failure, text)
        : new ArbiterException(failure, text.substring(0, cut), new JsonObject(text.substring(cut + 1)));
  }
}
