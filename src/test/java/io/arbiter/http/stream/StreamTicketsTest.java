package io.arbiter.http.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.ArbiterException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stream tickets: signed, short-lived, one use")
class StreamTicketsTest {

  private static final String SECRET = "s".repeat(40);
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final StreamTickets tickets = new StreamTickets(SECRET, UsedTickets.inMemory(now::get), now::get);
  private final JsonObject claims = new JsonObject().put("sub", "op").put("tenant", "acme").put("exp", 2_000L);

  @Test
  @DisplayName("a ticket gives back the claims it was issued for, once")
  void redeemsOnce() {
    String ticket = tickets.issue(claims).getString("ticket");
    assertThat(redeem(tickets, ticket)).isEqualTo(claims);
    assertThatThrownBy(() -> redeem(tickets, ticket)).isInstanceOf(ArbiterException.class).hasMessageContaining("used");
  }

  @Test
  @DisplayName("a ticket past its time, signed under another secret, or altered is refused")
  void refusesExpiredForeignAndAlteredTickets() {
    JsonObject issued = tickets.issue(claims);
    assertThat(issued.getLong("expiresAt")).isEqualTo(now.get() + StreamTickets.TTL_MS);
    now.addAndGet(StreamTickets.TTL_MS + 1);
    assertThatThrownBy(() -> redeem(tickets, issued.getString("ticket"))).hasMessageContaining("invalid or expired");

    String foreign = new StreamTickets("t".repeat(40), UsedTickets.inMemory(now::get), now::get).issue(claims)
        .getString("ticket");
    assertThatThrownBy(() -> redeem(tickets, foreign)).hasMessageContaining("invalid or expired");

    String ticket = tickets.issue(claims).getString("ticket");
    String altered = (ticket.charAt(0) == 'e' ? "f" : "e") + ticket.substring(1);
    assertThatThrownBy(() -> redeem(tickets, altered)).hasMessageContaining("invalid or expired");
    assertThatThrownBy(() -> redeem(tickets, null)).hasMessageContaining("invalid or expired");
    assertThatThrownBy(() -> redeem(tickets, "no-dot")).hasMessageContaining("invalid or expired");
  }

  @Test
  @DisplayName("another node with the same secret accepts a ticket")
  void nodesSharingTheSecretAcceptEachOthersTickets() {
    String ticket = tickets.issue(claims).getString("ticket");
    assertThat(redeem(new StreamTickets(SECRET, UsedTickets.inMemory(now::get), now::get), ticket)).isEqualTo(claims);
  }

  @Test
  @DisplayName("a ticket used on one node is refused on another that shares the record of used tickets")
  void aTicketUsedOnOneNodeIsRefusedOnAnother() {
    UsedTickets cluster = UsedTickets.inMemory(now::get);
    StreamTickets first = new StreamTickets(SECRET, cluster, now::get);
    StreamTickets second = new StreamTickets(SECRET, cluster, now::get);
    String ticket = first.issue(claims).getString("ticket");
    assertThat(redeem(first, ticket)).isEqualTo(claims);
    assertThatThrownBy(() -> redeem(second, ticket)).hasMessageContaining("used already");
  }

  /** The claims, or the failure thrown; the in-memory record of used tickets answers at once. */
  private static JsonObject redeem(StreamTickets tickets, String ticket) {
    Future<JsonObject> redeemed = tickets.redeem(ticket);
    assertThat(redeemed.isComplete()).isTrue();
    if (redeemed.failed()) {
      throw (RuntimeException) redeemed.cause();
    }
    return redeemed.result();
  }
}
