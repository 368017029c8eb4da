package io.arbiter.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Removes secrets from audit details and log lines: the value of any field named like a secret (password, secret,
 * token, authorization, api key, credential, private key, cookie, session), any string that looks like a bearer or
 * basic credential, a JWT or a URL with a password, and in free text the value of any {@code name=value} or
 * {@code name: value} named like a secret, wherever it sits in the JSON.
 */
public final class Redactor {
  private Redactor() {}

  public static final String REDACTED = "[redacted]";

  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(pass(word|wd)?|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie|session).*");
  private static final Pattern SECRET_VALUE = Pattern.compile(
      "(?i)(bearer\\s+\\S+|basic\\s+[A-Za-z0-9+/=]{8,}|eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*"
          + "|[a-z]+://[^:/@\\s]+:[^@\\s]+@\\S*)");
  /** {@code password=…}, {@code "apiKey": "…"}, {@code token: …} in free text: group 2 is the value. */
  private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
      "(?i)((?:pass(?:word|wd)?|pwd|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie"
          + "|session)[A-Za-z0-9_-]*\\\\?\"?\\s*[=:]\\s*\\\\?\"?)([^\\s\"'\\\\,;&}]+)");

  public static boolean isSecretName(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  public static JsonObject redact(JsonObject json) {
    JsonObject copy = new JsonObject();
    for (Map.Entry<String, Object> entry : json) {
      copy.put(entry.getKey(), isSecretName(entry.getKey()) ? REDACTED : redactValue(entry.getValue()));
    }
    return copy;
  }

  private static Object redactValue(Object value) {
    if (value instanceof JsonObject object) {
      return redact(object);
    }
    if (value instanceof Map<?, ?> map) {
      return redact(new JsonObject(castMap(map)));
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(redactValue(item)));
      return copy;
    }
    if (value instanceof String text) {
      return redactText(text);
    }
    return value;
  }

  /**
   * Free text with its secrets replaced: bearer and basic credentials, JWTs, passwords in URLs, and the value of any
   * {@code name=value} or {@code name: value} whose name is like a secret's. Text without them is returned as is.
   */
  public static String redactText(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    if (SECRET_VALUE.matcher(out).find()) {
      out = SECRET_VALUE.matcher(out).replaceAll(REDACTED);
    }
    java.util.regex.Matcher assignment = SECRET_ASSIGNMENT.matcher(out);
    if (assignment.find()) {
      StringBuilder masked = new StringBuilder();
      do {
        String secret = assignment.group(2);
        assignment.appendReplacement(masked, java.util.regex.Matcher.quoteReplacement(assignment.group(1)
            + (secret.equals(REDACTED) || secret.startsWith("[redacted") ? secret : REDACTED)));
      } while (assignment.find());
      assignment.appendTail(masked);
      out = masked.toString();
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}
