package io.arbiter.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's limits on what its tasks may ask for (checked before assignment): the most files and lines a budget may
 * allow, the largest payload, and the task types allowed. Each null (or, for the types, empty) when unlimited. With
 * them, the tenant's default queue time-out for tasks that give none (null: the configured default).
 */
public record TenantLimits(Integer maxFiles, Integer maxLoc, Long maxPayloadBytes, List<String> taskTypes,
                           Long defaultQueueTimeoutMs) {

  public static final TenantLimits NONE = new TenantLimits(null, null, null, List.of(), null);

  /** Every limit rule, in the order a submission is checked. */
  public static final List<LimitRule> RULES = List.of(
      new LimitTaskTypesRule(),
      new LimitMaxPayloadBytesRule(),
      new LimitMaxFilesRule(),
      new LimitMaxLocRule());

  public TenantLimits {
    taskTypes = taskTypes == null ? List.of() : List.copyOf(taskTypes);
  }

  /** What a submission asks for: its type, its budget as given, and its payload's encoded size. */
  public record Asked(String type, JsonObject budget, long payloadBytes) {}

  /** A broken limit: the rule's name, the offending field of the submission, and why. */
  public record Refusal(String rule, String field, String message) {}

  /** The first limit {@code asked} breaks, if any. */
  public Optional<Refusal> check(Asked asked) {
    return RULES.stream().map(rule -> rule.check(this, asked)).flatMap(Optional::stream).findFirst();
  }

  /**
   * The budget a task gets: as asked, with the tenant's file and line limits filled in where the task sets none, so
   * that a task without a budget is still held to its tenant's limits when it completes.
   */
  public JsonObject effectiveBudget(JsonObject asked) {
    JsonObject budget = asked == null ? new JsonObject() : asked.copy();
    if (maxFiles != null && budget.getValue("maxFiles") == null) {
      budget.put("maxFiles", maxFiles);
    }
    if (maxLoc != null && budget.getValue("maxLoc") == null) {
      budget.put("maxLoc", maxLoc);
    }
    return budget;
  }

  /**
   * The queue time-out of a task that gives none: the tenant's default, else {@code configured} (0 for none), so that
   * a task's own value comes first, then its tenant's, then the setting's.
   */
  public long queueTimeoutDefault(long configured) {
    return defaultQueueTimeoutMs != null ? defaultQueueTimeoutMs : configured;
  }

  public static TenantLimits fromJson(JsonObject json) {
    JsonArray types = json.getJsonArray("taskTypes");
    return new TenantLimits(json.getInteger("maxFiles"), json.getInteger("maxLoc"), json.getLong("maxPayloadBytes"),
        types == null ? List.of() : types.stream().map(String::valueOf).toList(),
        json.getLong("defaultQueueTimeoutMs"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("maxFiles", maxFiles).put("maxLoc", maxLoc).put("maxPayloadBytes", maxPayloadBytes)
        .put("taskTypes", new JsonArray(taskTypes)).put("defaultQueueTimeoutMs", defaultQueueTimeoutMs);
  }
}
