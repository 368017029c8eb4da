package io.arbiter.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;

/**
 * Builds this node's Vert.x: a plain one, or (with {@code cluster.enabled}) one whose event bus joins the other nodes
 * through Vert.x's Hazelcast cluster manager.
 *
 * <p>Across nodes travel the events (addresses under {@code arbiter.events.}) and the agents' bridge channels: a task
 * that a dispatcher on one node assigns reaches the agent's socket or long poll on another, and every node's streams
 * see every event. Requests ({@code arbiter.<domain>.<verb>}) are served by the node that received them: each node
 * holds every verticle and shares PostgreSQL, which keeps single assignment and capacity.
 */
public final class Clustering {

  private Clustering() {}

  public static Future<Vertx> build(VertxBuilder builder, VertxOptions options, ClusterSettings settings) {
    if (!settings.enabled()) {
      return Future.succeededFuture(builder.with(options).build());
    }
    options.setEventBusOptions(new EventBusOptions().setHost(settings.host()).setPort(settings.busPort()));
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcast(settings))).buildClustered();
  }

  /**
   * Vert.x's own Hazelcast settings (its maps), joined over TCP to the listed members only, or to the addresses a
   * headless Kubernetes service's DNS name answers.
   */
  static Config hazelcast(ClusterSettings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.local.localAddress", settings.host());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(false);
    network.getRestApiConfig().setEnabled(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!settings.kubernetesServiceDns().isEmpty()) {
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", settings.kubernetesServiceDns())
          .setProperty("service-port", Integer.toString(settings.port()));
      return config;
    }
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.members().isEmpty()
        ? List.of(settings.host() + ":" + settings.port()) : settings.members());
    return config;
  }
}
