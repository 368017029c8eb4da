package io.arbiter.http.auth;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A progressive block of client addresses that keep failing authentication: {@code maxPerMinute} failed
 * authentications within a minute block the address for {@code blockMs}, and each further offence after a block
 * doubles it (up to a day). While blocked, an address's requests are refused before any token check (and so are not
 * audited one by one). Thread-safe; shared by the node's ingress instances.
 */
public final class AuthFailures {

  private static final long MINUTE_MS = 60_000;
  private static final long LONGEST_BLOCK_MS = 86_400_000;

  private static final class Record {
    final ArrayDeque<Long> recent = new ArrayDeque<>();
    int offences;
    long blockedUntilMs;
  }

  private volatile int maxPerMinute;
  private volatile long blockMs;
  private final LongSupplier clockMs;
  private final Map<String, Record> addresses = new ConcurrentHashMap<>();

  public AuthFailures(int maxPerMinute, long blockMs, LongSupplier clockMs) {
    this.maxPerMinute = maxPerMinute;
    this.blockMs = blockMs;
    this.clockMs = clockMs;
  }

  /** New thresholds (a reloaded conf file); blocks already running keep their end. */
  public void apply(int maxPerMinute, long blockMs) {
    this.maxPerMinute = maxPerMinute;
    this.blockMs = blockMs;
  }

  /** Milliseconds left of {@code address}'s block, or 0 when it is not blocked. */
  public long blockedForMs(String address) {
    Record record = addresses.get(address);
    if (record == null) {
      return 0;
    }
    synchronized (record) {
      return Math.max(0, record.blockedUntilMs - clockMs.getAsLong());
    }
  }

  /** Counts a failed authentication from {@code address}; returns the block it starts in ms, or 0 when none. */
  public long failed(String address) {
    Record record = addresses.computeIfAbsent(address, a -> new Record());
    long now = clockMs.getAsLong();
    synchronized (record) {
      while (!record.recent.isEmpty() && record.recent.peekFirst() <= now - MINUTE_MS) {
        record.recent.removeFirst();
      }
      record.recent.addLast(now);
      if (record.recent.size() < maxPerMinute || record.blockedUntilMs > now) {
        return 0;
      }
      long block = Math.min(LONGEST_BLOCK_MS, blockMs << Math.min(20, record.offences));
      record.offences++;
      record.blockedUntilMs = now + block;
      record.recent.clear();
      return block;
    }
  }

  /** Forgets the addresses with no failure in the last minute and no block running (their offences included). */
  public void forgetIdle() {
    long now = clockMs.getAsLong();
    addresses.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        Long last = e.getValue().recent.peekLast();
        return e.getValue().blockedUntilMs <= now - blockMs && (last == null || last <= now - MINUTE_MS);
      }
    });
  }
}
