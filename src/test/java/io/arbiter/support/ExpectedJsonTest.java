package io.arbiter.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Expected JSON with placeholders")
class ExpectedJsonTest {

  private static List<String> compare(String expected, String actual) {
    return ExpectedJson.mismatches(ExpectedJson.values(expected), ExpectedJson.values(actual));
  }

  @Test
  @DisplayName("reads a sequence of JSON values, pretty-printed or one per line")
  void readsASequence() {
    assertThat(ExpectedJson.values("{\n  \"a\": [1, 2]\n}\n{\"b\": null}\n[3] \"x\" 4\n"))
        .containsExactly(new JsonObject().put("a", new JsonArray().add(1).add(2)),
            new JsonObject().putNull("b"), new JsonArray().add(3), "x", 4);
    assertThat(ExpectedJson.values("\n")).isEmpty();
    assertThatThrownBy(() -> ExpectedJson.values("{\"a\": 1}\ncurl: (7) Failed to connect"))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  @DisplayName("\"…\" matches any value, and fixed values must be equal, numbers by value")
  void placeholdersAndFixedValues() {
    assertThat(compare("{\"id\": \"…\", \"n\": 1.0, \"s\": \"ok\"}", "{\"id\": {\"x\": 1}, \"n\": 1, \"s\": \"ok\"}"))
        .isEmpty();
    assertThat(compare("{\"id\": \"…\", \"n\": 2, \"s\": \"ok\"}", "{\"id\": 7, \"n\": 1, \"s\": \"no\"}"))
        .containsExactly("$[0].n: expected 2, got 1", "$[0].s: expected \"ok\", got \"no\"");
  }

  @Test
  @DisplayName("an object lists exactly the fields printed, unless it holds \"…\": \"…\"")
  void fieldSets() {
    assertThat(compare("{\"a\": 1}", "{\"a\": 1, \"b\": 2}")).containsExactly("$[0].b: not expected, got 2");
    assertThat(compare("{\"a\": 1, \"b\": 2}", "{\"a\": 1}")).containsExactly("$[0].b: missing");
    assertThat(compare("{\"a\": 1, \"…\": \"…\"}", "{\"a\": 1, \"b\": 2}")).isEmpty();
    assertThat(compare("{\"a\": null}", "{\"a\": null}")).isEmpty();
  }

  @Test
  @DisplayName("… inside a string stands for any text")
  void wildcardsInText() {
    String expected = "\"sampled … (mean … over … pulls…), only agent\"";
    assertThat(compare(expected, "\"sampled 0.479 (mean 0.625 over 0 pulls, cold-start +0.250), only agent\""))
        .isEmpty();
    assertThat(compare(expected, "\"sampled 0.9 (mean 0.7 over 6 pulls), only agent\"")).isEmpty();
    assertThat(compare(expected, "\"sampled 0.9 (mean 0.7 over 6 pulls), best of 2\"")).hasSize(1);
    assertThat(compare(expected, "12")).hasSize(1);
  }

  @Test
  @DisplayName("arrays match item by item, and so do sequences")
  void arraysAndSequences() {
    assertThat(compare("[1, \"…\"]", "[1, 2]")).isEmpty();
    assertThat(compare("[1]", "[1, 2]")).containsExactly("$[0]: expected 1 item(s), got 2: [1,2]");
    assertThat(compare("{} {}", "{}")).containsExactly("2 JSON value(s) expected, 1 printed");
  }
}
