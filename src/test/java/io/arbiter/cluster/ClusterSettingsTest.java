package io.arbiter.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import io.arbiter.config.ConfigException;
import io.arbiter.support.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Cluster settings and the Hazelcast configuration they make")
class ClusterSettingsTest {

  private static ClusterSettings settings(Map<String, Object> values) {
    return ClusterSettings.from(TestConfig.defaultsWith(values));
  }

  @Test
  @DisplayName("a member list joins over TCP only: no multicast, no auto-detection")
  void memberListJoinsOverTcp() {
    Config config = Clustering.hazelcast(settings(Map.of("cluster.enabled", "true", "cluster.port", 5801,
        "cluster.members", "10.0.0.1:5801, 10.0.0.2:5801", "cluster.name", "prod-eu")));
    assertThat(config.getClusterName()).isEqualTo("prod-eu");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .containsExactly("10.0.0.1:5801", "10.0.0.2:5801");
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("a headless Kubernetes service joins through its DNS answers instead")
  void kubernetesServiceJoinsThroughDns() {
    Config config = Clustering.hazelcast(settings(Map.of("cluster.enabled", "true",
        "cluster.kubernetesServiceDns", "arbiter-cluster.arbiter.svc.cluster.local")));
    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("arbiter-cluster.arbiter.svc.cluster.local");
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("bad or conflicting settings name their key")
  void badSettingsNameTheKey() {
    assertThatThrownBy(() -> settings(Map.of("cluster.members", "a:1", "cluster.kubernetesServiceDns", "svc")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.kubernetesServiceDns");
    assertThatThrownBy(() -> settings(Map.of("cluster.kubernetesServiceDns", "not a name")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.kubernetesServiceDns");
    assertThatThrownBy(() -> settings(Map.of("cluster.name", "has space")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.name");
    assertThatThrownBy(() -> settings(Map.of("cluster.members", "nohost")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.members");
  }
}
