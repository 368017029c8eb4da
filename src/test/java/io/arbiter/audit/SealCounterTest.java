package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.Arbiter;
import io.arbiter.support.TestApp;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Start refuses a database whose transaction counter is behind the audit chain's last seal")
class SealCounterTest {

  @Test
  @DisplayName("a seal above the counter (a logical dump restored into a new cluster) stops the start with the repair")
  void refusesACounterBehindTheLastSeal() {
    String dbUrl;
    try (TestApp app = TestApp.start()) {
      dbUrl = app.dbUrl();
      // what a restore into a new cluster looks like: the last seal lies an epoch above the current transaction id
      app.sqlTransaction("""
          INSERT INTO audit_seals (from_txid, to_txid, records, first_at, last_at, last_id, prev_hash, hash, hashes)
          VALUES (pg_current_xact_id()::text::bigint + (1::bigint << 32), pg_current_xact_id()::text::bigint
                  + (1::bigint << 32) + 1, 1, now(), now(), 1, decode(repeat('00', 32), 'hex'),
                  decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))""");
    }
    assertThatThrownBy(() -> TestApp.start(Map.of("db.url", dbUrl)).close())
        .isInstanceOf(Arbiter.StartupException.class)
        .hasMessageContaining("behind the audit chain's last seal").hasMessageContaining("pg_resetwal -e 2");
  }

  @Test
  @DisplayName("the repair names the epoch above the last seal's")
  void namesTheEpochAboveTheSeal() {
    assertThat(SealCounter.message(700, (5L << 32) + 12)).contains("(700)").contains("pg_resetwal -e 6 ");
  }
}
