package io.arbiter.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Removes secrets from audit details: the value of any field named like a secret (password, secret, token,
 * authorization, api key, credential, private key, cookie), and any string that looks like a bearer token or a JWT,
 * wherever it sits in the JSON.
 */
public final class Redactor {
  private Redactor() {}

  public static final String REDACTED = "[redacted]";

  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(pass(word|wd)?|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie|session).*");
  private static final Pattern SECRET_VALUE = Pattern.compile(
      "(?i)(bearer\\s+\\S+|eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*|[a-z]+://[^:/@\\s]+:[^@\\s]+@\\S*)");

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
    if (value instanceof String text && SECRET_VALUE.matcher(text).find()) {
      return SECRET_VALUE.matcher(text).replaceAll(REDACTED);
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}
