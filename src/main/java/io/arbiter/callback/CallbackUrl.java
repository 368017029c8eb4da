package io.arbiter.callback;

import io.arbiter.bus.ArbiterException;
import io.arbiter.bus.Failure;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Checks the {@code callback} of a submission: an absolute {@code http} or {@code https} URL of at most
 * {@link #MAX_LENGTH} characters, without user information, whose host {@code callbacks.allowedHosts} lists (an entry
 * {@code *.example.com} allows the subdomains of example.com). The list is the only defence against a callback aimed
 * at an internal service, so plain {@code http} is held to it as well. Refusals are 400s naming the field; they quote
 * the host at most, never the URL (its query may carry a receiver's token).
 */
public final class CallbackUrl {
  private CallbackUrl() {}

  /** The longest callback URL accepted (the contract says the same). */
  public static final int MAX_LENGTH = 2048;

  /**
   * @param callback the submission's {@code callback} object, or null
   * @param field how to name the submission's fields in errors: "" for a single task, "tasks[3]." in a batch
   * @return the URL to call when the task finishes, or null without a callback
   */
  public static String check(JsonObject callback, CallbackSettings settings, String field) {
    if (callback == null) {
      return null;
    }
    String name = field + "callback.url";
    if (!settings.enabled()) {
      throw refused(field + "callback", "completion callbacks are not enabled on this server "
          + "(callbacks.allowedHosts is empty)");
    }
    String url = callback.getString("url");
    if (url == null || url.isEmpty()) {
      throw refused(name, "is required");
    }
    if (url.length() > MAX_LENGTH) {
      throw refused(name, "is " + url.length() + " characters; the limit is " + MAX_LENGTH);
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw refused(name, "is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw refused(name, "must be an absolute http or https URL");
    }
    if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
      throw refused(name, "must not carry user information (user:password@); put a receiver's credentials in its "
          + "query or check the signature instead");
    }
    if (uri.getHost() == null) {
      throw refused(name, "must name a host");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (!allowed(host, settings.allowedHosts())) {
      throw refused(name, "names host " + host + ", which callbacks.allowedHosts does not list");
    }
    return url;
  }

  /** Whether {@code host} (lower case) is listed, exactly or under a {@code *.} entry. */
  static boolean allowed(String host, List<String> allowedHosts) {
    for (String entry : allowedHosts) {
      if (entry.startsWith("*.") ? host.endsWith(entry.substring(1)) : host.equals(entry)) {
        return true;
      }
    }
    return false;
  }

  /** The host a URL names, for logs and the callback's status (never the path or query). */
  public static String host(String url) {
    try {
      String host = new URI(url).getHost();
      return host == null ? "(unknown)" : host;
    } catch (URISyntaxException e) {
      return "(unknown)";
    }
  }

  private static ArbiterException refused(String field, String message) {
    return new ArbiterException(Failure.BAD_REQUEST, "field " + field + ": " + message,
        new JsonObject().put("field", field));
  }
}
