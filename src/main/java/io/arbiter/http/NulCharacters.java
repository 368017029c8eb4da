package io.arbiter.http;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Refuses U+0000 (NUL) in what a request carries. PostgreSQL stores no NUL in {@code text} or {@code jsonb}, so such
 * a value would fail its statement, and a group-committed statement fails with every request written beside it.
 * Checked where requests arrive: REST after validation, the bridge before a report goes on the bus.
 */
public final class NulCharacters {
  private NulCharacters() {}

  /** How JSON writes a NUL: a body without these bytes holds no NUL (JSON has no raw control characters). */
  private static final byte[] ESCAPED = "\\u0000".getBytes(StandardCharsets.US_ASCII);

  /** Whether {@code body}'s bytes may hold a NUL (cheap; {@link #refuse} decides). */
  static boolean mayHold(Buffer body) {
    if (body == null) {
      return false;
    }
    // read in place: a copy of every body would cost more than the scan
    int last = body.length() - ESCAPED.length;
    for (int i = 0; i <= last; i++) {
      int j = 0;
      while (j < ESCAPED.length && body.getByte(i + j) == ESCAPED[j]) {
        j++;
      }
      if (j == ESCAPED.length) {
        return true;
      }
    }
    return false;
  }

  /** Throws 400 naming the first field (or key) of {@code value} under {@code field} that holds a NUL. */
  public static void refuse(Object value, String field) {
    String at = find(value, field);
    if (at != null) {
      throw new ArbiterException(Failure.BAD_REQUEST, "field " + at + ": holds the character U+0000, which cannot be "
          + "stored", new JsonObject().put("field", at));
    }
  }

  private static String find(Object value, String field) {
    if (value instanceof String text) {
      return text.indexOf('\0') >= 0 ? field : null;
    }
    if (value instanceof JsonObject object) {
      return find(object.getMap(), field);
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        String child = field.isEmpty() ? key : field + "." + key;
        if (key.indexOf('\0') >= 0) {
          return child;
        }
        String found = find(entry.getValue(), child);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    if (value instanceof JsonArray array) {
      return find(array.getList(), field);
    }
    if (value instanceof Iterable<?> items) {
      int i = 0;
      for (Object item : items) {
        String found = find(item, field + "[" + i++ + "]");
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
