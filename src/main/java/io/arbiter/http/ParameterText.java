package io.arbiter.http;

import io.vertx.json.schema.common.dsl.SchemaType;
import java.util.regex.Pattern;

/**
 * The value the contract's validation (vertx-openapi) makes of a primitive parameter's text in the simple and form
 * styles (path, header and query parameters), for the texts where that value is certain without decoding them as JSON;
 * null for every other text. vertx-openapi takes a string parameter's text as it is when it is a word, and otherwise
 * decodes it as JSON first: {@code 12} stays a string, {@code 1.5} and {@code -3} become numbers (which a string schema
 * then refuses), and a text that is no JSON value ({@code a-b}, a UUID) stays the string it was. An integer's text is
 * decoded as JSON; {@code true} and {@code false} are booleans.
 */
final class ParameterText {

  /** What vertx-openapi keeps verbatim for a string parameter, without decoding: {@code \w+}. */
  private static final Pattern WORD = Pattern.compile("\\w+");
  /** Texts that, when not a JSON number, are no JSON value at all, so decoding fails and the text stays verbatim. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern JSON_NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
  /** Integers in canonical form that decode to a Java {@code Integer} (nine digits at most). */
  private static final Pattern INTEGER = Pattern.compile("0|-?[1-9][0-9]{0,8}");

  private ParameterText() {}

  /**
   * The value of {@code text} for a parameter of schema type {@code type} in the simple or form style: a
   * {@code String}, an {@code Integer} or a {@code Boolean}, equal to what vertx-openapi's transformation returns; null
   * where this cannot say (another type, or a text it does not take): the contract's own validation then decides.
   */
  static Object value(SchemaType type, String text) {
    return switch (type) {
      case STRING -> WORD.matcher(text).matches()
          || (TOKEN.matcher(text).matches() && !JSON_NUMBER.matcher(text).matches()) ? text : null;
      case INTEGER -> INTEGER.matcher(text).matches() ? Integer.valueOf(text) : null;
      case BOOLEAN -> "true".equals(text) ? Boolean.TRUE : "false".equals(text) ? Boolean.FALSE : null;
      default -> null;
    };
  }
}
