package io.arbiter.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time of a started server process and of its JIT compiler threads, read from Linux's {@code /proc} (each
 * thread's {@code schedstat}, nanoseconds on a CPU). A run during which the compiler still takes a large share measured
 * a server warming up, not its steady state.
 */
final class ServerCpu {

  /** CPU nanoseconds so far: the whole process, and its JIT compiler threads. */
  record Sample(long nanos, long compilerNanos, long at) {}

  private final Path tasks;

  private ServerCpu(Path tasks) {
    this.tasks = tasks;
  }

  /** The process's CPU, or null where {@code /proc} does not show it (not Linux, or no such process). */
  static ServerCpu of(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    return Files.isDirectory(tasks) && Files.isReadable(tasks.resolve(Long.toString(pid)).resolve("schedstat"))
        ? new ServerCpu(tasks) : null;
  }

  /** Sums the threads' CPU time now; threads that end between the listing and the read are left out. */
  Sample sample() {
    long total = 0;
    long compiler = 0;
    try (Stream<Path> threads = Files.list(tasks)) {
      for (Path thread : threads.toList()) {
        try {
          long nanos = Long.parseLong(Files.readString(thread.resolve("schedstat")).trim().split(" ")[0]);
          total += nanos;
          // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", ... (the name shows cut to 15 characters)
          if (Files.readString(thread.resolve("comm")).contains("CompilerThre")) {
            compiler += nanos;
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return null;
    }
    return new Sample(total, compiler, System.nanoTime());
  }

  /** The JIT compiler's CPU between two samples, in cores; NaN when not measured. */
  static double compilerCores(Sample before, Sample after) {
    return measured(before, after) ? (after.compilerNanos - before.compilerNanos) / (double) (after.at - before.at)
        : Double.NaN;
  }

  /** "0.82 cores, of them the JIT compiler 0.12": the CPU used between two samples, in cores. */
  static String between(Sample before, Sample after) {
    if (!measured(before, after)) {
      return "not measured";
    }
    return String.format(java.util.Locale.ROOT, "%.2f cores, of them the JIT compiler %.2f",
        (after.nanos - before.nanos) / (double) (after.at - before.at), compilerCores(before, after));
  }

  private static boolean measured(Sample before, Sample after) {
    return before != null && after != null && after.at > before.at;
  }
}
