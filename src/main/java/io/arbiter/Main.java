package io.arbiter;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.ConfigLoader;
import io.arbiter.config.LogLevels;
import io.arbiter.db.EmbeddedDatabase;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Role;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code serve} (default), {@code migrate} and {@code token}. */
@Command(name = "arbiter", mixinStandardHelpOptions = true, version = "arbiter 0.1.0",
    description = "Orchestrates AI agents: registry, routing, leases, policy and audit.",
    subcommands = {Main.Serve.class, Main.Migrate.class, Main.Token.class})
public final class Main implements Callable<Integer> {

  @Option(names = "--conf", description = "conf file (default: $ARBITER_CONF or conf/arbiter.json)")
  String conf;

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

  @Command(name = "serve", description = "Run Arbiter (the default). Dev mode starts an embedded PostgreSQL.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--conf", description = "conf file (default: $ARBITER_CONF or conf/arbiter.json)")
    String conf;

    @Override
    public Integer call() {
      Arbiter arbiter;
      try {
        arbiter = Arbiter.start(new Arbiter.Options(ConfigLoader.confFile(conf), Map.of()));
      } catch (Arbiter.StartupException e) {
        System.err.println("arbiter: failed to start: " + e.getMessage());
        System.exit(1);
        return 1;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(arbiter::close, "arbiter-shutdown"));
      String url = "http://localhost:" + arbiter.port();
      System.out.println();
      System.out.println("Arbiter is running at " + url + "  (mode " + arbiter.config().mode().name().toLowerCase()
          + ", health " + url + "/health/ready, API " + url + "/api/v1/openapi.yaml)");
      System.out.println("Mint a token:  java -jar target/arbiter.jar token --tenant acme --role admin");
      System.out.println();
      return 0;
    }
  }

  @Command(name = "migrate", description = "Apply the database migrations and exit.")
  static final class Migrate implements Callable<Integer> {
    @Option(names = "--conf", description = "conf file (default: $ARBITER_CONF or conf/arbiter.json)")
    String conf;

    @Override
    public Integer call() {
      Vertx vertx = Vertx.vertx();
      try {
        ArbiterConfig config = ArbiterConfig.from(Arbiter.loadConfig(vertx,
            new Arbiter.Options(ConfigLoader.confFile(conf), Map.of())));
        if (config.db().external()) {
          Arbiter.migrate(config);
        } else {
          try (EmbeddedDatabase embedded = EmbeddedDatabase.start(config.dataDir(), config.db().embeddedPort())) {
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

  @Command(name = "token", description = "Print a JWT signed with the configured key (dev: the generated one).")
  static final class Token implements Callable<Integer> {
    @Option(names = "--tenant", required = true, description = "tenant claim")
    String tenant;

    @Option(names = "--role", required = true,
        description = "one of: admin, operator, agent, submitter, auditor")
    String role;

    @Option(names = "--sub", description = "subject (an agent's id for --role agent; default: the role name)")
    String subject;

    @Option(names = "--ttl", defaultValue = "1h", description = "lifetime such as 90s, 15m, 1h, 7d (default 1h)")
    String ttl;

    @Option(names = "--conf", description = "conf file (default: $ARBITER_CONF or conf/arbiter.json)")
    String conf;

    @Override
    public Integer call() {
      LogLevels.apply("ERROR");
      Role parsed = Role.fromWire(role).orElseThrow(() -> new CommandLine.ParameterException(
          new CommandLine(this), "--role must be one of " + Arrays.stream(Role.values()).map(Role::wire).toList()));
      if (tenant.isBlank()) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--tenant must not be blank");
      }
      Duration lifetime;
      try {
        lifetime = Jwt.parseTtl(ttl);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--" + e.getMessage());
      }
      Vertx vertx = Vertx.vertx();
      try {
        ArbiterConfig config = Arbiter.withSecret(ArbiterConfig.from(Arbiter.loadConfig(vertx,
            new Arbiter.Options(ConfigLoader.confFile(conf), Map.of()))));
        String sub = subject == null || subject.isBlank() ? parsed.wire() : subject;
        System.out.println(Jwt.mint(Jwt.provider(vertx, config.auth()), config.auth(), tenant, parsed, sub, lifetime));
        return 0;
      } finally {
        vertx.close();
      }
    }
  }
}
