package io.arbiter.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command the way its users would (an SDK's test suite, a build), waits for it and keeps its output. A command
 * that cannot start, or runs past its time, fails the test and says why: tests that need a tool never skip without it.
 */
public final class Processes {

  /** A finished command: its exit status and its stdout and stderr together. */
  public record Run(int exit, String output) {}

  private Processes() {}

  /**
   * Runs {@code command} in {@code directory} with {@code env} added to this process's environment; its output is also
   * echoed to the test's, each line after {@code label}. {@code hint} says how to install the tool when it is missing.
   */
  public static Run run(Path directory, Map<String, String> env, Duration timeout, String label, String hint,
      List<String> command) {
    try {
      Path output = Files.createTempFile(label, ".log");
      try {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
            .redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process;
        try {
          process = builder.start();
        } catch (IOException e) {
          throw new AssertionError("could not start " + command.get(0) + " (" + hint + "): " + e, e);
        }
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor();
          throw new AssertionError(String.join(" ", command) + " ran past " + timeout.toSeconds() + " s:\n"
              + Files.readString(output, StandardCharsets.UTF_8));
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println("[" + label + "] " + text.replace("\n", "\n[" + label + "] "));
        return new Run(process.exitValue(), text);
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while " + command.get(0) + " ran", e);
    }
  }
}
