package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the outage journal holds, and how it lands: an entry is written when a submission or a result could not reach
 * the database ({@link #unavailable}), and replayed later through the same statements as a live request.
 */
final class JournalReplay {

  private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);

  /** Records one agent's results and answers each (the live result path). */
  interface Results {
    Future<List<Future<JsonObject>>> record(RequestContext ctx, String agentId, List<UUID> ids,
                                            List<JsonObject> results);
  }

  private final OutageJournal journal;
  private final DbBreaker breaker;
  private final Function<List<Submission>, Future<List<Future<JsonObject>>>> submit;
  private final Results results;
  private final Runnable landed;

  /**
   * @param submit writes a batch of submissions (the live submission path)
   * @param landed called after a replay that landed anything
   */
  JournalReplay(OutageJournal journal, DbBreaker breaker,
                Function<List<Submission>, Future<List<Future<JsonObject>>>> submit, Results results,
                Runnable landed) {
    this.journal = journal;
    this.breaker = breaker;
    this.submit = submit;
    this.results = results;
    this.landed = landed;
  }

  /** A journal entry: the kind of request, its caller and its items. */
  static JsonObject entry(String kind, RequestContext ctx, List<JsonObject> items) {
    return new JsonObject().put("kind", kind).put("ctx", ctx.toJson()).put("items", new JsonArray(items));
  }

  /** Replays the journal when it holds anything and the breaker lets calls through. */
  Future<Integer> replayIfReachable() {
    return journal.buffered() > 0 && breaker.state() != CircuitBreakerState.OPEN ? replay()
        : Future.succeededFuture(0);
  }

  Future<Integer> replay() {
    return journal.replay(this::replayEntry).onSuccess(n -> {
      if (n > 0) {
        landed.run();
      }
    });
  }

  /**
   * One journal entry through the same statements as a live request. Fails only when the database is unavailable
   * (the replay then stops and tries again later); an item the database refuses is logged and counted, never retried
   * forever.
   */
  private Future<OutageJournal.Replayed> replayEntry(JsonObject entry) {
    RequestContext ctx = RequestContext.fromJson(entry.getJsonObject("ctx"));
    List<JsonObject> items = entry.getJsonArray("items").stream().map(JsonObject.class::cast).toList();
    Future<List<Future<JsonObject>>> outcomes;
    if ("submit".equals(entry.getString("kind"))) {
      List<Submission> batch = items.stream().map(item -> Submission.fromJournal(item, ctx)).toList();
      outcomes = breaker.execute(() -> submit.apply(batch));
    } else {
      String agentId = entry.getString("agentId");
      List<UUID> ids = items.stream().map(item -> UUID.fromString(item.getString("taskId"))).toList();
      outcomes = results.record(ctx, agentId, ids, items);
    }
    return outcomes.map(answers -> {
      int refused = 0;
      for (int i = 0; i < answers.size(); i++) {
        if (answers.get(i).failed()) {
          refused++;
          LOG.warn("journal replay: {} item {} of tenant {} was refused: {}", entry.getString("kind"),
              items.get(i).getString(items.get(i).containsKey("taskId") ? "taskId" : "id"), ctx.tenantId(),
              answers.get(i).cause().getMessage());
        }
      }
      return new OutageJournal.Replayed(answers.size() - refused, refused);
    }).recover(e -> {
      if (Failure.UNAVAILABLE.is(e)) {
        return Future.failedFuture(e);
      }
      LOG.error("journal replay: a {} entry of tenant {} failed and is dropped: {}", entry.getString("kind"),
          ctx.tenantId(), e.getMessage());
      return Future.succeededFuture(new OutageJournal.Replayed(0, items.size()));
    });
  }
}
