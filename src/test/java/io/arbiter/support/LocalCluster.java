package io.arbiter.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Arbiter nodes clustered on 127.0.0.1: one Hazelcast member port each, chosen before any starts, and every node's
 * cluster settings, as {@code cluster.*} overrides for an in-process {@link TestApp} or as {@code ARBITER_CLUSTER_*}
 * variables for a process.
 */
public final class LocalCluster {

  private final String name;
  private final List<Integer> ports = new ArrayList<>();

  public LocalCluster(String prefix, int nodes) {
    this.name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < nodes; i++) {
      ports.add(Ports.free());
    }
  }

  /** {@code 127.0.0.1:port} of every member, comma-separated. */
  public String members() {
    return ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
  }

  /** The {@code cluster.*} settings of node {@code node}, with {@code more} above them. */
  public Map<String, Object> settings(int node, Map<String, Object> more) {
    Map<String, Object> settings = new HashMap<>(Map.of("cluster.enabled", "true", "cluster.host", "127.0.0.1",
        "cluster.port", ports.get(node), "cluster.members", members(), "cluster.name", name));
    settings.putAll(more);
    return settings;
  }

  /** The same as {@code ARBITER_CLUSTER_*} environment variables of a process. */
  public Map<String, String> environment(int node) {
    return Map.of("ARBITER_CLUSTER_ENABLED", "true", "ARBITER_CLUSTER_NAME", name, "ARBITER_CLUSTER_HOST",
        "127.0.0.1", "ARBITER_CLUSTER_PORT", Integer.toString(ports.get(node)), "ARBITER_CLUSTER_MEMBERS", members());
  }
}
