package io.arbiter.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.RequestContext;
import io.arbiter.callback.CallbackSettings;
import io.arbiter.config.ArbiterConfig;
import io.arbiter.policy.TenantLimits;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A submission's callback")
class SubmissionCallbackTest {

  private static final ArbiterConfig.Tasks LIMITS = new ArbiterConfig.Tasks(262_144, 600_000, 1_000, 86_400_000, 3,
      20, 30_000, 60_000, 1_000, 300_000, 1_000, 500, 1_000, 500, 4, 0);
  private static final CallbackSettings ON = new CallbackSettings(List.of("hooks.example.com"), "s".repeat(32),
      10_000, 5, 86_400_000, 1_000, 60_000, 1_000);
  private static final RequestContext CTX = new RequestContext("c-1", "acme", "alice", "submitter", "127.0.0.1",
      "test");

  private static Submission submission(String url) {
    JsonObject body = new JsonObject().put("type", "code-editing");
    if (url != null) {
      body.put("callback", new JsonObject().put("url", url));
    }
    return Submission.from(body, "key-1", CTX, LIMITS, TenantLimits.NONE, "", ON);
  }

  @Test
  @DisplayName("travels to the insert and through the outage journal")
  void travelsThroughTheJournal() {
    Submission s = submission("https://hooks.example.com/done");
    assertThat(s.callbackUrl()).isEqualTo("https://hooks.example.com/done");
    assertThat(s.toRecord().getString("callback_url")).isEqualTo("https://hooks.example.com/done");
    assertThat(Submission.fromJournal(s.toJournal(), CTX).callbackUrl()).isEqualTo("https://hooks.example.com/done");
    assertThat(submission(null).toRecord().getString("callback_url")).isNull();
  }

  @Test
  @DisplayName("is part of the body an Idempotency-Key is bound to")
  void boundByTheIdempotencyKey() {
    assertThat(submission("https://hooks.example.com/a").requestHash())
        .isNotEqualTo(submission("https://hooks.example.com/b").requestHash())
        .isNotEqualTo(submission(null).requestHash());
  }
}
