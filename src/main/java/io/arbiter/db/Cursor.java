package io.arbiter.db;

import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

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

  /** The key of a newest-first list ordered by {@code (created_at, id)}: where the next page starts. */
  public record CreatedKey(OffsetDateTime createdAt, UUID id) {

    /** The key a cursor carries, or null without a cursor. */
    public static CreatedKey decode(String cursor) {
      if (cursor == null) {
        return null;
      }
      String[] parts = Cursor.decode(cursor, 2);
      try {
        return new CreatedKey(OffsetDateTime.parse(parts[0]), UUID.fromString(parts[1]));
      } catch (RuntimeException e) {
        throw Failure.BAD_REQUEST.exception("cursor is invalid; pass back the nextCursor of the previous page");
      }
    }

    public String encode() {
      return Cursor.encode(createdAt.toString(), id.toString());
    }
  }

  /**
   * One page of a list read with {@code limit + 1} rows: {@code {items, nextCursor}}, where the cursor is the key of
   * the page's last item when more rows follow, else null.
   */
  public static <T> JsonObject page(List<T> rows, int limit, Function<T, JsonObject> json,
                                    Function<T, CreatedKey> key) {
    List<T> page = rows.subList(0, Math.min(limit, rows.size()));
    String next = rows.size() > limit ? key.apply(page.get(page.size() - 1)).encode() : null;
    return new JsonObject().put("items", new JsonArray(page.stream().map(json).toList())).put("nextCursor", next);
  }
}
