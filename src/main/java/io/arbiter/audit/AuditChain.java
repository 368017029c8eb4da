package io.arbiter.audit;

import io.arbiter.bus.CanonicalJson;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The hash chain of the audit trail, defined once. Records are chained in chain order (records from before seals
 * existed in id order, then each seal's records by transaction id and id; see {@code AuditSql}): each record's
 * {@code hash = SHA-256(prev_hash || canonical form)}, where {@code prev_hash} is the hash of the record before it, or
 * {@link #genesis()} (32 zero bytes) for the first record of the chain.
 *
 * <p>The canonical form is the UTF-8 encoding of one JSON array (bus/{@link CanonicalJson}: object keys sorted, no
 * white space), whose elements are, in this order:
 * <ol>
 *   <li>{@code id}, a number;</li>
 *   <li>{@code at} and {@code recordedAt}, in UTC as {@code 2025-01-31T09:05:00.120000Z}: always six fractional digits,
 *       the microseconds PostgreSQL stores;</li>
 *   <li>{@code tenantId, actorSub, actorRole, action, target, outcome, clientIp, userAgent, correlationId}, strings,
 *       {@code null} when absent;</li>
 *   <li>{@code details}, the JSON object, keys sorted at every depth;</li>
 *   <li>{@code tags}, an array of strings in stored order.</li>
 * </ol>
 * Every column of {@code audit_log} is covered except {@code outbox_seq} and {@code txid} (bookkeeping) and the two
 * hashes, which older records hold in their own row and newer ones in their seal ({@code audit_seals}). Anyone holding
 * the records with their hashes (for instance from {@code GET /api/v1/audit}) can recompute each record's hash.
 */
public final class AuditChain {
  private AuditChain() {}

  /** Length of a SHA-256 hash. */
  public static final int HASH_BYTES = 32;

  private static final byte[] GENESIS = new byte[HASH_BYTES];

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** The prev_hash of the first record of the chain: 32 zero bytes. */
  public static byte[] genesis() {
    return GENESIS.clone();
  }

  public static boolean isGenesis(byte[] hash) {
    return Arrays.equals(GENESIS, hash);
  }

  /** The canonical form of a record's fields (its own hashes are not part of it). */
  public static String canonical(AuditRecord r) {
    return CanonicalJson.encode(new JsonArray()
        .add(r.id()).add(timestamp(r.at())).add(timestamp(r.recordedAt()))
        .add(r.tenantId()).add(r.actorSub()).add(r.actorRole()).add(r.action()).add(r.target()).add(r.outcome())
        .add(r.clientIp()).add(r.userAgent()).add(r.correlationId())
        .add(r.details()).add(new JsonArray(r.tags())));
  }

  /** {@code SHA-256(prevHash || canonical(record))}. */
  public static byte[] hash(byte[] prevHash, AuditRecord record) {
    if (prevHash == null || prevHash.length != HASH_BYTES) {
      throw new IllegalArgumentException("prev_hash must be " + HASH_BYTES + " bytes");
    }
    MessageDigest sha256 = sha256();
    sha256.update(prevHash);
    sha256.update(canonical(record).getBytes(StandardCharsets.UTF_8));
    return sha256.digest();
  }

  /** A timestamp as the canonical form writes it, or null. */
  public static String timestamp(Instant at) {
    return at == null ? null : TIMESTAMP.format(at);
  }

  /** Lower-case hex, or null. */
  public static String hex(byte[] bytes) {
    return bytes == null ? null : HexFormat.of().formatHex(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
