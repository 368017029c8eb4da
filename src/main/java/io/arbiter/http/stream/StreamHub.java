package io.arbiter.http.stream;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live streams of one HTTP verticle: takes the events the audit verticle publishes on
 * {@link Addresses#EVENTS_STREAM} and hands each to the subscribers whose tenant and filters match. A subscriber that
 * cannot keep up is dropped by its own transport (see {@link Subscriber#offer}); nothing is buffered here.
 */
public final class StreamHub {

  /** One connected stream: its tenant, its filters (null for any) and where its events go. */
  public interface Subscriber {
    String tenantId();

    String task();

    String agent();

    String type();

    /** Sends one event; returns false when the subscriber is too slow and has been closed. */
    boolean offer(StreamEvent event);
  }

  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

  public Future<Void> start(Vertx vertx) {
    return vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_STREAM, m -> {
      if (subscribers.isEmpty()) {
        return;
      }
      List<StreamEvent> events = new ArrayList<>();
      m.body().getJsonArray("events").forEach(e -> events.add(StreamEvent.fromBus((JsonObject) e)));
      for (Subscriber subscriber : List.copyOf(subscribers)) {
        for (StreamEvent event : events) {
          if (event.matches(subscriber.tenantId(), subscriber.task(), subscriber.agent(), subscriber.type())
              && !subscriber.offer(event)) {
            subscribers.remove(subscriber);
            break;
          }
        }
      }
    }).completion();
  }

  public void add(Subscriber subscriber) {
    subscribers.add(subscriber);
  }

  public void remove(Subscriber subscriber) {
    subscribers.remove(subscriber);
  }

  public int size() {
    return subscribers.size();
  }
}
