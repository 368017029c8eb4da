package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The unroutable marks kept true as agents change")
class UnroutableMarksTest {

  @Test
  @DisplayName("a failed update of the marks is tried again after 200 ms, doubling, at most four times")
  void retriesBackOff() {
    assertThat(IntStream.range(0, UnroutableMarks.RETRIES).mapToObj(UnroutableMarks::retryDelayMs).toList())
        .containsExactly(200L, 400L, 800L, 1600L);
  }
}
