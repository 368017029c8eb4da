package io.arbiter;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.ConfigKey;
import io.arbiter.config.ConfigLoader;
import io.arbiter.config.ConfigValues;
import io.arbiter.config.LogLevels;
import io.arbiter.db.EmbeddedDatabase;
import io.arbiter.http.auth.DevSecret;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The command line: {@code serve} (default), {@code migrate} and {@code token}. */
@Command(name = "arbiter", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
    description = "Orchestrates AI agents: registry, routing, leases, policy and audit.",
    subcommands = {Main.Serve.class, Main.Migrate.class, Main.Token.class})
public final class Main implements Callable<Integer> {

  static final String VERSION = "arbiter " + Version.NUMBER;

  @Mixin
  Conf conf;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("arbiter: " + e.getMessage());
      return 1;
    }).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    Serve serve = new Serve();
    serve.conf = conf;
    return serve.call();
  }

  /** Answers {@code --version} for every command. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {VERSION};
    }
  }

  /** The {@code --conf} option of every command, and the one way they all turn it into settings. */
  static final class Conf {
    @Option(names = "--conf", description = "conf file (default: $ARBITER_CONF or conf/arbiter.json)")
    String file;

    Arbiter.Options options() {
      return new Arbiter.Options(ConfigLoader.confFile(file), Map.of());
    }

    /** The shared settings; each domain's are checked too, so that a bad one fails every command as it fails serve. */
    ArbiterConfig load(Vertx vertx) {
      ConfigValues values = Arbiter.loadConfig(vertx, options());
      ArbiterConfig config = ArbiterConfig.from(values);
      DomainSettings.from(values);
      return config;
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = "Run Arbiter (the default). Dev mode starts an embedded PostgreSQL.")
  static final class Serve implements Callable<Integer> {
    @Mixin
    Conf conf;

    @Override
    public Integer call() {
      Arbiter arbiter;
      try {
        arbiter = Arbiter.start(conf.options());
      } catch (Arbiter.StartupException e) {
        System.err.println("arbiter: failed to start: " + e.getMessage());
        System.exit(1);
        return 1;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(arbiter::close, "arbiter-shutdown"));
      String url = "http://localhost:" + arbiter.port();
      System.out.println();
      System.out.println("Arbiter is running at " + url + "  (mode " + arbiter.config().mode().name().toLowerCase()
          + ", data " + arbiter.config().dataDir() + ", health " + url + "/health/ready, API " + url
          + "/api/v1/openapi.yaml)");
      System.out.println("Mint a token:  java -jar target/arbiter.jar token --tenant acme --role admin --sub alice");
      System.out.println();
      return 0;
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = "Apply the database migrations and exit.")
  static final class Migrate implements Callable<Integer> {
    @Mixin
    Conf conf;

    @Override
    public Integer call() {
      Vertx vertx = Vertx.vertx();
      try {
        ArbiterConfig config = conf.load(vertx);
        if (config.db().external()) {
          Arbiter.migrate(config);
        } else {
          Preflight.requireEmbeddedPortFree(config.db());
          try (DataDirLock lock = DataDirLock.acquire(config.dataDir());
               EmbeddedDatabase embedded = EmbeddedDatabase.start(config.dataDir(), config.db().embeddedPort())) {
            Arbiter.migrate(config.withDb(embedded.settings(config.db())));
          }
        }
        System.out.println("migrations applied");
        return 0;
      } finally {
        vertx.close();
      }
    }
  }

  @Command(name = "token", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = "Print a JWT signed with auth.jwtSecret, or in dev mode with the secret serve keeps in "
          + "<dataDir>/jwt-secret. Says on stderr which one it used. Each token carries a random jti, so that "
          + "POST /api/v1/token-revocations can revoke it alone.")
  static final class Token implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tenant", required = true, description = "tenant claim")
    String tenant;

    @Option(names = "--role", required = true,
        description = "one of: admin, operator, agent, submitter, auditor, platform (verifies the whole audit chain, "
            + "nothing else)")
    String role;

    @Option(names = "--sub", required = true,
        description = "subject: who the token acts for, e.g. alice (the agent's id for --role agent)")
    String subject;

    @Option(names = "--ttl", defaultValue = "1h", description = "lifetime such as 90s, 15m, 1h, 7d (default 1h)")
    String ttl;

    @Option(names = {"-q", "--quiet"}, description = "print only the token, not which secret signed it")
    boolean quiet;

    @Option(names = "--create-secret",
        description = "in dev mode, create <dataDir>/jwt-secret when it does not exist yet (serve creates it otherwise)")
    boolean createSecret;

    @Mixin
    Conf conf;

    @Override
    public Integer call() {
      LogLevels.apply("ERROR");
      Role parsed = Role.fromWire(role).orElseThrow(() -> usage(
          "--role must be one of " + Arrays.stream(Role.values()).map(Role::wire).toList()));
      String problem = Jwt.claimProblem(Jwt.TENANT_CLAIM, tenant);
      problem = problem != null ? problem : Jwt.claimProblem("sub", subject);
      if (problem != null) {
        throw usage("--tenant and --sub: " + problem);
      }
      Duration lifetime;
      try {
        lifetime = Jwt.parseTtl(ttl);
      } catch (IllegalArgumentException e) {
        throw usage("--" + e.getMessage());
      }
      PrintWriter err = spec.commandLine().getErr();
      Vertx vertx = Vertx.vertx();
      try {
        ArbiterConfig config = conf.load(vertx);
        Optional<Signing> signing = signing(config);
        if (signing.isEmpty()) {
          err.println("arbiter: no JWT secret in " + DevSecret.file(config.dataDir()) + " (serve creates it at its "
              + "first start): run token with serve's data directory (dataDir in --conf, or "
              + ConfigKey.DATA_DIR.envName() + "), or pass --create-secret to create one there");
          return 1;
        }
        ArbiterConfig.Auth auth = config.withJwtSecret(signing.get().secret()).auth();
        spec.commandLine().getOut().println(Jwt.mint(Jwt.provider(vertx, auth), auth, tenant, parsed, subject,
            lifetime));
        if (!quiet) {
          err.println("arbiter: signed with " + signing.get().source());
        }
        return 0;
      } finally {
        vertx.close();
      }
    }

    /** The secret to sign with and where it came from, said without the secret itself. */
    private record Signing(String secret, String source) {}

    private Optional<Signing> signing(ArbiterConfig config) {
      if (!config.auth().jwtSecret().isEmpty()) {
        return Optional.of(new Signing(config.auth().jwtSecret(), "auth.jwtSecret from the configuration"));
      }
      Path file = DevSecret.file(config.dataDir());
      Optional<Signing> kept = DevSecret.load(config.dataDir())
          .map(secret -> new Signing(secret, "the secret in " + file));
      if (kept.isPresent() || !createSecret) {
        return kept;
      }
      return Optional.of(new Signing(DevSecret.loadOrCreate(config.dataDir()), "a new secret created in " + file));
    }

    private CommandLine.ParameterException usage(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }
  }
}
