package io.arbiter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Dispatch lanes: which lane owns a tenant, and what a lane's next dispatch covers")
class LaneWorkTest {

  @Test
  @DisplayName("every tenant belongs to exactly one lane, the same every time, and tenants spread over the lanes")
  void tenantsSpreadOverLanesStably() {
    int lanes = 4;
    int[] perLane = new int[lanes];
    for (int i = 0; i < 4_000; i++) {
      String tenant = "tenant-" + i;
      int lane = LaneWork.laneOf(tenant, lanes);
      assertThat(LaneWork.laneOf(tenant, lanes)).isEqualTo(lane);
      long owners = IntStream.range(0, lanes).filter(l -> new LaneWork(l, lanes).owns(tenant)).count();
      assertThat(owners).isEqualTo(1);
      perLane[lane]++;
    }
    for (int count : perLane) {
      assertThat(count).isBetween(800, 1_200);
    }
    assertThat(LaneWork.laneOf("anything", 1)).isZero();
  }

  @Test
  @DisplayName("a lane starts with all of its tenants, then covers only the tenants it was woken for")
  void coversOnlyTheTenantsWokenFor() {
    LaneWork only = new LaneWork(0, 1);
    assertThat(only.pending()).isTrue();
    assertThat(only.take()).as("the first dispatch covers all tenants").isNull();
    assertThat(only.pending()).isFalse();
    assertThat(only.wake(List.of("acme", "globex", "acme"))).isTrue();
    assertThat(only.take()).containsExactlyInAnyOrder("acme", "globex");
    assertThat(only.pending()).isFalse();
    only.wake(List.of("acme"));
    only.wakeAll();
    only.wake(List.of("globex"));
    assertThat(only.take()).as("a wake of all covers the named ones too").isNull();
  }

  @Test
  @DisplayName("a lane ignores the tenants of other lanes")
  void ignoresOtherLanesTenants() {
    String tenant = "acme";
    int owner = LaneWork.laneOf(tenant, 2);
    LaneWork other = new LaneWork(1 - owner, 2);
    other.take();
    assertThat(other.wake(List.of(tenant))).isFalse();
    assertThat(other.pending()).isFalse();
    LaneWork mine = new LaneWork(owner, 2);
    mine.take();
    assertThat(mine.wake(List.of(tenant))).isTrue();
    assertThat(mine.take()).containsExactly(tenant);
  }

  @Test
  @DisplayName("work left behind is restored, and too many named tenants become a dispatch of all")
  void restoresAndBoundsWhatItNames() {
    LaneWork lane = new LaneWork(0, 1);
    lane.take();
    lane.wake(List.of("acme"));
    lane.restore(lane.take());
    assertThat(lane.take()).containsExactly("acme");
    lane.restore(null);
    assertThat(lane.take()).isNull();
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= LaneWork.MAX_NAMED; i++) {
      many.add("t" + i);
    }
    lane.wake(many);
    assertThat(lane.take()).isNull();
    assertThatThrownBy(() -> new LaneWork(2, 2)).isInstanceOf(IllegalArgumentException.class);
  }
}
