package io.arbiter.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.audit.LogRedaction;
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

  @Test
  @DisplayName("a database description shows user, host, port and database, and a password only as ****")
  void describeShowsTheAddress() {
    ArbiterConfig.Db configured = new ArbiterConfig.Db("", "db.internal", 5433, "orders", "app", "s3cret", 4, 1000,
        0, 256);
    assertThat(Database.describe(configured)).isEqualTo("postgresql://app:****@db.internal:5433/orders");
    ArbiterConfig.Db embedded = new ArbiterConfig.Db("", "localhost", 54329, "postgres", "postgres", "", 4, 1000,
        54329, 256);
    assertThat(Database.describe(embedded)).isEqualTo("postgresql://postgres@localhost:54329/postgres");
  }

  @Test
  @DisplayName("the start-up line keeps the database address readable through the log encoder's redaction")
  void startupLineSurvivesLogRedaction() {
    LogRedaction encoder = new LogRedaction();
    String embedded = "Arbiter serving on port 8080 (mode dev, database embedded "
        + "postgresql://postgres@localhost:54329/postgres)";
    assertThat(encoder.mask(null, embedded)).as("left as it is").isNull();
    String external = "Arbiter serving on port 8080 (mode prod, database postgresql://arbiter:s3cret@db:5432/arbiter)";
    assertThat(encoder.mask(null, external))
        .isEqualTo("Arbiter serving on port 8080 (mode prod, database postgresql://arbiter:****@db:5432/arbiter)");
    String described = "database " + Database.describe(new ArbiterConfig.Db("", "db", 5432, "arbiter", "arbiter",
        "s3cret", 4, 1000, 0, 256)) + ")";
    assertThat(encoder.mask(null, described)).as("an address already masked is left as it is").isNull();
  }
}
