package io.arbiter.audit;

import io.arbiter.db.DbBreaker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Walks the stored audit chain in chain order through a {@link ChainVerifier}, page by page through the audit
 * verticle's breaker: the pre-seal records, then whole seals against the hashes they hold, starting at the latest
 * checkpoint once part of the chain was archived. Used by verification and, before each archival step, by archival.
 */
final class ChainWalk {

  /** Records read per statement while verifying the chain. */
  static final int VERIFY_PAGE = 1000;

  private final DbBreaker breaker;
  private final AuditRepository audit;

  ChainWalk(DbBreaker breaker, AuditRepository audit) {
    this.breaker = breaker;
    this.audit = audit;
  }

  /**
   * {@link #walk}, walked again once from the newer checkpoint when it finds a break and an archival step (on any node)
   * moved the checkpoint meanwhile: the records it read may have been archived under it.
   */
  Future<ChainVerifier> settled(Checkpoint checkpoint, OffsetDateTime from, OffsetDateTime to, long lastSeal) {
    return walk(checkpoint, from, to, lastSeal).compose(verifier -> verifier.broken().isEmpty()
        ? Future.succeededFuture(verifier)
        : breaker.execute(audit::checkpoint).compose(now -> moved(checkpoint, now)
            ? walk(now, from, to, lastSeal) : Future.succeededFuture(verifier)));
  }

  /**
   * A whole-chain walk (no time range) from {@code start}, up to the last seal written when it begins, answering with
   * where it started; walked again once from the start chosen anew when it finds a break and an archival step moved the
   * checkpoint meanwhile, as {@link #settled} does. It reads seals and records only, never taking the sealer's lock.
   */
  Future<ChainVerifier> whole(VerifyStart start) {
    return from(start).compose(verifier -> verifier.broken().isEmpty()
        ? Future.succeededFuture(verifier)
        : breaker.execute(audit::checkpoint).compose(now -> moved(start.archived(), now)
            ? from(start.withArchived(now)) : Future.succeededFuture(verifier)));
  }

  private Future<ChainVerifier> from(VerifyStart start) {
    Future<ChainVerifier> walked = start.kind() == VerifyStart.Kind.VERIFIED
        ? afterVerified(start.verified(), start.archived())
        : walk(start.archived(), null, null, Long.MAX_VALUE);
    return walked.map(verifier -> verifier.startingAt(start));
  }

  /** The seals after the verified one, from its last record's hash on; the archival checkpoint is only reported. */
  private Future<ChainVerifier> afterVerified(VerifiedCheckpoint verified, Checkpoint archived) {
    ChainVerifier verifier = ChainVerifier.fromVerified(verified);
    if (archived != null) {
      verifier.reporting(archived);
    }
    if (verifier.broken().isPresent()) {
      return Future.succeededFuture(verifier);
    }
    return breaker.execute(() -> audit.sealRange(null, null, verified.sealId())).compose(seals -> {
      if (seals.lastId() == null) {
        return Future.succeededFuture(verifier);
      }
      Promise<ChainVerifier> done = Promise.promise();
      walkSeals(verifier, verified.sealId(), seals.lastId(), done);
      return done.future();
    });
  }

  private static boolean moved(Checkpoint before, Checkpoint now) {
    return now != null && (before == null || now.archived() != before.archived());
  }

  /**
   * The walk of a verification over the stored chain after {@code checkpoint} (null: from the start), through seal
   * {@code lastSeal} at most. Records from before seals existed are all archived with the first checkpoint, so with
   * one only seals are walked.
   */
  Future<ChainVerifier> walk(Checkpoint checkpoint, OffsetDateTime from, OffsetDateTime to, long lastSeal) {
    Future<ChainVerifier> legacyWalk = checkpoint != null ? Future.succeededFuture(null)
        : breaker.execute(() -> audit.legacyRange(from, to))
            .compose(legacy -> legacy.firstId() == null ? Future.<ChainVerifier>succeededFuture(null)
                : breaker.execute(() -> audit.legacyBefore(legacy.firstId())).compose(anchor -> {
                  Promise<ChainVerifier> done = Promise.promise();
                  if (anchor == null) {
                    walkLegacy(ChainVerifier.fromStart(), legacy.firstId() - 1, legacy.lastId(), done);
                  } else {
                    walkLegacy(ChainVerifier.after(anchor.id(), anchor.hash()), anchor.id(), legacy.lastId(), done);
                  }
                  return done.future();
                }));
    long archivedSeal = checkpoint == null ? 0 : checkpoint.sealId();
    return legacyWalk
        .compose(verifier -> verifier != null && verifier.broken().isPresent() ? Future.succeededFuture(verifier)
            : breaker.execute(() -> audit.sealRange(from, to, archivedSeal)).compose(seals -> seals.firstId() == null
                ? Future.succeededFuture(verifier != null ? verifier : checkpoint != null
                    ? ChainVerifier.fromCheckpoint(checkpoint) : ChainVerifier.fromStart())
                : startOfSeals(verifier, seals.firstId(), checkpoint).compose(v -> {
                  Promise<ChainVerifier> done = Promise.promise();
                  walkSeals(v, seals.firstId() - 1, Math.min(seals.lastId(), lastSeal), done);
                  return done.future();
                })));
  }

  /**
   * Where the walk over seals starts: at the checkpoint when the seal before the first is archived, else after the
   * seal before the first, else after the last pre-seal record.
   */
  private Future<ChainVerifier> startOfSeals(ChainVerifier legacyWalk, long firstSeal, Checkpoint checkpoint) {
    return breaker.execute(() -> audit.sealBefore(firstSeal)).compose(prior -> {
      if (checkpoint != null && (prior == null || prior.id() <= checkpoint.lastId())) {
        return Future.succeededFuture(ChainVerifier.fromCheckpoint(checkpoint));
      }
      if (prior != null) {
        ChainVerifier walk = legacyWalk == null ? ChainVerifier.after(prior.id(), prior.hash())
            : legacyWalk.continueAfter(prior.id(), prior.hash());
        return Future.succeededFuture(checkpoint == null ? walk : walk.reporting(checkpoint));
      }
      if (legacyWalk != null) {
        return Future.succeededFuture(legacyWalk);
      }
      return breaker.execute(audit::lastLegacy).map(last -> last == null ? ChainVerifier.fromStart()
          : ChainVerifier.after(last.id(), last.hash()));
    });
  }

  private void walkLegacy(ChainVerifier verifier, long afterId, long lastId, Promise<ChainVerifier> done) {
    breaker.execute(() -> audit.legacyPage(afterId, lastId, VERIFY_PAGE)).onComplete(read -> {
      if (read.failed()) {
        done.fail(read.cause());
        return;
      }
      List<AuditRecord> page = read.result();
      for (AuditRecord record : page) {
        if (verifier.accept(record).isPresent()) {
          done.complete(verifier);
          return;
        }
      }
      if (page.size() < VERIFY_PAGE) {
        done.complete(verifier);
      } else {
        walkLegacy(verifier, page.get(page.size() - 1).id(), lastId, done);
      }
    });
  }

  private void walkSeals(ChainVerifier verifier, long afterSeal, long lastSeal, Promise<ChainVerifier> done) {
    breaker.execute(() -> audit.sealAfter(afterSeal, lastSeal)).onComplete(read -> {
      if (read.failed()) {
        done.fail(read.cause());
      } else if (read.result() == null) {
        done.complete(verifier);
      } else {
        AuditRepository.Seal seal = read.result();
        Promise<Void> sealDone = Promise.promise();
        walkSeal(verifier, seal, seal.sealed(), 0, seal.fromTxid() - 1, 0, sealDone);
        sealDone.future().onComplete(walked -> {
          if (walked.failed()) {
            done.fail(walked.cause());
          } else if (verifier.broken().isPresent()) {
            done.complete(verifier);
          } else {
            walkSeals(verifier, seal.id(), lastSeal, done);
          }
        });
      }
    });
  }

  /** Checks one seal's records page by page against the hashes the seal holds. */
  private void walkSeal(ChainVerifier verifier, AuditRepository.Seal seal, List<byte[]> sealed, int position,
                        long afterTxid, long afterId, Promise<Void> done) {
    breaker.execute(() -> audit.sealPage(seal, afterTxid, afterId, VERIFY_PAGE)).onComplete(read -> {
      if (read.failed()) {
        done.fail(read.cause());
        return;
      }
      List<AuditRecord> page = read.result().records();
      int at = position;
      for (AuditRecord record : page) {
        if (verifier.acceptSealed(record, seal.id(), at++, seal.prevHash(), sealed).isPresent()) {
          done.complete();
          return;
        }
      }
      if (page.size() == VERIFY_PAGE) {
        walkSeal(verifier, seal, sealed, at, read.result().lastTxid(), page.get(page.size() - 1).id(), done);
      } else {
        verifier.sealEnded(seal.id(), seal.lastId(), at, sealed.size());
        done.complete();
      }
    });
  }
}
