package io.arbiter.registry;

/** An agent's availability; {@code busy} means its load has reached {@code maxConcurrentTasks}. */
public enum AgentStatus {
  AVAILABLE, BUSY, DRAINING, OFFLINE;

  public String wire() {
    return name().toLowerCase();
  }

  public static AgentStatus fromWire(String value) {
    return valueOf(value.toUpperCase());
  }
}
