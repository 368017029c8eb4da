package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.ArbiterApp;
import io.arbiter.support.TestApp;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@ArbiterApp
@DisplayName("The audit sealer and the chain's lock")
class SealLockTest {

  private static final String CHAIN_LOCK = "SELECT pg_advisory_xact_lock(hashtext('arbiter.audit.drain'))";
  private static final String WAITING_ON_ADVISORY = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
      + "AND NOT granted";

  @ArbiterApp.Inject
  private static TestApp app;

  @Test
  @DisplayName("a sealer that finds the lock taken skips its turn without waiting on it, and seals once it is free")
  void sealerSkipsWhileAnotherHoldsTheLock() throws Exception {
    try (AutoCloseable otherSealer = app.holdTransaction(CHAIN_LOCK)) {
      app.sqlTransaction("""
          INSERT INTO audit_log (tenant_id, actor_sub, actor_role, action, target, outcome, details, tags)
          VALUES ('acme', 'alice', 'admin', 'agent.updated', 'agent:a1', 'success', '{}'::jsonb, '{}'::text[])""");
      long skippedBefore = skipped();
      TestApp.eventually(Duration.ofSeconds(10), "the sealer skipping a turn", () -> skipped() > skippedBefore);
      assertThat(count(WAITING_ON_ADVISORY)).as("no connection waits on the chain's lock").isZero();
      assertThat(count(TestApp.UNSEALED)).as("the record waits for the lock").isPositive();
    }
    TestApp.eventually(Duration.ofSeconds(10), "the record sealed once the lock is free",
        () -> count(TestApp.UNSEALED) == 0);
  }

  private static long skipped() {
    return app.http().get("/metrics", null).text().lines()
        .filter(line -> line.startsWith("arbiter_audit_seal_skipped_total"))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static long count(String sql) {
    return app.sql(sql).iterator().next().getLong(0);
  }
}
