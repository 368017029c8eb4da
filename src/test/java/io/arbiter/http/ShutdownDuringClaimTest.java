package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.bus.Addresses;
import io.arbiter.support.AgentClient;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A long-poll claim travels ingress → tasks (claim statement) → registry (does the agent exist?) → tasks (wait). The
 * test holds the claim at one hop of that journey, begins a shutdown, lets the shutdown reach the tasks verticle, and
 * only then lets the claim go on: whatever point it had reached, it must be answered at once, and the shutdown must not
 * wait out its grace period.
 */
@DisplayName("A shutdown that begins at any point of a long-poll claim's progress answers the claim at once")
class ShutdownDuringClaimTest {

  /** Where the claim is held while the shutdown begins. */
  enum Hop {
    SENT_BY_INGRESS(true, Addresses.TASKS_CLAIM),
    ARRIVING_AT_TASKS(false, Addresses.TASKS_CLAIM),
    ASKING_THE_REGISTRY_AFTER_ITS_CLAIM_STATEMENT(true, Addresses.REGISTRY_GET),
    ARRIVING_AT_THE_REGISTRY(false, Addresses.REGISTRY_GET),
    RECEIVING_THE_REGISTRY_ANSWER(false, null);

    final boolean outbound;
    final String address;

    Hop(boolean outbound, String address) {
      this.outbound = outbound;
      this.address = address;
    }
  }

  @ParameterizedTest(name = "held while {0}")
  @EnumSource(Hop.class)
  @DisplayName("the claim is answered 204 promptly and the shutdown ends well within its grace period")
  void answersTheClaimWhereverTheShutdownCaughtIt(Hop hop) throws Exception {
    try (TestApp app = TestApp.start(Map.of("shutdown.graceMs", 10_000))) {
      AgentClient agent = new AgentClient(app, "acme", "polling-agent");
      assertThat(agent.register("code-editing", 4).status()).isEqualTo(201);
      Holder holder = new Holder(app.arbiter().vertx().eventBus(), hop);

      CompletableFuture<Http.Reply> claim = CompletableFuture.supplyAsync(() -> app.http().post(
          "/api/v1/agents/polling-agent/claim?wait=30", app.tokens().agent("acme", "polling-agent"), null));
      Runnable release = holder.held.get(10, TimeUnit.SECONDS);

      long started = System.nanoTime();
      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> app.arbiter().close());
      holder.shutdownReachedTasks.get(10, TimeUnit.SECONDS);
      release.run();

      assertThat(claim.get(5, TimeUnit.SECONDS).status()).as("the held claim's answer").isEqualTo(204);
      shutdown.get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("shutdown time").isLessThan(Duration.ofSeconds(5));
    }
  }

  /** Holds the first message of {@code hop} until released; tells when the tasks verticle has handled the shutdown. */
  private static final class Holder {
    final CompletableFuture<Runnable> held = new CompletableFuture<>();
    final CompletableFuture<Void> shutdownReachedTasks = new CompletableFuture<>();
    private final AtomicReference<String> registryReplyAddress = new AtomicReference<>();
    private final Hop hop;

    Holder(EventBus bus, Hop hop) {
      this.hop = hop;
      bus.addOutboundInterceptor((Handler<DeliveryContext<Object>>) dc -> {
        if (Addresses.REGISTRY_GET.equals(dc.message().address())) {
          registryReplyAddress.compareAndSet(null, dc.message().replyAddress());
        }
        pass(dc, hop.outbound);
      });
      bus.addInboundInterceptor((Handler<DeliveryContext<Object>>) dc -> {
        if (Addresses.TASKS_SHUTDOWN.equals(dc.message().address())) {
          dc.next();
          shutdownReachedTasks.complete(null);
          return;
        }
        pass(dc, !hop.outbound);
      });
    }

    private void pass(DeliveryContext<Object> dc, boolean direction) {
      String address = hop.address != null ? hop.address : registryReplyAddress.get();
      if (direction && dc.message().address().equals(address) && !held.isDone()) {
        Context context = Vertx.currentContext();
        held.complete(() -> context.runOnContext(v -> dc.next()));
      } else {
        dc.next();
      }
    }
  }
}
