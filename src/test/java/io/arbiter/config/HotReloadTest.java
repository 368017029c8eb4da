package io.arbiter.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.arbiter.support.Agents;
import io.arbiter.support.Http;
import io.arbiter.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Reloadable keys in the conf file apply without a restart and are audited; others wait for one")
class HotReloadTest {

  private static Path confFile;
  private static TestApp app;

  @BeforeAll
  static void boot() throws Exception {
    confFile = Files.createTempFile("arbiter-conf", ".json");
    Files.writeString(confFile, new JsonObject().put("api", new JsonObject().put("defaultPageSize", 50)).encode());
    app = TestApp.start(confFile, Map.of("config.scanPeriodMs", 200));
  }

  @AfterAll
  static void shutdown() {
    app.close();
  }

  @Test
  @DisplayName("new api.defaultPageSize and routing.learning.exploration take effect and leave config.changed audit "
      + "rows; http.port does not change")
  void reloadableKeyAppliesAndIsAudited() throws Exception {
    Http http = app.http();
    String token = app.tokens().admin("reload");
    for (int i = 0; i < 3; i++) {
      http.post("/api/v1/agents", token, Agents.registration("r-" + i));
    }
    assertThat(http.get("/api/v1/agents", token).json().getJsonArray("items")).hasSize(3);

    Files.writeString(confFile, new JsonObject()
        .put("api", new JsonObject().put("defaultPageSize", 2))
        .put("http", new JsonObject().put("port", 1))
        .put("routing", new JsonObject().put("learning", new JsonObject().put("exploration", 0.25)))
        .encode());

    TestApp.eventually(Duration.ofSeconds(10), "the default page size is 2",
        () -> http.get("/api/v1/agents", token).json().getJsonArray("items").size() == 2);
    TestApp.eventually(Duration.ofSeconds(5), "the change is in audit_log", () -> app.sql(
        "SELECT 1 FROM audit_log WHERE action = 'config.changed' AND target = 'config:api.defaultPageSize'").size() == 1);
    var row = app.sql("SELECT details FROM audit_log WHERE target = 'config:api.defaultPageSize'").iterator().next();
    JsonObject details = (JsonObject) row.getJson("details");
    assertThat(details.getString("from")).isEqualTo("50");
    assertThat(details.getString("to")).isEqualTo("2");
    assertThat(app.sql("SELECT 1 FROM audit_log WHERE target = 'config:http.port'")).isEmpty();
    TestApp.eventually(Duration.ofSeconds(5), "the learning router explores less, and says so", () ->
        http.get("/api/v1/routing/stats?taskType=code-editing", token).json().getDouble("exploration") == 0.25
            && app.sql("SELECT 1 FROM audit_log WHERE target = 'config:routing.learning.exploration'").size() == 1);
    assertThat(http.get("/health/live", null).status()).as("still serving on the old port").isEqualTo(200);
  }

  @Test
  @DisplayName("new request rates apply without a restart: a caller over the reloaded read rate answers 429")
  void rateLimitsReload() throws Exception {
    String token = app.tokens().of("reload-rates", io.arbiter.http.auth.Role.AUDITOR, "reader");
    for (int i = 0; i < 20; i++) {
      assertThat(app.http().get("/api/v1/agents", token).status()).as("within the default read rate").isEqualTo(200);
    }
    Files.writeString(confFile, new JsonObject()
        .put("http", new JsonObject().put("rate", new JsonObject().put("readPerSecond", 1))).encode());
    TestApp.eventually(Duration.ofSeconds(10), "a burst of reads is refused at the reloaded rate", () -> {
      for (int i = 0; i < 5; i++) {
        Http.Reply reply = app.http().get("/api/v1/agents", token);
        if (reply.status() == 429) {
          return "1".equals(reply.header("RateLimit-Limit"));
        }
      }
      return false;
    });
    TestApp.eventually(Duration.ofSeconds(5), "the change is in audit_log", () -> app.sql(
        "SELECT 1 FROM audit_log WHERE action = 'config.changed' AND target = 'config:http.rate.readPerSecond'")
        .size() == 1);

    // the file as the other test expects it; the default read rate is back once a burst passes again
    Files.writeString(confFile, new JsonObject().put("api", new JsonObject().put("defaultPageSize", 50)).encode());
    TestApp.eventually(Duration.ofSeconds(10), "the default read rate is back", () -> java.util.stream.IntStream
        .range(0, 5).allMatch(i -> app.http().get("/api/v1/agents", token).status() == 200));
  }
}
