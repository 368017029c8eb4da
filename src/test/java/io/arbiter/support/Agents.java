package io.arbiter.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Registration bodies for tests. */
public final class Agents {
  private Agents() {}

  public static JsonObject registration(String id, String... taskTypes) {
    return new JsonObject()
        .put("id", id)
        .put("name", "Agent " + id)
        .put("modelFamily", "claude")
        .put("capabilities", new JsonObject()
            .put("taskTypes", new JsonArray(java.util.List.of(taskTypes.length == 0 ? new String[] {"code-editing"}
                : taskTypes)))
            .put("languages", new JsonArray().add("java"))
            .put("specializations", new JsonArray()))
        .put("maxConcurrentTasks", 2);
  }
}
