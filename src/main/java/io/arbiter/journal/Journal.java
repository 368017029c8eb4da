package io.arbiter.journal;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, fsync'd journal of JSON entries in a directory: what Arbiter accepted while PostgreSQL was away.
 *
 * <p>Entries are appended to {@code active.log}, one line each: the CRC-32 of the JSON's UTF-8 bytes in hex, a space,
 * the JSON. An append returns only after {@link FileChannel#force} (so a 2xx is never answered for an entry that a
 * power cut could take), and the directory itself is forced after a file is created, renamed or deleted. To replay,
 * {@link #seal} renames the active file to {@code sealed-<n>.log} and starts a new one; sealed segments are
 * {@linkplain #reader read} in order, a few entries at a time, and {@link #delete deleted} once every entry in them has
 * landed. A crash during a replay leaves the segment in place, and the next replay starts it again: replays must be
 * idempotent.
 *
 * <p>Segments are read as bytes, line by line: a torn last line (the process died during a write, possibly in the
 * middle of a multi-byte character) fails its checksum and ends the segment; it was never acknowledged, and every
 * intact line before it is read. Blocking file I/O: call it from a worker, never from an event loop. Thread-safe.
 */
public final class Journal implements AutoCloseable {

  /** The longest line read back; a longer one can only be damage, and ends its segment. */
  public static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final String ACTIVE = "active.log";
  private static final String SEALED_PREFIX = "sealed-";

  /** One intact entry and the bytes its line takes on disk. */
  public record Entry(JsonObject json, int bytes) {}

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

  /** Writes the entries and forces them to disk before returning; answers the bytes written. */
  public synchronized long append(List<JsonObject> entries) {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    for (JsonObject entry : entries) {
      byte[] json = entry.encode().getBytes(StandardCharsets.UTF_8);
      lines.writeBytes(Long.toHexString(crc(json, json.length)).getBytes(StandardCharsets.US_ASCII));
      lines.write(' ');
      lines.writeBytes(json);
      lines.write('\n');
    }
    ByteBuffer buffer = ByteBuffer.wrap(lines.toByteArray());
    try {
      while (buffer.hasRemaining()) {
        active.write(buffer);
      }
      active.force(false);
      activeBytes = active.size();
      return lines.size();
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

  /** Every intact entry of a segment, in order, read whole: for tests and small segments. */
  public static List<JsonObject> read(Path segment) {
    List<JsonObject> entries = new ArrayList<>();
    try (Reader reader = reader(segment)) {
      for (List<Entry> batch = reader.next(1024); !batch.isEmpty(); batch = reader.next(1024)) {
        batch.forEach(e -> entries.add(e.json()));
      }
    }
    return entries;
  }

  /** Reads a segment's intact entries a few at a time, so that no segment is ever held in memory whole. */
  public static Reader reader(Path segment) {
    try {
      return new Reader(segment, new BufferedInputStream(Files.newInputStream(segment), 64 * 1024));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read journal segment " + segment + ": " + e.getMessage(), e);
    }
  }

  public synchronized void delete(Path segment) {
    try {
      if (Files.deleteIfExists(segment)) {
        syncDirectory();
      }
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

  /** A segment read line by line; reading ends at the end of the file or at the first damaged line. */
  public static final class Reader implements AutoCloseable {
    private final Path segment;
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int lineNumber;
    private boolean ended;

    private Reader(Path segment, InputStream in) {
      this.segment = segment;
      this.in = in;
    }

    /** Up to {@code max} next intact entries; an empty list once the segment (or its intact part) is read. */
    public List<Entry> next(int max) {
      List<Entry> entries = new ArrayList<>();
      try {
        while (entries.size() < max && !ended) {
          Entry entry = nextEntry();
          if (entry != null) {
            entries.add(entry);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read journal segment " + segment + ": " + e.getMessage(), e);
      }
      return entries;
    }

    private Entry nextEntry() throws IOException {
      line.reset();
      int b;
      boolean tooLong = false;
      while ((b = in.read()) != -1 && b != '\n') {
        if (line.size() < MAX_LINE_BYTES) {
          line.write(b);
        } else {
          tooLong = true;
        }
      }
      if (b == -1 && line.size() == 0) {
        ended = true;
        return null;
      }
      lineNumber++;
      Entry entry = tooLong ? null : parse(line.toByteArray(), line.size() + (b == '\n' ? 1 : 0));
      if (entry == null) {
        ended = true;
        LOG.warn("journal segment {} ends in a damaged or torn entry at line {} (written while the process died; "
            + "never acknowledged); the rest of the segment is ignored", segment.getFileName(), lineNumber);
      }
      return entry;
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        LOG.warn("closing journal segment {} failed: {}", segment.getFileName(), e.getMessage());
      }
    }
  }

  private void openActive() throws IOException {
    boolean created = !Files.exists(dir.resolve(ACTIVE));
    active = FileChannel.open(dir.resolve(ACTIVE), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    activeBytes = active.size();
    if (created) {
      syncDirectory();
    }
  }

  /** Makes a file's creation, rename or deletion durable: on Linux the directory entry is only on disk once forced. */
  private void syncDirectory() {
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      LOG.debug("the file system does not force directory {}: {}", dir, e.getMessage());
    }
  }

  private static Entry parse(byte[] line, int bytes) {
    int space = -1;
    for (int i = 0; i < Math.min(line.length, 17); i++) {
      if (line[i] == ' ') {
        space = i;
        break;
      }
    }
    if (space <= 0) {
      return null;
    }
    try {
      long expected = Long.parseLong(new String(line, 0, space, StandardCharsets.US_ASCII), 16);
      byte[] json = Arrays.copyOfRange(line, space + 1, line.length);
      if (expected != crc(json, json.length)) {
        return null;
      }
      return new Entry(new JsonObject(new String(json, StandardCharsets.UTF_8)), bytes);
    } catch (NumberFormatException | DecodeException e) {
      return null;
    }
  }

  private static long crc(byte[] bytes, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }

  private static long segmentNumber(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(SEALED_PREFIX.length(), name.length() - ".log".length()));
  }
}
