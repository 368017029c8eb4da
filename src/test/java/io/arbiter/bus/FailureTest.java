package io.arbiter.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Failure codes")
class FailureTest {

  @Test
  @DisplayName("codes are unique, stable, and round-trip; an unknown code is internal")
  void codesAreUniqueAndRoundTrip() {
    assertThat(Arrays.stream(Failure.values()).map(f -> f.code)).doesNotHaveDuplicates();
    for (Failure failure : Failure.values()) {
      assertThat(Failure.fromCode(failure.code)).isEqualTo(failure);
      assertThat(failure.code / 10).as("the code starts with its HTTP status").isEqualTo(failure.httpStatus);
    }
    assertThat(Failure.CONFLICT.code).isEqualTo(4090);
    assertThat(Failure.UNAVAILABLE.code).isEqualTo(5030);
    assertThat(Failure.fromCode(1234)).isEqualTo(Failure.INTERNAL);
  }

  @Test
  @DisplayName("a problem body has type, title, status, detail and code")
  void problemBody() {
    var problem = Failure.NOT_FOUND.problem("no such agent");
    assertThat(problem.fieldNames()).containsExactlyInAnyOrder("type", "title", "status", "detail", "code");
    assertThat(problem.getInteger("status")).isEqualTo(404);
    assertThat(problem.getString("type")).endsWith("/not-found");
  }
}
