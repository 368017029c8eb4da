package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.config.ArbiterConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Database passwords are masked")
class SecretsTest {

  @Test
  @DisplayName("in URLs and key=value text")
  void masksPasswords() {
    assertThat(Secrets.mask("cannot reach postgresql://arbiter:s3cret@db:5432/arbiter"))
        .isEqualTo("cannot reach postgresql://arbiter:****@db:5432/arbiter");
    assertThat(Secrets.mask("user=arbiter password=s3cret host=db")).doesNotContain("s3cret");
  }

  @Test
  @DisplayName("a database description never shows the password")
  void describeHidesPassword() {
    ArbiterConfig.Db db = new ArbiterConfig.Db("postgresql://arbiter:s3cret@db:5432/arbiter", "", 5432, "", "", "",
        4, 1000, 0, 256);
    assertThat(Database.describe(db)).isEqualTo("postgresql://arbiter:****@db:5432/arbiter");
  }
}
