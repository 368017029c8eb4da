package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.support.TestApp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Start-up fails with one clear line, fast, and leaves nothing behind")
class StartupTest {

  private static Map<String, Object> settings(Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>(TestApp.defaults());
    settings.putAll(extra);
    return settings;
  }

  @Test
  @DisplayName("an invalid config value names the key")
  void invalidConfigNamesKey() {
    assertThatThrownBy(() -> Arbiter.start(new Arbiter.Options("target/none.json",
        settings(Map.of("registry.heartbeatWindowMs", "often")))))
        .isInstanceOf(Arbiter.StartupException.class)
        .hasMessageContaining("registry.heartbeatWindowMs");
  }

  @Test
  @DisplayName("an invalid domain setting, mapped by its domain, fails the start naming its key")
  void invalidDomainSettingNamesKey() {
    assertThatThrownBy(() -> Arbiter.start(new Arbiter.Options("target/none.json",
        settings(Map.of("retention.tenantDays", "acme")))))
        .isInstanceOf(Arbiter.StartupException.class)
        .hasMessage("config key retention.tenantDays (ARBITER_RETENTION_TENANT_DAYS): 'acme' is not tenant=days "
            + "(e.g. acme=90)");
    assertThatThrownBy(() -> Arbiter.start(new Arbiter.Options("target/none.json",
        settings(Map.of("routing.levels.master", "20/0.5/0.5")))))
        .isInstanceOf(Arbiter.StartupException.class)
        .hasMessageContaining("routing.levels.master").hasMessageContaining("must not fall");
    assertThatThrownBy(() -> Arbiter.start(new Arbiter.Options("target/none.json",
        settings(Map.of("callbacks.allowedHosts", "hooks.example.com")))))
        .isInstanceOf(Arbiter.StartupException.class)
        .hasMessageContaining("callbacks.signingSecret");
  }

  @Test
  @DisplayName("an unreachable database is named with its password masked")
  void unreachableDatabaseIsMasked() throws Exception {
    int closedPort = closedPort();
    assertThatThrownBy(() -> Arbiter.start(new Arbiter.Options("target/none.json", settings(Map.of(
        "db.url", "postgresql://arbiter:topsecret@127.0.0.1:" + closedPort + "/arbiter", "db.connectTimeoutMs", 1000)))))
        .isInstanceOf(Arbiter.StartupException.class)
        .hasMessageContaining("127.0.0.1:" + closedPort)
        .hasMessageContaining("arbiter:****@")
        .hasMessageNotContaining("topsecret");
  }

  @Test
  @DisplayName("a port in use is named")
  void portInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> TestApp.start(Map.of("http.port", taken.getLocalPort())))
          .isInstanceOf(Arbiter.StartupException.class)
          .hasMessageContaining("http.port " + taken.getLocalPort())
          .hasMessageContaining("already in use");
    }
  }

  @Test
  @DisplayName("a second Arbiter on the port of a running one fails at once, names the port, and writes nothing")
  void secondInstanceOnTheSamePortFailsFast() throws Exception {
    try (TestApp first = TestApp.start()) {
      int port = first.arbiter().port();
      Path dataDir = Files.createTempDirectory("arbiter-second");
      long started = System.nanoTime();

      assertThatThrownBy(() -> Arbiter.start(options(embedded(dataDir, port))))
          .isInstanceOf(Arbiter.StartupException.class)
          .hasMessage("http.port " + port + " on 127.0.0.1 is already in use (another Arbiter?): stop it or set "
              + "ARBITER_HTTP_PORT to another port");

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
      assertThat(dataDir).isEmptyDirectory();
    }
  }

  @Test
  @DisplayName("a second Arbiter on the data directory of a running one fails naming the directory, until it stops")
  void secondInstanceOnTheSameDataDirectoryFails() throws Exception {
    Path dataDir = Files.createTempDirectory("arbiter-shared");
    Arbiter first = Arbiter.start(options(embedded(dataDir, 0)));
    try {
      assertThatThrownBy(() -> Arbiter.start(options(embedded(dataDir, 0))))
          .isInstanceOf(Arbiter.StartupException.class)
          .hasMessageStartingWith("another Arbiter")
          .hasMessageContaining("is using " + dataDir);
    } finally {
      first.close();
    }
    Arbiter.start(options(embedded(dataDir, 0))).close();
  }

  @Test
  @DisplayName("a port the embedded database needs is named when it is in use, before anything is written")
  void embeddedPortInUseIsNamed() throws Exception {
    Path dataDir = Files.createTempDirectory("arbiter-pg-port");
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, Object> settings = embedded(dataDir, 0);
      settings.put("db.embeddedPort", taken.getLocalPort());

      assertThatThrownBy(() -> Arbiter.start(options(settings)))
          .isInstanceOf(Arbiter.StartupException.class)
          .hasMessageContaining("db.embeddedPort " + taken.getLocalPort() + " is already in use");
    }
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  @DisplayName("a failed start removes the data directory it created, and keeps one that was there")
  void failedStartRemovesOnlyTheDataDirectoryItCreated() throws Exception {
    Path existing = Files.createTempDirectory("arbiter-failed");
    Path created = existing.resolve("data");

    assertThatThrownBy(() -> Arbiter.start(options(unreachableDatabase(created))))
        .isInstanceOf(Arbiter.StartupException.class);
    assertThatThrownBy(() -> Arbiter.start(options(unreachableDatabase(existing))))
        .isInstanceOf(Arbiter.StartupException.class);

    assertThat(created).doesNotExist();
    assertThat(existing).isDirectory();
  }

  private static Arbiter.Options options(Map<String, Object> settings) {
    return new Arbiter.Options("target/none.json", settings);
  }

  /** Dev mode on the embedded database under {@code dataDir}, on any free database port. */
  private static Map<String, Object> embedded(Path dataDir, int httpPort) {
    return settings(Map.of("db.url", "", "db.embeddedPort", 0, "dataDir", dataDir.toString(), "http.port", httpPort));
  }

  private static Map<String, Object> unreachableDatabase(Path dataDir) throws IOException {
    return settings(Map.of("dataDir", dataDir.toString(), "db.url",
        "postgresql://arbiter@127.0.0.1:" + closedPort() + "/arbiter", "db.connectTimeoutMs", 1000));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
