package io.arbiter.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one canonical form of a JSON value: object keys sorted, no insignificant white space, numbers and strings as
 * Vert.x encodes them. Two documents that differ only in key order have the same canonical form and hash.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  public static String encode(Object value) {
    return Json.encode(sorted(value));
  }

  /** SHA-256 of the canonical form, in hex. */
  public static String sha256(Object value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(encode(value).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static Object sorted(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> map = new TreeMap<>();
      object.forEach(e -> map.put(e.getKey(), sorted(e.getValue())));
      return new JsonObject(new java.util.LinkedHashMap<>(map));
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(sorted(item)));
      return copy;
    }
    return value;
  }

  private static final class Json {
    static String encode(Object value) {
      return value == null ? "null" : io.vertx.core.json.Json.encode(value);
    }
  }
}
