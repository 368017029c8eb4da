package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Workflow graphs and flow fields, checked before anything is written")
class WorkflowTest {

  private static JsonArray nodes(String... keys) {
    JsonArray nodes = new JsonArray();
    for (String key : keys) {
      nodes.add(new JsonObject().put("key", key).put("type", "t"));
    }
    return nodes;
  }

  private static JsonObject edge(String from, String to) {
    return new JsonObject().put("from", from).put("to", to);
  }

  @Test
  @DisplayName("answers each node's parents by key, cancel by default")
  void parentsByKey() {
    Map<String, List<Workflow.Parent>> parents = Workflow.parents(nodes("a", "b", "c"),
        new JsonArray().add(edge("a", "b")).add(edge("b", "c").put("onFailure", "continue")));
    assertThat(parents.get("a")).isEmpty();
    assertThat(parents.get("b")).containsExactly(new Workflow.Parent("a", Flow.OnFailure.CANCEL));
    assertThat(parents.get("c")).containsExactly(new Workflow.Parent("b", Flow.OnFailure.CONTINUE));
  }

  @Test
  @DisplayName("refuses a cycle, naming its keys in order")
  void refusesACycle() {
    assertThatThrownBy(() -> Workflow.parents(nodes("a", "b", "c", "d"),
        new JsonArray().add(edge("d", "a")).add(edge("a", "b")).add(edge("b", "c")).add(edge("c", "a"))))
        .isInstanceOf(ArbiterException.class)
        .hasMessageContaining("cycle: a -> b -> c -> a")
        .satisfies(e -> assertThat(((ArbiterException) e).failure()).isEqualTo(Failure.BAD_REQUEST));
    assertThatThrownBy(() -> Workflow.parents(nodes("a"), new JsonArray().add(edge("a", "a"))))
        .hasMessageContaining("cycle: a -> a");
  }

  @Test
  @DisplayName("refuses repeated keys, edges to unknown keys and repeated edges, naming the field")
  void refusesBadGraphs() {
    assertThatThrownBy(() -> Workflow.parents(nodes("a", "a"), null)).hasMessageContaining("nodes[1].key");
    assertThatThrownBy(() -> Workflow.parents(nodes("a"), new JsonArray().add(edge("a", "z"))))
        .hasMessageContaining("edges[0].to").hasMessageContaining("z");
    assertThatThrownBy(() -> Workflow.parents(nodes("a", "b"), new JsonArray().add(edge("a", "b")).add(edge("a", "b"))))
        .hasMessageContaining("edges[1]");
  }

  @Test
  @DisplayName("a flow starts waiting with parents, scheduled when due later, else queued; a past time is now")
  void initialStates() {
    Instant now = Instant.now();
    assertThat(Flow.from(new JsonObject(), 0, now, "").initialState(now)).isEqualTo(TaskState.QUEUED);
    assertThat(Flow.from(new JsonObject().put("delayMs", 1000), 0, now, "").initialState(now))
        .isEqualTo(TaskState.SCHEDULED);
    assertThat(Flow.from(new JsonObject().put("runAt", "2001-01-01T00:00:00Z"), 0, now, "").runAt()).isNull();
    JsonObject withParent = new JsonObject().put("dependsOn",
        new JsonArray().add(new JsonObject().put("taskId", UUID.randomUUID().toString())));
    assertThat(Flow.from(withParent, 0, now, "").initialState(now)).isEqualTo(TaskState.WAITING);
    assertThat(Flow.from(new JsonObject(), 5000, now, "").queueTimeoutMs()).as("the default").isEqualTo(5000);
    assertThat(Flow.from(new JsonObject(), 0, now, "").queueTimeoutMs()).as("no default: no limit").isNull();
  }

  @Test
  @DisplayName("a queued task's explanation names what holds back each capable agent")
  void explainsAQueuedTask() {
    QueueExplanation.Need need = new QueueExplanation.Need("t", List.of("java"), List.of(), 0.5);
    JsonObject explained = QueueExplanation.explain(need, null, List.of(
        new QueueExplanation.Agent("off", "offline", true, 0, 1, 0.9, List.of("java"), List.of()),
        new QueueExplanation.Agent("full", "busy", true, 2, 2, 0.9, List.of("java"), List.of()),
        new QueueExplanation.Agent("mute", "available", false, 0, 2, 0.9, List.of("java"), List.of()),
        new QueueExplanation.Agent("weak", "available", true, 0, 2, 0.2, List.of("java"), List.of()),
        new QueueExplanation.Agent("go", "available", true, 0, 2, 0.9, List.of(), List.of())));
    List<String> reasons = explained.getJsonArray("agents").stream()
        .map(a -> ((JsonObject) a).getString("reason")).toList();
    assertThat(reasons.get(0)).isEqualTo("offline");
    assertThat(reasons.get(1)).startsWith("full");
    assertThat(reasons.get(2)).startsWith("not consuming");
    assertThat(reasons.get(3)).startsWith("over a limit");
    assertThat(reasons.get(4)).startsWith("free and able, with a lower score: lacks language java");
    assertThat(QueueExplanation.explain(need, "no agent", List.of()).getString("unroutable")).isEqualTo("no agent");
  }
}
