package io.arbiter.http.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.bus.ArbiterException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stream tickets: signed, short-lived, one use")
class StreamTicketsTest {

  private static final String SECRET = "s".repeat(40);
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final StreamTickets tickets = new StreamTickets(SECRET, now::get);
  private final JsonObject claims = new JsonObject().put("sub", "op").put("tenant", "acme").put("exp", 2_000L);

  @Test
  @DisplayName("a ticket gives back the claims it was issued for, once")
  void redeemsOnce() {
    String ticket = tickets.issue(claims).getString("ticket");
    assertThat(tickets.redeem(ticket)).isEqualTo(claims);
    assertThatThrownBy(() -> tickets.redeem(ticket)).isInstanceOf(ArbiterException.class).hasMessageContaining("used");
  }

  @Test
  @DisplayName("a ticket past its time, signed under another secret, or altered is refused")
  void refusesExpiredForeignAndAlteredTickets() {
    JsonObject issued = tickets.issue(claims);
    assertThat(issued.getLong("expiresAt")).isEqualTo(now.get() + StreamTickets.TTL_MS);
    now.addAndGet(StreamTickets.TTL_MS + 1);
    assertThatThrownBy(() -> tickets.redeem(issued.getString("ticket"))).hasMessageContaining("invalid or expired");

    String foreign = new StreamTickets("t".repeat(40), now::get).issue(claims).getString("ticket");
    assertThatThrownBy(() -> tickets.redeem(foreign)).hasMessageContaining("invalid or expired");

    String ticket = tickets.issue(claims).getString("ticket");
    String altered = (ticket.charAt(0) == 'e' ? "f" : "e") + ticket.substring(1);
    assertThatThrownBy(() -> tickets.redeem(altered)).hasMessageContaining("invalid or expired");
    assertThatThrownBy(() -> tickets.redeem(null)).hasMessageContaining("invalid or expired");
    assertThatThrownBy(() -> tickets.redeem("no-dot")).hasMessageContaining("invalid or expired");
  }

  @Test
  @DisplayName("another node with the same secret accepts a ticket")
  void nodesSharingTheSecretAcceptEachOthersTickets() {
    String ticket = tickets.issue(claims).getString("ticket");
    assertThat(new StreamTickets(SECRET, now::get).redeem(ticket)).isEqualTo(claims);
  }
}
