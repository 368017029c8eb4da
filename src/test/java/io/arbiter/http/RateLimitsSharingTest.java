package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.config.ArbiterConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Rate limits shared between clustered nodes")
class RateLimitsSharingTest {

  private static final String SPENDER = "SUBMIT acme/spender";

  private static RateLimits node() {
    RateLimits limits = new RateLimits(new ArbiterConfig.Rates(1, 1000, 1000, 1000, 5, 60_000), null);
    limits.share();
    return limits;
  }

  @Test
  @DisplayName("what one node lets through is charged to the other's buckets: a caller gets its limit once")
  void tokensTakenOnOneNodeAreChargedOnTheOther() {
    RateLimits a = node();
    RateLimits b = node();
    assertThat(a.consume(SPENDER, 1).isConsumed()).isTrue();
    assertThat(a.consume(SPENDER, 1).isConsumed()).isTrue();
    assertThat(a.consume(SPENDER, 1).isConsumed()).as("a bucket holds two seconds of its rate").isFalse();

    Map<String, Long> spent = a.takeSpent();
    assertThat(spent).as("only what was let through").containsExactly(Map.entry(SPENDER, 2L));
    assertThat(a.takeSpent()).as("each token is reported once").isEmpty();

    b.spentElsewhere(spent);
    assertThat(b.consume(SPENDER, 1).isConsumed()).as("node B refuses the caller at once").isFalse();
    assertThat(b.consume("SUBMIT acme/other", 1).isConsumed()).as("other callers are untouched").isTrue();
    assertThat(b.takeSpent()).as("charges from elsewhere are not reported back")
        .containsExactly(Map.entry("SUBMIT acme/other", 1L));
  }

  @Test
  @DisplayName("a node that does not share counts nothing, and an unknown bucket name in a report is ignored")
  void unsharedNodesCountNothingAndUnknownBucketsAreIgnored() {
    RateLimits alone = new RateLimits(new ArbiterConfig.Rates(1, 1000, 1000, 1000, 5, 60_000), null);
    assertThat(alone.consume(SPENDER, 1).isConsumed()).isTrue();
    assertThat(alone.takeSpent()).isEmpty();
    alone.spentElsewhere(Map.of("BOGUS acme/x", 5L, "nospace", 1L, "address 10.0.0.1", 3L));
    assertThat(alone.consume(SPENDER, 1).isConsumed()).isTrue();
  }
}
