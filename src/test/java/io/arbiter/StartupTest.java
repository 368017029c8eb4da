package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName("Start-up fails with one clear line, and the CLI mints tokens")
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
  @DisplayName("an unreachable database is named with its password masked")
  void unreachableDatabaseIsMasked() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
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
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> TestApp.start(Map.of("http.port", taken.getLocalPort())))
          .isInstanceOf(Arbiter.StartupException.class)
          .hasMessageContaining("http.port " + taken.getLocalPort())
          .hasMessageContaining("already in use");
    }
  }

  @Test
  @DisplayName("the token command prints a JWT signed with the dev secret kept under the data directory")
  void tokenCommandUsesDevSecret() throws Exception {
    Path dataDir = Files.createTempDirectory("arbiter-cli");
    Path conf = Files.createTempFile("arbiter-cli", ".json");
    Files.writeString(conf, "{\"dataDir\": \"" + dataDir.toString().replace("\\", "\\\\") + "\"}");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("token", "--tenant", "acme", "--role", "agent", "--sub", "coder-1",
          "--ttl", "15m", "--conf", conf.toString());
    } finally {
      System.setOut(original);
    }
    assertThat(code).isZero();
    String token = out.toString(StandardCharsets.UTF_8).trim();
    assertThat(token.split("\\.")).hasSize(3);
    String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    assertThat(payload).contains("\"tenant\":\"acme\"").contains("\"sub\":\"coder-1\"").contains("\"roles\":[\"agent\"]")
        .contains("\"exp\"");
    assertThat(dataDir.resolve("jwt-secret")).exists();
  }

  @Test
  @DisplayName("the token command refuses an unknown role")
  void tokenCommandRefusesUnknownRole() {
    int code = new CommandLine(new Main()).setErr(new java.io.PrintWriter(new java.io.StringWriter()))
        .execute("token", "--tenant", "acme", "--role", "root", "--conf", "target/none.json");
    assertThat(code).isNotZero();
  }
}
