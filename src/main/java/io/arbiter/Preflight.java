package io.arbiter;

import io.arbiter.config.ArbiterConfig;
import io.arbiter.config.ConfigKey;
import io.arbiter.http.HttpVerticle;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * What a start checks before it writes anything: the ports it is about to listen on are free. A second Arbiter fails
 * here in milliseconds, with one line, rather than after creating a database it cannot serve.
 */
final class Preflight {
  private Preflight() {}

  static void requireHttpPortFree(ArbiterConfig.Http http) {
    requireFree(new InetSocketAddress(http.host(), http.port()), HttpVerticle.portInUse(http));
  }

  static void requireEmbeddedPortFree(ArbiterConfig.Db db) {
    requireFree(new InetSocketAddress(InetAddress.getLoopbackAddress(), db.embeddedPort()),
        "db.embeddedPort " + db.embeddedPort() + " is already in use (another Arbiter?): stop it or set "
            + ConfigKey.DB_EMBEDDED_PORT.envName() + " to another port (0 picks a free one)");
  }

  /** Binds {@code address} and lets it go at once; any failure other than "in use" is left to the real listen. */
  private static void requireFree(InetSocketAddress address, String inUse) {
    if (address.getPort() == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(address);
    } catch (BindException e) {
      if (String.valueOf(e.getMessage()).contains("in use")) {
        throw new IllegalStateException(inUse);
      }
    } catch (IOException unusable) {
      // an unresolvable host or the like: the real listen names it
    }
  }
}
