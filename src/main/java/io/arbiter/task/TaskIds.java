package io.arbiter.task;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Task ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by random bits, so that new rows land at
 * the end of the primary-key index instead of all over it. Assigned by the server before anything is written.
 */
public final class TaskIds {
  private TaskIds() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  public static UUID next() {
    long millis = System.currentTimeMillis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
