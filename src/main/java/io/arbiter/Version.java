package io.arbiter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version this build of Arbiter carries: the project version in {@code pom.xml}, written into
 * {@code io/arbiter/version.properties} by Maven's resource filtering. {@code --version} prints it and
 * {@code /health/live} reports it.
 */
public final class Version {
  static final String RESOURCE = "io/arbiter/version.properties";

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static final String NUMBER = read(Version.class.getClassLoader().getResourceAsStream(RESOURCE));

  private Version() {}

  static String read(InputStream in) {
    if (in == null) {
      throw new IllegalStateException(RESOURCE + " is missing from the classpath");
    }
    Properties properties = new Properties();
    try (in) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = properties.getProperty("version", "").trim();
    if (version.isEmpty() || version.contains("${")) {
      throw new IllegalStateException(RESOURCE + " holds no filtered version: '" + version + "'");
    }
    return version;
  }
}
