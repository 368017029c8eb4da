package io.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.http.auth.DevSecret;
import io.arbiter.http.auth.Role;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

@DisplayName("The command line answers help on every subcommand, and token signs with the secret serve uses")
class MainTest {

  /** Where each test's conf files and data directories go; JUnit deletes it after the test. */
  @TempDir
  Path temp;

  private static final String CONFIGURED_SECRET = "configured-secret-0123456789-0123456789";

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path conf(JsonObject settings) throws IOException {
    Path conf = Files.createTempFile(temp, "arbiter-cli", ".json");
    Files.writeString(conf, settings.encode());
    return conf;
  }

  private Path confWithDataDir(Path dataDir) throws IOException {
    return conf(new JsonObject().put("dataDir", dataDir.toString()));
  }

  private static Run token(Path conf, String... more) {
    String[] args = {"token", "--tenant", "acme", "--role", "agent", "--sub", "coder-1", "--ttl", "15m", "--conf",
        conf.toString()};
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return run(all);
  }

  private static boolean signedWith(String jwt, String secret) throws GeneralSecurityException {
    String[] parts = jwt.split("\\.");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] signature = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(signature).equals(parts[2]);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"serve, --help", "serve, -h", "migrate, --help", "migrate, -h", "token, --help", "token, -h"})
  @DisplayName("every subcommand prints its usage on --help and -h and exits 0")
  void subcommandsAnswerHelp(String command, String flag) {
    Run run = run(command, flag);
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("Usage: arbiter " + command).contains("--conf");
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest(name = "{0} --version")
  @ValueSource(strings = {"serve", "migrate", "token"})
  @DisplayName("every subcommand prints the version on --version and exits 0")
  void subcommandsAnswerVersion(String command) {
    Run run = run(command, "--version");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out().trim()).isEqualTo(Main.VERSION);
  }

  @ParameterizedTest(name = "--role {0}")
  @EnumSource(Role.class)
  @DisplayName("token without --sub is a usage error for every role")
  void tokenRequiresSubject(Role role) {
    Run run = run("token", "--tenant", "acme", "--role", role.wire(), "--conf", "target/none.json");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required option").contains("--sub").contains("Usage: arbiter token");
    assertThat(run.out()).isEmpty();
  }

  @Test
  @DisplayName("token refuses an unknown role")
  void tokenRefusesUnknownRole() {
    Run run = run("token", "--tenant", "acme", "--role", "root", "--sub", "alice", "--conf", "target/none.json");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("--role must be one of");
  }

  @Test
  @DisplayName("token refuses a reserved tenant name")
  void tokenRefusesAReservedTenant() {
    Run run = run("token", "--tenant", "_platform", "--role", "admin", "--sub", "alice", "--conf", "target/none.json");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("tenant names starting with _ are reserved");
  }

  @Test
  @DisplayName("token signs with the secret in the data directory and names the file, never the secret; the token "
      + "carries a jti, so that it can be revoked")
  void tokenSignsWithTheDataDirectorysSecret() throws Exception {
    Path dataDir = Files.createTempDirectory(temp, "arbiter-cli");
    String secret = DevSecret.loadOrCreate(dataDir);

    Run run = token(confWithDataDir(dataDir));

    assertThat(run.code()).as(run.err()).isZero();
    String jwt = run.out().trim();
    assertThat(signedWith(jwt, secret)).as("signed with the secret serve uses").isTrue();
    String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    assertThat(payload).contains("\"tenant\":\"acme\"").contains("\"sub\":\"coder-1\"").contains("\"roles\":[\"agent\"]")
        .contains("\"exp\"").containsPattern("\"jti\":\"[0-9a-f-]{36}\"");
    assertThat(run.err().trim())
        .isEqualTo("arbiter: signed with the secret in " + dataDir.toAbsolutePath().resolve(DevSecret.FILE_NAME));
  }

  @Test
  @DisplayName("token --quiet prints only the token")
  void tokenQuietPrintsOnlyTheToken() throws Exception {
    Path dataDir = Files.createTempDirectory(temp, "arbiter-cli");
    String secret = DevSecret.loadOrCreate(dataDir);

    Run run = token(confWithDataDir(dataDir), "--quiet");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(signedWith(run.out().trim(), secret)).isTrue();
    assertThat(run.err()).isEmpty();
  }

  @Test
  @DisplayName("token refuses, and creates nothing, where the data directory holds no secret")
  void tokenRefusesWithoutSecret() throws Exception {
    Path dataDir = Files.createTempDirectory(temp, "arbiter-cli").resolve("data");

    Run run = token(confWithDataDir(dataDir));

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains(dataDir.toAbsolutePath().resolve(DevSecret.FILE_NAME).toString())
        .contains("ARBITER_DATA_DIR").contains("--create-secret");
    assertThat(dataDir).doesNotExist();
  }

  @Test
  @DisplayName("token --create-secret creates the missing secret, signs with it and says so")
  void tokenCreatesSecretWhenTold() throws Exception {
    Path dataDir = Files.createTempDirectory(temp, "arbiter-cli").resolve("data");

    Run run = token(confWithDataDir(dataDir), "--create-secret");

    assertThat(run.code()).as(run.err()).isZero();
    Path file = dataDir.toAbsolutePath().resolve(DevSecret.FILE_NAME);
    assertThat(file).exists();
    assertThat(signedWith(run.out().trim(), Files.readString(file).trim())).isTrue();
    assertThat(run.err()).contains("created").contains(file.toString());
  }

  @Test
  @DisplayName("token checks every domain's settings as serve does, and refuses a bad one naming its key")
  void tokenRefusesBadDomainSetting() throws Exception {
    Path dataDir = Files.createTempDirectory(temp, "arbiter-cli");
    Path conf = conf(new JsonObject().put("dataDir", dataDir.toString())
        .put("auth", new JsonObject().put("jwtSecret", CONFIGURED_SECRET))
        .put("retention", new JsonObject().put("tenantDays", "acme")));

    Run run = token(conf);

    assertThat(run.code()).isNotZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("retention.tenantDays").contains("'acme' is not tenant=days");
  }

  @Test
  @DisplayName("token with auth.jwtSecret configured signs with it, says so without printing it, and writes nothing")
  void tokenUsesConfiguredSecret() throws Exception {
    Path dataDir = Files.createTempDirectory(temp, "arbiter-cli");
    Path conf = conf(new JsonObject().put("dataDir", dataDir.toString())
        .put("auth", new JsonObject().put("jwtSecret", CONFIGURED_SECRET)));

    Run run = token(conf);

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(signedWith(run.out().trim(), CONFIGURED_SECRET)).isTrue();
    assertThat(run.err().trim()).isEqualTo("arbiter: signed with auth.jwtSecret from the configuration");
    assertThat(dataDir.resolve(DevSecret.FILE_NAME)).doesNotExist();
  }

  @Test
  @DisplayName("a token minted by the CLI is accepted by the dev-mode server running on the same data directory")
  void serverAcceptsTheCliToken() throws Exception {
    Path dataDir = Files.createTempDirectory(temp, "arbiter-cli");
    try (TestApp app = TestApp.start(Map.of("dataDir", dataDir.toString(), "auth.jwtSecret", ""))) {
      Run run = run("token", "--tenant", "acme", "--role", "admin", "--sub", "alice", "--conf",
          confWithDataDir(dataDir).toString());

      assertThat(run.code()).as(run.err()).isZero();
      assertThat(app.http().get("/api/v1/agents", run.out().trim()).status()).isEqualTo(200);
    }
  }
}
