package io.arbiter.db;

import io.arbiter.bus.Failure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * An opaque keyset-pagination cursor: the sort key of the last item of a page, base64url-encoded so that clients
 * treat it as a token. A cursor that does not decode is a {@link Failure#BAD_REQUEST}.
 */
public final class Cursor {
  private Cursor() {}

  private static final String SEPARATOR = "\u001f";
  private static final String VERSION = "c1";

  public static String encode(String... parts) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        (VERSION + SEPARATOR + String.join(SEPARATOR, parts)).getBytes(StandardCharsets.UTF_8));
  }

  public static String[] decode(String cursor, int expectedParts) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(SEPARATOR, -1);
      if (parts.length != expectedParts + 1 || !parts[0].equals(VERSION)) {
        throw new IllegalArgumentException("wrong shape");
      }
      return java.util.Arrays.copyOfRange(parts, 1, parts.length);
    } catch (IllegalArgumentException e) {
      throw Failure.BAD_REQUEST.exception("cursor is invalid; pass back the nextCursor of the previous page");
    }
  }
}
