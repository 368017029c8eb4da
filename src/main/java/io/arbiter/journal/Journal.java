package io.arbiter.journal;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, fsync'd journal of JSON entries in a directory: what Arbiter accepted while PostgreSQL was away.
 *
 * <p>Entries are appended to {@code active.log}, one line each: the CRC-32 of the JSON in hex, a space, the JSON. An
 * append returns only after {@link FileChannel#force} (so a 2xx is never answered for an entry that a power cut could
 * take). To replay, {@link #seal} renames the active file to {@code sealed-<n>.log} and starts a new one; sealed
 * segments are replayed in order and {@link #delete deleted} once every entry in them has landed. A crash during a
 * replay leaves the segment in place, and the next replay starts it again: replays must be idempotent.
 *
 * <p>A torn last line (the process died during a write) fails its checksum and ends the segment; it was never
 * acknowledged. Blocking file I/O: call it from a worker, never from an event loop. Thread-safe.
 */
public final class Journal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final String ACTIVE = "active.log";
  private static final String SEALED_PREFIX = "sealed-";

  private final Path dir;
  private FileChannel active;
  private long activeBytes;
  private long nextSegment;

  private Journal(Path dir) {
    this.dir = dir;
  }

  /**
   * Opens (creating if needed) the journal in {@code dir}. Entries left by an earlier process are sealed at once, so
   * that new entries never follow a torn line.
   */
  public static Journal open(Path dir) {
    Journal journal = new Journal(dir);
    try {
      Files.createDirectories(dir);
      journal.nextSegment = journal.sealed().stream().mapToLong(Journal::segmentNumber).max().orElse(0) + 1;
      journal.openActive();
      journal.seal();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the journal in " + dir + ": " + e.getMessage(), e);
    }
    return journal;
  }

  public Path directory() {
    return dir;
  }

  /** Writes the entries and forces them to disk before returning. */
  public synchronized void append(List<JsonObject> entries) {
    StringBuilder lines = new StringBuilder();
    for (JsonObject entry : entries) {
      String json = entry.encode();
      lines.append(Long.toHexString(crc(json))).append(' ').append(json).append('\n');
    }
    ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
    try {
      while (buffer.hasRemaining()) {
        active.write(buffer);
      }
      active.force(false);
      activeBytes = active.size();
    } catch (IOException e) {
      try {
        active.truncate(activeBytes);
      } catch (IOException ignored) {
        // the next open seals whatever is there; a torn tail is never read past
      }
      throw new UncheckedIOException("cannot write the journal in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Closes the active file as the newest sealed segment (if it holds anything) and starts a new active file. */
  public synchronized void seal() {
    if (activeBytes == 0) {
      return;
    }
    try {
      active.close();
      Files.move(dir.resolve(ACTIVE), dir.resolve(String.format("%s%012d.log", SEALED_PREFIX, nextSegment++)),
          StandardCopyOption.ATOMIC_MOVE);
      openActive();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot seal the journal in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The sealed segments, oldest first. */
  public synchronized List<Path> sealed() {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith(SEALED_PREFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the journal in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Every intact entry of a segment, in order; reading stops at the first line whose checksum fails. */
  public static List<JsonObject> read(Path segment) {
    List<JsonObject> entries = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(segment, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read journal segment " + segment + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int space = line.indexOf(' ');
      JsonObject entry = space < 0 ? null : parse(line.substring(0, space), line.substring(space + 1));
      if (entry == null) {
        LOG.warn("journal segment {} ends in a torn entry at line {} (written while the process died; never "
            + "acknowledged); {} later line(s) ignored", segment.getFileName(), i + 1, lines.size() - i - 1);
        break;
      }
      entries.add(entry);
    }
    return entries;
  }

  public synchronized void delete(Path segment) {
    try {
      Files.deleteIfExists(segment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete journal segment " + segment + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      active.close();
    } catch (IOException e) {
      LOG.warn("closing the journal in {} failed: {}", dir, e.getMessage());
    }
  }

  private void openActive() throws IOException {
    active = FileChannel.open(dir.resolve(ACTIVE), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    activeBytes = active.size();
  }

  private static JsonObject parse(String crc, String json) {
    try {
      if (Long.parseLong(crc, 16) != crc(json)) {
        return null;
      }
      return new JsonObject(json);
    } catch (NumberFormatException | DecodeException e) {
      return null;
    }
  }

  private static long crc(String json) {
    CRC32 crc = new CRC32();
    crc.update(json.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }

  private static long segmentNumber(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(SEALED_PREFIX.length(), name.length() - ".log".length()));
  }
}
