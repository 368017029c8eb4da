package io.arbiter.routing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Why a task went to an agent: the strategy, the chosen agent's score, how clear the choice was ({@code confidence},
 * 0 to 1), the ranked alternatives with their scores, a one-line rationale, and the strategy's own figures behind the
 * choice ({@code details}, null when the strategy has none beyond the scores; see {@link LearningStrategy}).
 */
public record Decision(String agentId, String strategy, double score, double confidence, List<Alternative> alternatives,
                       String rationale, JsonObject details) {

  public record Alternative(String agentId, double score) {
    public JsonObject toJson() {
      return new JsonObject().put("agentId", agentId).put("score", score);
    }
  }

  public JsonArray alternativesJson() {
    return new JsonArray(alternatives.stream().map(Alternative::toJson).toList());
  }
}
