package io.arbiter.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The result gates' judgement of one attempt: {@code pass} (every rule kept), {@code waived} (every broken rule is
 * covered by a waiver) or {@code fail} (at least one broken rule is not).
 */
public record Verdict(Kind kind, List<String> checked, List<Violation> violations, List<Waived> waived) {

  public enum Kind {
    PASS, WAIVED, FAIL;

    public String wire() {
      return name().toLowerCase();
    }
  }

  /** A broken rule that no waiver covers. */
  public record Violation(String rule, String message) {}

  /** A broken rule covered by {@code waiverId}. */
  public record Waived(String rule, String waiverId, String message) {}

  public boolean failed() {
    return kind == Kind.FAIL;
  }

  /** The error a failed attempt records: every broken rule by name, with why. */
  public String error() {
    return "policy: " + violations.stream().map(v -> v.rule() + " (" + v.message() + ")")
        .collect(Collectors.joining("; "));
  }

  /** The audit details of the verdict. */
  public JsonObject toJson() {
    return new JsonObject().put("verdict", kind.wire()).put("checked", new JsonArray(checked))
        .put("violations", new JsonArray(violations.stream()
            .map(v -> new JsonObject().put("rule", v.rule()).put("message", v.message())).toList()))
        .put("waived", new JsonArray(waived.stream()
            .map(w -> new JsonObject().put("rule", w.rule()).put("waiverId", w.waiverId()).put("message", w.message()))
            .toList()));
  }
}
