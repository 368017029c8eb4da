package io.arbiter.routing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Why a task went to an agent: the strategy, the chosen agent's score, how clear the choice was ({@code confidence},
 * 0 to 1), the ranked alternatives with their scores, and a one-line rationale.
 */
public record Decision(String agentId, String strategy, double score, double confidence, List<Alternative> alternatives,
                       String rationale) {

  public record Alternative(String agentId, double score) {
    public JsonObject toJson() {
      return new JsonObject().put("agentId", agentId).put("score", score);
    }
  }

  public JsonArray alternativesJson() {
    return new JsonArray(alternatives.stream().map(Alternative::toJson).toList());
  }
}
