package io.arbiter.routing;

import io.arbiter.registry.Capabilities;
import io.arbiter.registry.Performance;

/** An agent as the router sees it for one dispatch: what it can do, how loaded it is, how well it has done. */
public record Candidate(String tenantId, String agentId, Capabilities capabilities, int maxConcurrentTasks,
                        int currentLoad, Performance performance) {

  public int freeSlots() {
    return Math.max(0, maxConcurrentTasks - currentLoad);
  }

  public double loadRatio() {
    return currentLoad / (double) maxConcurrentTasks;
  }

  /** The same agent with {@code n} more tasks. */
  public Candidate plus(int n) {
    return new Candidate(tenantId, agentId, capabilities, maxConcurrentTasks, currentLoad + n, performance);
  }
}
