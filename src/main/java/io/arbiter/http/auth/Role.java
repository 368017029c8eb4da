package io.arbiter.http.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * The roles a token's {@code roles} claim may carry. {@code platform} sees across tenants where an operation allows
 * it (the global audit verification, a named tenant's task list, token revocations) and may do nothing else.
 */
public enum Role {
  ADMIN, OPERATOR, AGENT, SUBMITTER, AUDITOR, PLATFORM;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromWire(String value) {
    for (Role role : values()) {
      if (role.wire().equals(value)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
