package io.arbiter.task;

import io.arbiter.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a submission or a result does when the database cannot be reached: its journal entry goes to the
 * {@link OutageJournal} and it is answered as buffered, to land when the database is back ({@link JournalReplay}).
 * Every change of what the journal holds is shared with the other nodes ({@link JournalHolds}), whose lease rescuers
 * wait for it.
 */
final class OutageFallback {

  private static final Logger LOG = LoggerFactory.getLogger(OutageFallback.class);

  private final OutageJournal journal;
  private final JournalHolds holds;

  OutageFallback(OutageJournal journal, JournalHolds holds) {
    this.journal = journal;
    this.holds = holds;
  }

  /**
   * {@code live}'s answer, or, when the database could not be reached, {@code entry} written to the outage journal and
   * answered with {@code buffered}.
   */
  <T> Future<T> orBuffered(Future<T> live, JsonObject entry, Supplier<T> buffered) {
    return live.recover(e -> Failure.UNAVAILABLE.is(e)
        ? journal.append(entry).compose(v -> holds.report(journal.buffered()).otherwiseEmpty()).map(v -> buffered.get())
        : Future.failedFuture(e));
  }

  /** Shares what the journal holds now with the other nodes. */
  void reportHold() {
    holds.report(journal.buffered()).onFailure(e -> LOG.warn("the journal's hold could not be shared with the other "
        + "nodes: {}", e.getMessage()));
  }
}
