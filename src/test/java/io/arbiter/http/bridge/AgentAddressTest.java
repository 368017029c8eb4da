package io.arbiter.http.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Agent addresses on the bridge")
class AgentAddressTest {

  @Test
  @DisplayName("takes the channel from the last segment, so agent ids may hold dots")
  void channelIsTheLastSegment() {
    assertThat(AgentAddress.parse("arbiter.agent.coder-1.tasks")).isEqualTo(new AgentAddress("coder-1", "tasks"));
    assertThat(AgentAddress.parse("arbiter.agent.team.coder.v2.ack"))
        .isEqualTo(new AgentAddress("team.coder.v2", "ack"));
    assertThat(AgentAddress.parse("arbiter.agent.coder-1.tasks").isTasks()).isTrue();
    assertThat(AgentAddress.parse("arbiter.agent.coder-1.result").isReport()).isTrue();
    assertThat(AgentAddress.parse("arbiter.agent.coder-1.tasks").isReport()).isFalse();
  }

  @Test
  @DisplayName("is not an agent address outside the prefix, without a channel, or with an id that is not a slug")
  void refusesOtherShapes() {
    assertThat(AgentAddress.parse("arbiter.tasks.cancel")).isNull();
    assertThat(AgentAddress.parse("arbiter.agent.coder-1")).isNull();
    assertThat(AgentAddress.parse("arbiter.agent.Coder.tasks")).isNull();
    assertThat(AgentAddress.parse("arbiter.agent..tasks")).isNull();
    assertThat(AgentAddress.parse("xarbiter.agent.coder-1.tasks")).isNull();
    assertThat(AgentAddress.parse(null)).isNull();
  }
}
