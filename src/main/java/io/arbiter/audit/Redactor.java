package io.arbiter.audit;

import io.arbiter.db.Secrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from audit details and log lines: the value of any field named like a secret (password, secret,
 * token, authorization, api key, credential, private key, cookie, session), any string that looks like a bearer or
 * basic credential or a JWT, the password in a URL (the rest of the address stays readable), and in free text the
 * value of any {@code name=value} or {@code name: value} named like a secret, wherever it sits in the JSON.
 */
public final class Redactor {
  private Redactor() {}

  public static final String REDACTED = "[redacted]";

  /**
   * The longest text redacted: beyond it, text is cut (at the last delimiter before the bound, so that no secret is
   * left half-shown) and marked {@link #CUT}. Every pattern below runs in time linear in its input, and this bound
   * caps that time.
   */
  public static final int MAX_TEXT = 64 * 1024;
  /** What ends a text cut at {@link #MAX_TEXT}. */
  public static final String CUT = "[cut]";
  /**
   * The longest User-Agent recorded (audit records, request contexts): a longer header is cut to it, mark included.
   * Real clients send a few hundred characters at most; the header travels with every request on the event bus and is
   * redacted each time an audit event is built from it.
   */
  public static final int MAX_USER_AGENT = 512;

  /*
   * Each pattern is written so that no input can make it backtrack without bound: every repetition whose end the
   * next token decides is possessive, and the repetitions that can start anywhere in a long run of letters are
   * bounded or anchored at the start of the run. A URL's password is read up to its '@' when it has no '/' (a scan
   * that stops where the next address begins), or up to 128 characters when it has one.
   */
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i)pass(?:word|wd)?|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie|session");
  private static final Pattern SECRET_VALUE = Pattern.compile("(?i)(bearer\\s++\\S++|basic\\s++[A-Za-z0-9+/=]{8,}+"
      + "|(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}+\\.[A-Za-z0-9_-]{5,}+\\.[A-Za-z0-9_-]*+)");
  /** {@code scheme://user:password@…}: group 2 is the password; the rest of the address stays readable. */
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]{0,31}+://[^:/@\\s]++:)([^@\\s/]++|[^@\\s]{1,128}+)@");
  /** {@code password=…}, {@code "apiKey": "…"}, {@code token: …} in free text: group 2 is the value. */
  private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
      "(?i)((?:pass(?:word|wd)?|pwd|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie"
          + "|session)[A-Za-z0-9_-]{0,64}+\\\\?\"?\\s*+[=:]\\s*+\\\\?\"?)([^\\s\"'\\\\,;&}]++)");
  /** Where a cut text may end without splitting a value that a pattern above would redact. */
  private static final String DELIMITERS = " \t\r\n,;&\"'}";

  public static boolean isSecretName(String name) {
    return SECRET_NAME.matcher(name).find();
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
   * Free text with its secrets replaced: bearer and basic credentials, JWTs, passwords in URLs (a password already
   * masked, {@code ****} or {@code [redacted]}, is left as it is), and the value of any
   * {@code name=value} or {@code name: value} whose name is like a secret's. Text without them is returned as is.
   */
  public static String redactText(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = bounded(text);
    Matcher url = URL_PASSWORD.matcher(out);
    if (url.find()) {
      StringBuilder masked = new StringBuilder();
      do {
        String password = url.group(2);
        boolean done = password.equals(REDACTED) || password.equals(Secrets.MASK);
        url.appendReplacement(masked, Matcher.quoteReplacement(url.group(1) + (done ? password : REDACTED) + "@"));
      } while (url.find());
      url.appendTail(masked);
      out = masked.toString();
    }
    if (SECRET_VALUE.matcher(out).find()) {
      out = SECRET_VALUE.matcher(out).replaceAll(REDACTED);
    }
    Matcher assignment = SECRET_ASSIGNMENT.matcher(out);
    if (assignment.find()) {
      StringBuilder masked = new StringBuilder();
      do {
        String secret = assignment.group(2);
        assignment.appendReplacement(masked, Matcher.quoteReplacement(assignment.group(1)
            + (secret.equals(REDACTED) || secret.startsWith("[redacted") ? secret : REDACTED)));
      } while (assignment.find());
      assignment.appendTail(masked);
      out = masked.toString();
    }
    return out;
  }

  /**
   * A User-Agent header as Arbiter records it: redacted, and cut to {@link #MAX_USER_AGENT} characters (mark
   * included) when longer. Applying it again changes nothing.
   */
  public static String userAgent(String header) {
    if (header == null || header.length() <= MAX_USER_AGENT) {
      return redactText(header);
    }
    return redactText(cut(header, MAX_USER_AGENT - CUT.length()) + CUT);
  }

  /** {@code text} itself when within {@link #MAX_TEXT}; else its start, up to the last delimiter, marked as cut. */
  static String bounded(String text) {
    return text.length() <= MAX_TEXT ? text : cut(text, MAX_TEXT) + CUT;
  }

  /** The start of {@code text}, at most {@code max} characters, ending at the last delimiter within them. */
  private static String cut(String text, int max) {
    int end = max;
    while (end > 0 && DELIMITERS.indexOf(text.charAt(end - 1)) < 0) {
      end--;
    }
    return text.substring(0, end);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}
