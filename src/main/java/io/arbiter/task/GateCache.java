package io.arbiter.task;

import io.arbiter.policy.PolicyReads;
import io.arbiter.policy.TaskPolicy;
import io.arbiter.policy.Waiver;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the result gates need, kept in memory so that judging a result costs no extra read in the common case: the
 * type and policy (budget and gates) of the unfinished tasks this node accepted, which never change once a task is
 * stored (forgotten when the task ends on this node; at most {@code maxTasks}, least recently used out, for the tasks
 * that end elsewhere), and each tenant's active waivers, dropped when a waiver is created or revoked
 * ({@code arbiter.events.waivers-changed}) and after {@code waiverTtlNanos} in any case (a change made on another node
 * without a clustered event bus). A result for a task not in memory is judged from a read, as before.
 *
 * <p>Not thread-safe: use it from its verticle's event loop.
 */
final class GateCache {

  /** A task's type and policy, as stored. */
  record Known(String type, TaskPolicy policy) {}

  private record CachedWaivers(List<Waiver> waivers, long readAt) {}

  private final Map<UUID, Known> tasks;
  private final Map<String, CachedWaivers> waivers = new HashMap<>();
  private final long waiverTtlNanos;
  private long generation;

  GateCache(int maxTasks, long waiverTtlNanos) {
    this.waiverTtlNanos = waiverTtlNanos;
    this.tasks = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<UUID, Known> eldest) {
        return size() > maxTasks;
      }
    };
  }

  void remember(UUID taskId, String type, TaskPolicy policy) {
    tasks.put(taskId, new Known(type, policy));
  }

  /**
   * The tasks ended: their entries would otherwise stay until {@code maxTasks} newer ones push them out, holding memory
   * in proportion to the tasks accepted rather than to those unfinished (a late repeat of a result reads instead).
   */
  void forget(Collection<UUID> ids) {
    ids.forEach(tasks::remove);
  }

  /** How many tasks are known. */
  int size() {
    return tasks.size();
  }

  /** The known tasks among {@code ids}, or null when any of them is not known. */
  Map<UUID, Known> tasks(List<UUID> ids) {
    Map<UUID, Known> found = new HashMap<>();
    for (UUID id : ids) {
      Known known = tasks.get(id);
      if (known == null) {
        return null;
      }
      found.put(id, known);
    }
    return found;
  }

  /** The tenant's active waivers if read recently and unchanged since, or null. */
  List<Waiver> waivers(String tenantId) {
    CachedWaivers cached = waivers.get(tenantId);
    return cached != null && System.nanoTime() - cached.readAt() < waiverTtlNanos ? cached.waivers() : null;
  }

  /** A read begins: the token to pass to {@link #waiversRead}, so that a read older than a change is not kept. */
  long generation() {
    return generation;
  }

  void waiversRead(String tenantId, List<Waiver> read, long readGeneration, long readAt) {
    if (readGeneration == generation) {
      waivers.put(tenantId, new CachedWaivers(read, readAt));
    }
  }

  void waiversChanged(String tenantId) {
    generation++;
    waivers.remove(tenantId);
  }

  /** The gate inputs of the known tasks that set a policy, with the tenant's waivers (each checked when applied). */
  static Map<UUID, PolicyReads.GateInput> inputs(Map<UUID, Known> known, List<Waiver> waivers) {
    Map<UUID, PolicyReads.GateInput> inputs = new HashMap<>();
    known.forEach((id, k) -> {
      if (!k.policy().isEmpty()) {
        inputs.put(id, new PolicyReads.GateInput(id, k.type(), k.policy(), waivers));
      }
    });
    return inputs;
  }
}
