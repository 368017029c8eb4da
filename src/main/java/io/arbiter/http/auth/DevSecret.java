package io.arbiter.http.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Dev mode's JWT secret: generated at random by the first {@code serve} and kept in {@code <dataDir>/jwt-secret}
 * (mode 600), so that {@code token} and {@code serve} agree across runs. Never used in prod mode.
 */
public final class DevSecret {
  private DevSecret() {}

  public static final String FILE_NAME = "jwt-secret";

  public static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /** The secret kept under {@code dataDir}, if there is one. */
  public static Optional<String> load(Path dataDir) {
    Path file = file(dataDir);
    try {
      return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dev JWT secret " + file + ": " + e.getMessage(), e);
    }
  }

  public static String loadOrCreate(Path dataDir) {
    return load(dataDir).orElseGet(() -> create(dataDir));
  }

  private static String create(Path dataDir) {
    Path file = file(dataDir);
    try {
      Files.createDirectories(dataDir);
      byte[] random = new byte[48];
      new SecureRandom().nextBytes(random);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Files.writeString(file, secret, StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system; the file still works
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the dev JWT secret " + file + ": " + e.getMessage(), e);
    }
  }
}
