package io.arbiter.cluster;

import static io.arbiter.config.ConfigKey.CLUSTER_BUS_PORT;
import static io.arbiter.config.ConfigKey.CLUSTER_ENABLED;
import static io.arbiter.config.ConfigKey.CLUSTER_HOST;
import static io.arbiter.config.ConfigKey.CLUSTER_KUBERNETES_SERVICE_DNS;
import static io.arbiter.config.ConfigKey.CLUSTER_MEMBERS;
import static io.arbiter.config.ConfigKey.CLUSTER_NAME;
import static io.arbiter.config.ConfigKey.CLUSTER_PORT;

import io.arbiter.config.ConfigException;
import io.arbiter.config.ConfigValues;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How this node joins other Arbiter nodes, if at all: the Hazelcast member it runs ({@code host:port}), the members it
 * asks to join over TCP (no multicast), the cluster's name, and the port of its event-bus connections.
 *
 * @param members {@code host:port} of the other nodes' Hazelcast members (this node's own may be listed too)
 * @param busPort the event bus's TCP port; 0 picks a free one, which the other nodes learn through Hazelcast
 * @param kubernetesServiceDns instead of {@code members}: a headless Kubernetes service whose DNS answers are the
 *                             nodes' addresses (empty: none)
 */
public record ClusterSettings(boolean enabled, String name, String host, int port, int busPort, List<String> members,
                              String kubernetesServiceDns) {

  private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]{1,253}:[0-9]{1,5}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

  public static ClusterSettings from(ConfigValues v) {
    List<String> members = new ArrayList<>();
    for (String member : v.text(CLUSTER_MEMBERS).split(",")) {
      String trimmed = member.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!MEMBER.matcher(trimmed).matches()) {
        throw new ConfigException("config key " + CLUSTER_MEMBERS.path() + ": '" + trimmed
            + "' is not host:port, e.g. arbiter-2:5701");
      }
      members.add(trimmed);
    }
    String name = v.text(CLUSTER_NAME);
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("config key " + CLUSTER_NAME.path() + ": '" + name
          + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    String host = v.text(CLUSTER_HOST).strip();
    if (host.isEmpty()) {
      throw new ConfigException("config key " + CLUSTER_HOST.path() + " (" + CLUSTER_HOST.envName()
          + ") must name the address the other nodes reach this one at");
    }
    String serviceDns = v.text(CLUSTER_KUBERNETES_SERVICE_DNS).strip();
    if (!serviceDns.isEmpty() && !members.isEmpty()) {
      throw new ConfigException("config keys " + CLUSTER_MEMBERS.path() + " and " + CLUSTER_KUBERNETES_SERVICE_DNS.path()
          + " are two ways to find the other nodes: set one of them");
    }
    if (!serviceDns.isEmpty() && !DNS_NAME.matcher(serviceDns).matches()) {
      throw new ConfigException("config key " + CLUSTER_KUBERNETES_SERVICE_DNS.path() + ": '" + serviceDns
          + "' is not a DNS name such as arbiter-cluster.arbiter.svc.cluster.local");
    }
    return new ClusterSettings("true".equals(v.text(CLUSTER_ENABLED)), name, host, v.integer(CLUSTER_PORT),
        v.integer(CLUSTER_BUS_PORT), List.copyOf(members), serviceDns);
  }
}
