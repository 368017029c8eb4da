package io.arbiter.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The audit hash chain's canonical form and hash")
class AuditChainTest {

  static AuditRecord record() {
    return new AuditRecord(42, Instant.parse("2025-01-31T09:05:00.123456Z"), Instant.parse("2025-01-31T09:05:01Z"),
        "acme", "alice", "admin", "agent.updated", "agent:coder-1", "success", "10.0.0.7", "curl/8.5",
        "req-1", new JsonObject().put("z", 1).put("a", new JsonObject().put("y", 0.5).put("b", "Zoë 🚀")),
        List.of("security", "SOX"), null, null);
  }

  @Test
  @DisplayName("the canonical form is one JSON array: fixed field order, UTC microsecond times, sorted details")
  void canonicalFormIsPinned() {
    assertThat(AuditChain.canonical(record())).isEqualTo("[42,\"2025-01-31T09:05:00.123456Z\","
        + "\"2025-01-31T09:05:01.000000Z\",\"acme\",\"alice\",\"admin\",\"agent.updated\",\"agent:coder-1\","
        + "\"success\",\"10.0.0.7\",\"curl/8.5\",\"req-1\",{\"a\":{\"b\":\"Zoë 🚀\",\"y\":0.5},\"z\":1},"
        + "[\"security\",\"SOX\"]]");
  }

  @Test
  @DisplayName("timestamps are written in UTC with exactly six fractional digits, whatever the offset read")
  void timestampsAreUtcMicroseconds() {
    assertThat(AuditChain.timestamp(OffsetDateTime.parse("2025-03-01T01:00:00.5+02:00").toInstant()))
        .isEqualTo("2025-02-28T23:00:00.500000Z");
    assertThat(AuditChain.timestamp(Instant.parse("2024-02-29T23:59:59.000001Z")))
        .isEqualTo("2024-02-29T23:59:59.000001Z");
    assertThat(AuditChain.timestamp(Instant.parse("2025-01-01T00:00:00Z"))).isEqualTo("2025-01-01T00:00:00.000000Z");
    assertThat(AuditChain.timestamp(null)).isNull();
  }

  @Test
  @DisplayName("absent values are null in the canonical form, and null is not the empty string")
  void nullsAreExplicit() {
    AuditRecord withoutClient = with(r -> copy(r, null, null, null));
    assertThat(AuditChain.canonical(withoutClient)).contains(",\"success\",null,null,null,{");
    AuditRecord empty = with(r -> copy(r, "", "", ""));
    assertThat(AuditChain.hash(AuditChain.genesis(), empty))
        .isNotEqualTo(AuditChain.hash(AuditChain.genesis(), withoutClient));
  }

  @Test
  @DisplayName("details hash the same whatever their key order; tags keep their order")
  void detailsKeyOrderDoesNotMatterTagOrderDoes() {
    AuditRecord a = record();
    AuditRecord reordered = withDetails(a, new JsonObject().put("a", new JsonObject().put("b", "Zoë 🚀").put("y", 0.5))
        .put("z", 1));
    assertThat(AuditChain.hash(AuditChain.genesis(), reordered)).isEqualTo(AuditChain.hash(AuditChain.genesis(), a));
    AuditRecord swappedTags = withTags(a, List.of("SOX", "security"));
    assertThat(AuditChain.hash(AuditChain.genesis(), swappedTags)).isNotEqualTo(AuditChain.hash(AuditChain.genesis(), a));
    assertThat(AuditChain.canonical(withTags(a, List.of()))).endsWith(",[]]");
  }

  @Test
  @DisplayName("hash = SHA-256(prev_hash || canonical form), the genesis prev_hash being 32 zero bytes")
  void hashIsSha256OfPrevHashAndCanonicalForm() throws Exception {
    assertThat(AuditChain.genesis()).hasSize(32).containsOnly(0);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(new byte[32]);
    byte[] expected = sha.digest(AuditChain.canonical(record()).getBytes(StandardCharsets.UTF_8));
    assertThat(AuditChain.hash(AuditChain.genesis(), record())).isEqualTo(expected);

    byte[] other = HexFormat.of().parseHex("ff".repeat(32));
    assertThat(AuditChain.hash(other, record())).isNotEqualTo(expected);
    assertThatThrownBy(() -> AuditChain.hash(new byte[31], record())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("every field takes part: changing any one of them changes the hash")
  void everyFieldChangesTheHash() {
    AuditRecord r = record();
    List<AuditRecord> variants = List.of(
        new AuditRecord(43, r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(), r.action(), r.target(),
            r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(), r.tags(), null, null),
        new AuditRecord(42, r.at().plusNanos(1000), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(),
            r.action(), r.target(), r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(),
            r.tags(), null, null),
        new AuditRecord(42, r.at(), r.recordedAt().plusNanos(1000), r.tenantId(), r.actorSub(), r.actorRole(),
            r.action(), r.target(), r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(),
            r.tags(), null, null),
        new AuditRecord(42, r.at(), r.recordedAt(), "globex", r.actorSub(), r.actorRole(), r.action(), r.target(),
            r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(), r.tags(), null, null),
        new AuditRecord(42, r.at(), r.recordedAt(), r.tenantId(), "mallory", r.actorRole(), r.action(), r.target(),
            r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(), r.tags(), null, null),
        new AuditRecord(42, r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), "operator", r.action(), r.target(),
            r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(), r.tags(), null, null),
        new AuditRecord(42, r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(), "agent.online",
            r.target(), r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(), r.tags(), null,
            null),
        new AuditRecord(42, r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(), r.action(),
            "agent:coder-2", r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(), r.tags(),
            null, null),
        new AuditRecord(42, r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(), r.action(), r.target(),
            "denied", r.clientIp(), r.userAgent(), r.correlationId(), r.details(), r.tags(), null, null),
        copy(r, "10.0.0.8", r.userAgent(), r.correlationId()),
        copy(r, r.clientIp(), "curl/8.6", r.correlationId()),
        copy(r, r.clientIp(), r.userAgent(), "req-2"),
        withDetails(r, r.details().copy().put("z", 2)),
        withTags(r, List.of("security")));
    byte[] original = AuditChain.hash(AuditChain.genesis(), r);
    assertThat(variants).allSatisfy(v -> assertThat(AuditChain.hash(AuditChain.genesis(), v))
        .as(AuditChain.canonical(v)).isNotEqualTo(original));
  }

  @Test
  @DisplayName("a record's own hashes are not part of its canonical form")
  void storedHashesAreNotHashed() {
    AuditRecord chained = record().chained(AuditChain.genesis());
    assertThat(AuditChain.canonical(chained)).isEqualTo(AuditChain.canonical(record()));
    assertThat(chained.hash()).isEqualTo(AuditChain.hash(AuditChain.genesis(), record()));
    assertThat(chained.toJson().getString("prevHash")).isEqualTo("00".repeat(32));
    assertThat(chained.toJson().getString("at")).isEqualTo("2025-01-31T09:05:00.123456Z");
  }

  private static AuditRecord with(UnaryOperator<AuditRecord> change) {
    return change.apply(record());
  }

  private static AuditRecord copy(AuditRecord r, String clientIp, String userAgent, String correlationId) {
    return new AuditRecord(r.id(), r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(), r.action(),
        r.target(), r.outcome(), clientIp, userAgent, correlationId, r.details(), r.tags(), null, null);
  }

  private static AuditRecord withDetails(AuditRecord r, JsonObject details) {
    return new AuditRecord(r.id(), r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(), r.action(),
        r.target(), r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), details, r.tags(), null, null);
  }

  private static AuditRecord withTags(AuditRecord r, List<String> tags) {
    return new AuditRecord(r.id(), r.at(), r.recordedAt(), r.tenantId(), r.actorSub(), r.actorRole(), r.action(),
        r.target(), r.outcome(), r.clientIp(), r.userAgent(), r.correlationId(), r.details(), tags, null, null);
  }
}
