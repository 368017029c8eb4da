package io.arbiter.audit;

import io.arbiter.bus.RequestContext;
import io.arbiter.db.DbBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer of {@code GET /api/v1/audit/verify}. A whole-chain verification (no time range) starts where
 * {@link VerifyStart} chooses, after the last seal verified intact unless {@code full}, and once the chain verifies it
 * moves that verified checkpoint forward to the last seal it walked ({@code audit_verified}); a broken chain leaves it
 * where it was. A ranged verification walks its range from the latest archival checkpoint, as before, and moves
 * nothing. Seals and records are only read: a verification never takes the sealer's lock.
 */
final class Verification {

  private static final Logger LOG = LoggerFactory.getLogger(Verification.class);

  private final DbBreaker breaker;
  private final AuditRepository audit;
  private final ChainWalk walk;
  private final Counter ok;
  private final Counter broken;
  private final DistributionSummary walked;

  Verification(DbBreaker breaker, AuditRepository audit, ChainWalk walk, MeterRegistry registry) {
    this.breaker = breaker;
    this.audit = audit;
    this.walk = walk;
    if (registry == null) {
      ok = null;
      broken = null;
      walked = null;
    } else {
      ok = Counter.builder("arbiter.audit.verifications").tag("result", "ok")
          .description("Chain verifications run on this node, by result").register(registry);
      broken = Counter.builder("arbiter.audit.verifications").tag("result", "broken")
          .description("Chain verifications run on this node, by result").register(registry);
      walked = DistributionSummary.builder("arbiter.audit.verification.records")
          .description("Records one whole-chain verification on this node walked").register(registry);
    }
  }

  /**
   * Verifies the records whose time lies in [{@code from}, {@code to}) (each null for an open end; both null: the whole
   * chain, from the archival checkpoint when {@code full}). The answer names every record for the platform role, and
   * only {@code ctx}'s tenant's records for anyone else.
   */
  Future<JsonObject> run(OffsetDateTime from, OffsetDateTime to, boolean full, RequestContext ctx) {
    boolean whole = from == null && to == null;
    Future<ChainVerifier> verified = whole ? wholeChain(full)
        : breaker.execute(audit::checkpoint).compose(checkpoint -> walk.settled(checkpoint, from, to, Long.MAX_VALUE));
    return verified.map(verifier -> {
      JsonObject result = verifier.result();
      if (ok != null) {
        (result.getBoolean("ok") ? ok : broken).increment();
        if (whole) {
          walked.record(verifier.checked());
        }
      }
      if (!result.getBoolean("ok")) {
        LOG.warn("audit chain broken at record {}: {}", result.getLong("brokenId"), result.getString("reason"));
      }
      return ctx.platform() ? result : verifier.resultFor(ctx.tenantId());
    });
  }

  private Future<ChainVerifier> wholeChain(boolean full) {
    return breaker.execute(audit::checkpoint)
        .compose(archived -> breaker.execute(audit::verified)
            .map(verified -> VerifyStart.choose(archived, verified, full)))
        .compose(walk::whole)
        .compose(verifier -> advance(verifier).map(verifier));
  }

  /** Records how far the chain verified; the answer stands when that write fails, and the next walk starts earlier. */
  private Future<Void> advance(ChainVerifier verifier) {
    return verifier.reached()
        .map(reached -> breaker.execute(() -> audit.advanceVerified(reached)).<Void>mapEmpty().recover(e -> {
          LOG.warn("the audit chain verified through seal {}, but that could not be recorded: {}", reached.sealId(),
              e.getMessage());
          return Future.succeededFuture();
        }))
        .orElseGet(Future::succeededFuture);
  }
}
