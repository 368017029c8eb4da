package io.arbiter.http.bridge;

import io.arbiter.bus.Addresses;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An address the bridge carries, {@code arbiter.agent.<agentId>.<channel>}, taken apart. Agent ids may hold dots, so
 * the channel is the last segment.
 */
record AgentAddress(String agentId, String channel) {

  private static final Pattern SHAPE = Pattern.compile(
      Pattern.quote(Addresses.AGENT_PREFIX) + "([a-z0-9][a-z0-9._-]{0,63})\\.([a-z]{1,32})");

  /** The agent address {@code address} names, or null when it is not one. */
  static AgentAddress parse(String address) {
    Matcher m = address == null ? null : SHAPE.matcher(address);
    return m != null && m.matches() ? new AgentAddress(m.group(1), m.group(2)) : null;
  }

  boolean isTasks() {
    return Addresses.AGENT_TASKS.equals(channel);
  }

  boolean isReport() {
    return Addresses.AGENT_REPORTS.contains(channel);
  }
}
