package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.policy.TaskPolicy;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GateCacheTest {

  private static final TaskPolicy POLICY = TaskPolicy.from(new JsonObject().put("maxFiles", 20),
      new JsonObject().put("minQuality", 0.5));

  @Test
  @DisplayName("an ended task is forgotten, so the cache holds the unfinished tasks rather than every task accepted")
  void forgetsEndedTasks() {
    GateCache cache = new GateCache(100, Long.MAX_VALUE);
    UUID ended = UUID.randomUUID();
    UUID running = UUID.randomUUID();
    cache.remember(ended, "code", POLICY);
    cache.remember(running, "code", POLICY);

    cache.forget(List.of(ended));

    assertThat(cache.size()).isEqualTo(1);
    assertThat(cache.tasks(List.of(ended))).isNull();
    assertThat(cache.tasks(List.of(running))).containsOnlyKeys(running);
  }

  @Test
  @DisplayName("at most maxTasks are kept, the least recently used out")
  void boundsTheTasksKept() {
    GateCache cache = new GateCache(2, Long.MAX_VALUE);
    UUID first = UUID.randomUUID();
    cache.remember(first, "code", POLICY);
    cache.remember(UUID.randomUUID(), "code", POLICY);
    cache.remember(UUID.randomUUID(), "code", POLICY);

    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.tasks(List.of(first))).isNull();
  }
}
