package io.arbiter.policy;

import java.util.Optional;

/** {@code limit.max-payload-bytes}: a task's payload (encoded JSON) is at most the tenant's {@code maxPayloadBytes}. */
final class LimitMaxPayloadBytesRule implements LimitRule {

  @Override
  public String name() {
    return "limit.max-payload-bytes";
  }

  @Override
  public Optional<TenantLimits.Refusal> check(TenantLimits limits, TenantLimits.Asked asked) {
    if (limits.maxPayloadBytes() == null || asked.payloadBytes() <= limits.maxPayloadBytes()) {
      return Optional.empty();
    }
    return Optional.of(new TenantLimits.Refusal(name(), "payload", "payload is " + asked.payloadBytes()
        + " bytes; the tenant's limit is " + limits.maxPayloadBytes()));
  }
}
