package io.arbiter.task;

import io.arbiter.bus.Addresses;
import io.arbiter.bus.DispatchWake;
import io.vertx.core.eventbus.EventBus;
import java.util.Collection;

/**
 * The nudges the task domain sends after its statements commit: the dispatch lanes of the tenants whose work changed
 * ({@link Addresses#ROUTING_DISPATCH}), and the audit drain ({@link Addresses#AUDIT_DRAIN}) that seals the records
 * those statements wrote. Each is only a wake-up: the lanes and the drain poll as their fallback.
 */
final class TaskNudges {

  private final EventBus bus;

  TaskNudges(EventBus bus) {
    this.bus = bus;
  }

  /** Tasks became ready or freed slots, whose tenants are not known here (a journal replay): wake every lane. */
  void changed() {
    wakeAllLanes();
    drainAudit();
  }

  /** Tasks of these tenants became ready or freed slots: wake their dispatch lanes, and move the audit events along. */
  void changed(Collection<String> tenants) {
    bus.publish(Addresses.ROUTING_DISPATCH, DispatchWake.of(tenants));
    drainAudit();
  }

  /** Slots were freed, of agents whose tenants are not known here: every lane may have work to assign. */
  void wakeAllLanes() {
    bus.publish(Addresses.ROUTING_DISPATCH, DispatchWake.ALL);
  }

  void drainAudit() {
    bus.send(Addresses.AUDIT_DRAIN, null);
  }
}
