package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.json.schema.common.dsl.SchemaType;
import org.junit.jupiter.api.Test;

class ParameterTextTest {

  @Test
  void keepsWordsAndTextsThatAreNoJsonValueAsStrings() {
    assertThat(ParameterText.value(SchemaType.STRING, "agent_1")).isEqualTo("agent_1");
    assertThat(ParameterText.value(SchemaType.STRING, "12")).isEqualTo("12");
    assertThat(ParameterText.value(SchemaType.STRING, "0b9e8d3c-1f2a-4b5c-8d7e-6f5a4b3c2d1e"))
        .isEqualTo("0b9e8d3c-1f2a-4b5c-8d7e-6f5a4b3c2d1e");
    assertThat(ParameterText.value(SchemaType.STRING, "agent-1.eu")).isEqualTo("agent-1.eu");
  }

  @Test
  void leavesStringTextsThatDecodeAsJsonNumbersOrNeedDecodingToTheContract() {
    assertThat(ParameterText.value(SchemaType.STRING, "-3")).isNull();
    assertThat(ParameterText.value(SchemaType.STRING, "1.5")).isNull();
    assertThat(ParameterText.value(SchemaType.STRING, "1e-5")).isNull();
    assertThat(ParameterText.value(SchemaType.STRING, "a b")).isNull();
    assertThat(ParameterText.value(SchemaType.STRING, "\"a\"")).isNull();
    assertThat(ParameterText.value(SchemaType.STRING, "")).isNull();
  }

  @Test
  void readsCanonicalIntegersUpToNineDigits() {
    assertThat(ParameterText.value(SchemaType.INTEGER, "0")).isEqualTo(0);
    assertThat(ParameterText.value(SchemaType.INTEGER, "-42")).isEqualTo(-42);
    assertThat(ParameterText.value(SchemaType.INTEGER, "999999999")).isEqualTo(999_999_999);
    assertThat(ParameterText.value(SchemaType.INTEGER, "1000000000")).isNull();
    assertThat(ParameterText.value(SchemaType.INTEGER, "01")).isNull();
    assertThat(ParameterText.value(SchemaType.INTEGER, "-0")).isNull();
    assertThat(ParameterText.value(SchemaType.INTEGER, "1.0")).isNull();
  }

  @Test
  void readsBooleansOnlyInLowerCase() {
    assertThat(ParameterText.value(SchemaType.BOOLEAN, "true")).isEqualTo(true);
    assertThat(ParameterText.value(SchemaType.BOOLEAN, "false")).isEqualTo(false);
    assertThat(ParameterText.value(SchemaType.BOOLEAN, "TRUE")).isNull();
    assertThat(ParameterText.value(SchemaType.BOOLEAN, "1")).isNull();
  }

  @Test
  void leavesOtherTypesToTheContract() {
    assertThat(ParameterText.value(SchemaType.NUMBER, "1")).isNull();
    assertThat(ParameterText.value(SchemaType.ARRAY, "a,b")).isNull();
    assertThat(ParameterText.value(SchemaType.OBJECT, "a,b")).isNull();
  }
}
