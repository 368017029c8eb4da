package io.arbiter.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for servers that bind a port chosen in advance (a cluster member that the other members are told about
 * before it starts). They come from below Linux's ephemeral range (32768–60999), so that a port chosen here is not
 * taken meanwhile by a socket that asked the kernel for any free port.
 */
public final class Ports {
  private Ports() {}

  public static int free() {
    for (int tries = 0; tries < 200; tries++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        socket.setReuseAddress(true);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port below 32000 after 200 tries");
  }
}
