package io.arbiter.routing;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One dispatch lane's share of the work. Each tenant belongs to one of {@code lanes} lanes ({@link #laneOf}), so that
 * the lanes of a node dispatch different tenants at once; the database still enforces single assignment and capacity
 * when lanes of several nodes meet on one tenant. A lane dispatches only the tenants it has been woken for since its
 * last dispatch, or all of its tenants after a wake without a tenant (a freed slot, the periodic sweep), or when more
 * tenants are waiting than one dispatch should name. Not thread-safe: one lane's verticle owns it.
 */
public final class LaneWork {

  /** Most tenants one dispatch names; more make it a dispatch of all of the lane's tenants. */
  static final int MAX_NAMED = 1_000;

  private final int lane;
  private final int lanes;
  private final Set<String> tenants = new LinkedHashSet<>();
  private boolean all = true;

  public LaneWork(int lane, int lanes) {
    if (lanes < 1 || lane < 0 || lane >= lanes) {
      throw new IllegalArgumentException("lane " + lane + " of " + lanes);
    }
    this.lane = lane;
    this.lanes = lanes;
  }

  /** The lane that dispatches {@code tenantId}'s tasks, among {@code lanes}. */
  public static int laneOf(String tenantId, int lanes) {
    return Math.floorMod(tenantId.hashCode(), lanes);
  }

  public boolean owns(String tenantId) {
    return laneOf(tenantId, lanes) == lane;
  }

  /** Marks {@code tenantIds} (those this lane owns) for the next dispatch; true when any was this lane's. */
  public boolean wake(List<String> tenantIds) {
    boolean mine = false;
    for (String tenantId : tenantIds) {
      if (owns(tenantId)) {
        mine = true;
        if (!all) {
          tenants.add(tenantId);
        }
      }
    }
    if (tenants.size() > MAX_NAMED) {
      wakeAll();
    }
    return mine;
  }

  /** Marks every tenant of this lane for the next dispatch. */
  public void wakeAll() {
    all = true;
    tenants.clear();
  }

  /** What the next dispatch covers, and clears it: {@code null} for all of this lane's tenants. */
  public Set<String> take() {
    Set<String> taken = all ? null : Set.copyOf(tenants);
    all = false;
    tenants.clear();
    return taken;
  }

  /** Puts back what a dispatch covered ({@link #take}'s answer), when it left work behind. */
  public void restore(Set<String> taken) {
    if (taken == null) {
      wakeAll();
    } else {
      wake(List.copyOf(taken));
    }
  }

  /** Whether a dispatch has anything to cover. */
  public boolean pending() {
    return all || !tenants.isEmpty();
  }
}
