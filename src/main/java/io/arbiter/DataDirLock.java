package io.arbiter;

import io.arbiter.config.ConfigKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One Arbiter per data directory: {@code <dataDir>/arbiter.lock}, held with an operating-system file lock for as long
 * as the Arbiter runs (the system drops it when the process dies, so a crash leaves nothing to clean). The embedded
 * database, the outage journal and the dev secret live there; two processes on them would corrupt each other.
 */
final class DataDirLock implements AutoCloseable {

  static final String FILE_NAME = "arbiter.lock";

  private final Path dir;
  private final boolean created;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path dir, boolean created, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.created = created;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the directory (creating it if need be), or fails at once naming it when another Arbiter holds it. */
  static DataDirLock acquire(Path dir) {
    boolean created = !Files.exists(dir);
    Path file = dir.resolve(FILE_NAME);
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = tryLock(channel);
      if (lock == null) {
        throw new IllegalStateException("another Arbiter" + holder(file) + " is using " + dir + ": stop it or set "
            + ConfigKey.DATA_DIR.envName() + " to another directory");
      }
      channel.truncate(0).write(ByteBuffer.wrap(
          (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new DataDirLock(dir, created, channel, lock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      if (created) {
        deleteTree(dir);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot use the data directory " + dir + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException heldInThisProcess) {
      return null;
    }
  }

  private static String holder(Path file) {
    try {
      String pid = Files.readString(file, StandardCharsets.UTF_8).trim();
      return pid.matches("\\d{1,10}") ? " (pid " + pid + ")" : "";
    } catch (IOException | RuntimeException unreadable) {
      return "";
    }
  }

  /** Lets the directory go; the lock file stays, so that no two processes ever lock two different files. */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel below releases it too
    }
    closeQuietly(channel);
  }

  /** After a failed start: lets the directory go and removes it if this start created it. */
  void discard() {
    close();
    if (created) {
      deleteTree(dir);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing more to release
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: tidying up after a failed start must not hide why it failed
    }
  }
}
