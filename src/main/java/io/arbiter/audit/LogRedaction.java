package io.arbiter.audit;

import com.fasterxml.jackson.core.JsonStreamContext;
import io.arbiter.db.Secrets;
import net.logstash.logback.mask.ValueMasker;

/**
 * Keeps secrets out of log lines, whatever was logged: every string the JSON log encoder writes (the message, the
 * stack trace, MDC values, arguments) passes through {@link Redactor#redactText} and {@link Secrets#mask}, and the
 * value of any field named like a secret is replaced. Wired in {@code logback.xml} on the encoder.
 */
public final class LogRedaction implements ValueMasker {

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (!(value instanceof CharSequence chars)) {
      return null;
    }
    String name = context == null ? null : context.getCurrentName();
    if (name != null && Redactor.isSecretName(name)) {
      return Redactor.REDACTED;
    }
    String text = chars.toString();
    String masked = Redactor.redactText(Secrets.mask(text));
    return masked.equals(text) ? null : masked;
  }
}
