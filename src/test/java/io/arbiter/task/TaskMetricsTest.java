package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The task domain's meters")
class TaskMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger waiting = new AtomicInteger();
  private final TaskMetrics metrics = new TaskMetrics(registry, waiting, AtomicInteger::get);

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }

  @Test
  @DisplayName("completed attempts count by outcome, anything but succeeded as failed")
  void completedByOutcome() {
    metrics.completed(List.of("succeeded", "failed", "succeeded", "timed_out"));
    assertThat(counter("arbiter.tasks.completed", "outcome", "succeeded")).isEqualTo(2);
    assertThat(counter("arbiter.tasks.completed", "outcome", "failed")).isEqualTo(2);
  }

  @Test
  @DisplayName("submissions and rescue ticks count; an unknown rescue outcome counts nowhere")
  void submittedAndRescued() {
    metrics.submitted(3);
    metrics.rescuePass("ran");
    metrics.rescuePass("paused");
    metrics.rescuePass("paused");
    metrics.rescuePass("unheard-of");
    assertThat(registry.get("arbiter.tasks.submitted").counter().count()).isEqualTo(3);
    assertThat(counter("arbiter.tasks.rescue.passes", "outcome", "ran")).isEqualTo(1);
    assertThat(counter("arbiter.tasks.rescue.passes", "outcome", "locked")).isZero();
    assertThat(counter("arbiter.tasks.rescue.passes", "outcome", "paused")).isEqualTo(2);
  }

  @Test
  @DisplayName("the state gauges read the latest counts, the queue depth first and the unroutable tasks last")
  void stateGauges() {
    long[] counts = new long[TaskState.COUNTED.size() + 1];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = 10 + i;
    }
    metrics.stateCounts(counts);
    waiting.set(4);
    assertThat(registry.get("arbiter.tasks.queue.depth").gauge().value()).isEqualTo(10);
    for (int i = 0; i < TaskState.COUNTED.size(); i++) {
      assertThat(registry.get("arbiter.tasks").tag("state", TaskState.COUNTED.get(i).wire()).gauge().value())
          .isEqualTo(10 + i);
    }
    assertThat(registry.get("arbiter.tasks.unroutable").gauge().value()).isEqualTo(10 + TaskState.COUNTED.size());
    assertThat(registry.get("arbiter.claims.waiting").gauge().value()).isEqualTo(4);
  }

  @Test
  @DisplayName("without a registry the meters still count, into none that is published")
  void withoutRegistry() {
    int meters = registry.getMeters().size();
    TaskMetrics off = new TaskMetrics(null, waiting, AtomicInteger::get);
    assertThatCode(() -> {
      off.submitted(1);
      off.completed(List.of("succeeded"));
      off.rescuePass("ran");
      off.stateCounts(new long[TaskState.COUNTED.size() + 1]);
    }).doesNotThrowAnyException();
    assertThat(registry.getMeters()).hasSize(meters);
    assertThat(registry.get("arbiter.tasks.submitted").counter().count()).isZero();
  }
}
