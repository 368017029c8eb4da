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

  public static String encode(String... parts) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(String.join(SEPARATOR, parts).getBytes(StandardCharsets.UTF_8));
  }

  public static String[] decode(String cursor, int expectedParts) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(SEPARATOR, -1);
      if (parts.length != expectedParts) {
        throw new IllegalArgumentException("wrong shape");
      }
      return parts;
    } catch (IllegalArgumentException e) {
      throw Failure.BAD_REQUEST.exception("cursor is invalid; pass back the nextCursor of the previous page");
    }
  }
}
