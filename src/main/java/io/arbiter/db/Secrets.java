package io.arbiter.db;

import java.util.regex.Pattern;

/** Masks credentials in text that may reach a log line or an error (connection URLs, passwords). */
public final class Secrets {
  private Secrets() {}

  /** What a masked password reads as. */
  public static final String MASK = "****";

  /* Linear in their input whatever it holds: see the note on Redactor's patterns. */
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(\\b[a-z][a-z0-9+.-]{0,31}+://[^:/@\\s]++:)(?:[^@\\s/]*+|[^@\\s]{0,128}+)@");
  private static final Pattern KEY_VALUE_PASSWORD =
      Pattern.compile("(?i)(password|passwd|pwd|secret)(\\s*+[=:]\\s*+)([^\\s&;,]++)");

  public static String mask(String text) {
    if (text == null) {
      return null;
    }
    String masked = URL_PASSWORD.matcher(text).replaceAll("$1" + MASK + "@");
    return KEY_VALUE_PASSWORD.matcher(masked).replaceAll("$1$2" + MASK);
  }
}
