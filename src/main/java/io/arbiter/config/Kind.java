package io.arbiter.config;

import java.util.List;
import java.util.Locale;

/** The type and range of one setting; {@link #parse} turns a raw JSON, environment or property value into it. */
public sealed interface Kind {

  Object parse(Object raw);

  String describe();

  static Kind integer(long min, long max) {
    return new Int(min, max);
  }

  static Kind decimal(double min, double max) {
    return new Decimal(min, max);
  }

  /** A level bar, {@code minTasks/minSuccessRate/minQuality}, e.g. {@code 50/0.8/0.75}. */
  static Kind bar() {
    return new Bar();
  }

  static Kind text() {
    return new Text(false);
  }

  static Kind secret() {
    return new Text(true);
  }

  static Kind choice(String... values) {
    return new Choice(List.of(values));
  }

  default boolean isSecret() {
    return this instanceof Text t && t.secret();
  }

  record Int(long min, long max) implements Kind {
    @Override
    public Object parse(Object raw) {
      long value;
      if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
        value = n.longValue();
      } else if (raw instanceof String s && s.trim().matches("-?\\d{1,18}")) {
        value = Long.parseLong(s.trim());
      } else {
        throw new IllegalArgumentException("must be " + describe() + ", got '" + raw + "'");
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException("must be " + describe() + ", got " + value);
      }
      return value;
    }

    @Override
    public String describe() {
      return "an integer from " + min + " to " + max;
    }
  }

  record Decimal(double min, double max) implements Kind {
    @Override
    public Object parse(Object raw) {
      double value;
      if (raw instanceof Number n) {
        value = n.doubleValue();
      } else if (raw instanceof String s && s.trim().matches("-?\\d{1,9}(\\.\\d{1,9})?")) {
        value = Double.parseDouble(s.trim());
      } else {
        throw new IllegalArgumentException("must be " + describe() + ", got '" + raw + "'");
      }
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException("must be " + describe() + ", got " + value);
      }
      return value;
    }

    @Override
    public String describe() {
      return "a number from " + min + " to " + max;
    }
  }

  record Bar() implements Kind {
    @Override
    public Object parse(Object raw) {
      String value = String.valueOf(raw).trim();
      if (!value.matches("\\d{1,9}/(0(\\.\\d{1,6})?|1(\\.0{1,6})?)/(0(\\.\\d{1,6})?|1(\\.0{1,6})?)")) {
        throw new IllegalArgumentException("must be " + describe() + ", got '" + value + "'");
      }
      return value;
    }

    @Override
    public String describe() {
      return "minTasks/minSuccessRate/minQuality, e.g. 50/0.8/0.75";
    }
  }

  record Text(boolean secret) implements Kind {
    @Override
    public Object parse(Object raw) {
      if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
        return raw.toString().trim();
      }
      throw new IllegalArgumentException("must be a string");
    }

    @Override
    public String describe() {
      return secret ? "a secret string" : "a string";
    }
  }

  record Choice(List<String> values) implements Kind {
    @Override
    public Object parse(Object raw) {
      String value = String.valueOf(raw).trim();
      for (String allowed : values) {
        if (allowed.equalsIgnoreCase(value)) {
          return allowed;
        }
      }
      throw new IllegalArgumentException("must be " + describe() + ", got '" + value + "'");
    }

    @Override
    public String describe() {
      return "one of " + String.join(", ", values).toLowerCase(Locale.ROOT);
    }
  }
}
