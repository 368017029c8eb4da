package io.arbiter.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The journal keeps entries on disk in order, and a torn write never hides an acknowledged entry")
class JournalTest {

  @TempDir
  Path dir;

  private static JsonObject entry(int n) {
    return new JsonObject().put("kind", "submit").put("n", n).put("text", "é ünïcode " + n);
  }

  @Test
  @DisplayName("sealed segments return every entry in order, and a deleted segment is gone")
  void sealReadDelete() {
    Journal journal = Journal.open(dir);
    journal.append(List.of(entry(1), entry(2)));
    journal.append(List.of(entry(3)));
    journal.seal();
    journal.append(List.of(entry(4)));
    journal.seal();
    List<Path> sealed = journal.sealed();
    assertThat(sealed).hasSize(2);
    assertThat(Journal.read(sealed.get(0))).extracting(e -> e.getInteger("n")).containsExactly(1, 2, 3);
    assertThat(Journal.read(sealed.get(1))).extracting(e -> e.getInteger("n")).containsExactly(4);
    journal.delete(sealed.get(0));
    assertThat(journal.sealed()).containsExactly(sealed.get(1));
    journal.close();
  }

  @Test
  @DisplayName("entries left by a process that died are sealed at the next open, and a torn last line is dropped")
  void reopenAfterCrash() throws Exception {
    Journal first = Journal.open(dir);
    first.append(List.of(entry(1), entry(2)));
    first.close();
    Files.writeString(dir.resolve("active.log"), "1234abcd {\"kind\":\"sub", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);

    Journal second = Journal.open(dir);
    second.append(List.of(entry(3)));
    second.seal();
    List<Path> sealed = second.sealed();
    assertThat(sealed).hasSize(2);
    assertThat(Journal.read(sealed.get(0))).extracting(e -> e.getInteger("n")).containsExactly(1, 2);
    assertThat(Journal.read(sealed.get(1))).extracting(e -> e.getInteger("n")).containsExactly(3);
    second.close();
  }

  @Test
  @DisplayName("a line whose checksum does not match ends the segment")
  void checksumMismatch() throws Exception {
    Journal journal = Journal.open(dir);
    journal.append(List.of(entry(1), entry(2)));
    journal.seal();
    Path segment = journal.sealed().get(0);
    String text = Files.readString(segment).replace("\"n\":2", "\"n\":7");
    Files.writeString(segment, text);
    assertThat(Journal.read(segment)).extracting(e -> e.getInteger("n")).containsExactly(1);
    journal.close();
  }

  @Test
  @DisplayName("sealing an empty journal creates no segment")
  void sealEmpty() {
    Journal journal = Journal.open(dir);
    journal.seal();
    assertThat(journal.sealed()).isEmpty();
    journal.close();
  }

  @Test
  @DisplayName("a segment cut inside a multi-byte character keeps every intact entry before the cut")
  void tornMultiByteTail() throws Exception {
    Journal first = Journal.open(dir);
    first.append(List.of(entry(1), entry(2)));
    first.close();
    byte[] json = entry(3).encode().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(json);
    byte[] whole = (Long.toHexString(crc.getValue()) + " " + entry(3).encode() + "\n").getBytes(StandardCharsets.UTF_8);
    int cut = new String(whole, StandardCharsets.UTF_8).indexOf('é') + 1;
    Files.write(dir.resolve("active.log"), Arrays.copyOf(whole, cut), StandardOpenOption.APPEND);

    Journal second = Journal.open(dir);
    List<Path> sealed = second.sealed();
    assertThat(sealed).hasSize(1);
    assertThat(Journal.read(sealed.get(0))).extracting(e -> e.getInteger("n")).containsExactly(1, 2);
    second.close();
  }

  @Test
  @DisplayName("a reader hands out a segment a few entries at a time, with the bytes each takes on disk")
  void readsInBatches() throws Exception {
    Journal journal = Journal.open(dir);
    long written = journal.append(List.of(entry(1), entry(2), entry(3), entry(4), entry(5)));
    journal.seal();
    Path segment = journal.sealed().get(0);
    assertThat(written).isEqualTo(Files.size(segment));
    try (Journal.Reader reader = Journal.reader(segment)) {
      assertThat(reader.next(2)).extracting(e -> e.json().getInteger("n")).containsExactly(1, 2);
      List<Journal.Entry> rest = reader.next(10);
      assertThat(rest).extracting(e -> e.json().getInteger("n")).containsExactly(3, 4, 5);
      assertThat(reader.next(10)).isEmpty();
    }
    try (Journal.Reader reader = Journal.reader(segment)) {
      assertThat(reader.next(10).stream().mapToLong(Journal.Entry::bytes).sum()).isEqualTo(written);
    }
    journal.close();
  }
}
