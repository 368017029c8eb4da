package io.arbiter.bench;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.http.auth.Jwt;
import io.arbiter.http.auth.Revocations;
import io.arbiter.http.auth.Role;
import io.arbiter.http.auth.Verifier;
import io.arbiter.support.SigningKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What ingress spends authenticating a request, per signing algorithm: the node's {@link Verifier} with an HS256
 * secret and an RS256 and an ES256 public key, timed over tokens it sees for the first time (each one decoded and
 * its signature checked) and over one token sent again and again (kept from its first verification). One thread,
 * no HTTP: the figure is the verification alone.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
    description = "Times token verification per algorithm: new tokens, and a token used again.")
public final class TokenBenchmark implements Runnable {

  @Option(names = "--tokens", description = "distinct tokens verified per algorithm (default ${DEFAULT-VALUE})")
  int tokens = 4_000;

  @Option(names = "--uses", description = "verifications of one token used again (default ${DEFAULT-VALUE})")
  int uses = 200_000;

  @Option(names = "--rounds", description = "rounds, the first one not reported (default ${DEFAULT-VALUE})")
  int rounds = 3;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TokenBenchmark()).execute(args));
  }

  @Override
  public void run() {
    Vertx vertx = Vertx.vertx();
    Path pem = null;
    try {
      ArbiterConfig.Auth hsOnly = new ArbiterConfig.Auth(ArbiterProcess.randomSecret(48), "", "", 5);
      SigningKeys rsa = SigningKeys.rsa(vertx, "bench-rsa");
      SigningKeys ec = SigningKeys.ec(vertx, "bench-ec");
      pem = Files.createTempFile("arbiter-bench-keys", ".pem");
      Files.writeString(pem, rsa.publicPem() + ec.publicPem());
      ArbiterConfig.Auth auth = new ArbiterConfig.Auth(hsOnly.jwtSecret(), "", "", 5, pem.toString(), "",
          ArbiterConfig.Auth.DEFAULT_JWKS_REFRESH_MS, ArbiterConfig.Auth.DEFAULT_REVOCATION_REFRESH_MS);
      Verifier verifier = new Verifier(vertx, auth, true, new Revocations(System::currentTimeMillis));
      verifier.start(3_600_000).toCompletionStage().toCompletableFuture().join();
      JWTAuth hs = Jwt.provider(vertx, hsOnly);

      System.out.printf("machine: %d cores, Java %s; %d new tokens and %d uses of one token per algorithm%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), tokens, uses);
      record Algorithm(String name, Supplier<String> mint) {}
      List<Algorithm> algorithms = List.of(
          new Algorithm("HS256", () -> Jwt.mint(hs, hsOnly, "bench", Role.AGENT, "agent-1", Duration.ofHours(1))),
          new Algorithm("RS256", () -> rsa.token("bench", Role.AGENT, "agent-1")),
          new Algorithm("ES256", () -> ec.token("bench", Role.AGENT, "agent-1")));
      for (int round = 1; round <= rounds; round++) {
        for (Algorithm algorithm : algorithms) {
          List<String> fresh = new ArrayList<>(tokens);
          for (int i = 0; i < tokens; i++) {
            fresh.add(algorithm.mint().get());
          }
          double newUs = microsEach(verifier, fresh);
          double againUs = microsEach(verifier, Collections.nCopies(uses, algorithm.mint().get()));
          if (round > 1) {
            System.out.printf("round %d  %s  new token %8.1f µs   token used again %6.2f µs   (%.0f×)%n", round - 1,
                algorithm.name(), newUs, againUs, newUs / againUs);
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (pem != null) {
        pem.toFile().delete();
      }
      vertx.close();
    }
  }

  /** Verifies each token in turn (the provider answers at once, on this thread); microseconds per verification. */
  private static double microsEach(Verifier verifier, List<String> tokens) {
    long started = System.nanoTime();
    for (String token : tokens) {
      Future<User> user = verifier.authenticate(new TokenCredentials(token));
      if (!user.succeeded()) {
        throw new IllegalStateException("a benchmark token was refused: " + user.cause());
      }
    }
    return (System.nanoTime() - started) / 1_000.0 / tokens.size();
  }
}
