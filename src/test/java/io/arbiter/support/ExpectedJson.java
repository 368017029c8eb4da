package io.arbiter.support;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Output as documented, with what differs from run to run left open. Expected JSON is compared with the actual JSON
 * value by value; in the expected side:
 * <ul>
 *   <li>{@code "…"} matches any value (an id, a time, a figure learned from earlier runs);</li>
 *   <li>a string containing {@code …} matches any string that has its other parts, {@code …} standing for any text;
 *   </li>
 *   <li>an object lists exactly the actual object's fields, unless it holds the entry {@code "…": "…"}, which allows
 *   fields it does not list;</li>
 *   <li>arrays have the same length and match item by item; numbers match by value ({@code 1} and {@code 1.0}).</li>
 * </ul>
 */
public final class ExpectedJson {
  private ExpectedJson() {}

  /** The placeholder: any value, or in a string any text. */
  public static final String ANY = "…";

  private static final JsonFactory FACTORY = new JsonFactory();

  /** The JSON values in {@code text}, one after another, whitespace between them; fails on anything else. */
  public static List<Object> values(String text) {
    List<Object> values = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(text)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        int start = (int) parser.currentTokenLocation().getCharOffset();
        parser.skipChildren();
        parser.finishToken();
        int end = (int) parser.currentLocation().getCharOffset();
        values.add(Json.decodeValue(text.substring(start, end)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("not a sequence of JSON values: " + e.getMessage() + "\n" + text, e);
    }
    return values;
  }

  /** Where {@code actual} differs from {@code expected}, one line each ({@code $.path: why}); empty when it matches. */
  public static List<String> mismatches(Object expected, Object actual) {
    List<String> out = new ArrayList<>();
    match("$", expected, actual, out);
    return out;
  }

  /** {@link #mismatches} for two sequences of values, the n-th against the n-th. */
  public static List<String> mismatches(List<Object> expected, List<Object> actual) {
    List<String> out = new ArrayList<>();
    if (expected.size() != actual.size()) {
      out.add(expected.size() + " JSON value(s) expected, " + actual.size() + " printed");
      return out;
    }
    for (int i = 0; i < expected.size(); i++) {
      match("$[" + i + "]", expected.get(i), actual.get(i), out);
    }
    return out;
  }

  private static void match(String path, Object expected, Object actual, List<String> out) {
    if (ANY.equals(expected)) {
      return;
    }
    if (expected instanceof JsonObject object) {
      if (actual instanceof JsonObject other) {
        matchObject(path, object, other, out);
      } else {
        out.add(path + ": expected an object, got " + Json.encode(actual));
      }
    } else if (expected instanceof JsonArray array) {
      if (!(actual instanceof JsonArray other)) {
        out.add(path + ": expected an array, got " + Json.encode(actual));
      } else if (array.size() != other.size()) {
        out.add(path + ": expected " + array.size() + " item(s), got " + other.size() + ": " + other.encode());
      } else {
        for (int i = 0; i < array.size(); i++) {
          match(path + "[" + i + "]", array.getValue(i), other.getValue(i), out);
        }
      }
    } else if (expected instanceof String text && text.contains(ANY)) {
      if (!(actual instanceof String value) || !pattern(text).matcher(value).matches()) {
        out.add(path + ": expected " + Json.encode(text) + ", got " + Json.encode(actual));
      }
    } else if (!sameValue(expected, actual)) {
      out.add(path + ": expected " + Json.encode(expected) + ", got " + Json.encode(actual));
    }
  }

  private static void matchObject(String path, JsonObject expected, JsonObject actual, List<String> out) {
    boolean open = ANY.equals(expected.getValue(ANY));
    for (String key : expected.fieldNames()) {
      if (open && key.equals(ANY)) {
        continue;
      }
      if (actual.containsKey(key)) {
        match(path + "." + key, expected.getValue(key), actual.getValue(key), out);
      } else {
        out.add(path + "." + key + ": missing");
      }
    }
    if (!open) {
      for (String key : actual.fieldNames()) {
        if (!expected.containsKey(key)) {
          out.add(path + "." + key + ": not expected, got " + Json.encode(actual.getValue(key)));
        }
      }
    }
  }

  private static boolean sameValue(Object expected, Object actual) {
    if (expected instanceof Number a && actual instanceof Number b) {
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
    }
    return Objects.equals(expected, actual);
  }

  private static Pattern pattern(String text) {
    StringBuilder regex = new StringBuilder();
    for (String part : text.split(ANY, -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
