package io.arbiter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arbiter.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Transport: TLS, HSTS, CORS and the /metrics token")
class TransportSecurityTest {

  private static final String TOKEN = "metrics-token-0123456789abcdefghijklmnop";
  private static final String ORIGIN = "https://console.example.com";

  private static Vertx vertx;
  private static TestApp tls;
  private static TestApp plain;

  @BeforeAll
  static void boot() {
    vertx = Vertx.vertx();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    tls = TestApp.start(Map.of("http.tls.certPath", certificate.certificatePath(),
        "http.tls.keyPath", certificate.privateKeyPath(), "http.metricsToken", TOKEN,
        "http.cors.allowedOrigins", ORIGIN + ", http://localhost:5173"));
    plain = TestApp.start();
  }

  @AfterAll
  static void shutdown() {
    tls.close();
    plain.close();
    vertx.close();
  }

  @Test
  @DisplayName("with a certificate and key, the API answers over HTTPS with HSTS (HTTP/2 by ALPN) and not over HTTP")
  void servesHttpsWithHsts() {
    HttpClientOptions https = new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2);
    Reply live = send(https, tls, HttpMethod.GET, "/health/live", Map.of());
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.response().version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(live.response().getHeader("Strict-Transport-Security")).isEqualTo(HttpVerticle.HSTS);
    assertThat(live.response().getHeader("X-Frame-Options")).isEqualTo("DENY");
    assertThatThrownBy(() -> send(new HttpClientOptions(), tls, HttpMethod.GET, "/health/live", Map.of()))
        .as("plain HTTP to the TLS port gets no answer");
  }

  @Test
  @DisplayName("without TLS, no Strict-Transport-Security header is sent")
  void noHstsOverPlainHttp() {
    Reply live = send(new HttpClientOptions(), plain, HttpMethod.GET, "/health/live", Map.of());
    assertThat(live.status()).isEqualTo(200);
    assertThat(live.response().getHeader("Strict-Transport-Security")).isNull();
    assertThat(live.response().getHeader("X-Frame-Options")).isEqualTo("DENY");
  }

  @Test
  @DisplayName("/metrics with a token set answers 401 with a problem body without it or with a wrong one, 200 with it")
  void metricsNeedTheirToken() {
    HttpClientOptions https = new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false);
    Reply none = send(https, tls, HttpMethod.GET, "/metrics", Map.of());
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.response().getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(new JsonObject(none.body()).getString("detail")).contains("http.metricsToken").doesNotContain(TOKEN);
    Reply wrong = send(https, tls, HttpMethod.GET, "/metrics", Map.of("Authorization", "Bearer " + TOKEN + "x"));
    assertThat(wrong.status()).isEqualTo(401);
    Reply right = send(https, tls, HttpMethod.GET, "/metrics", Map.of("Authorization", "Bearer " + TOKEN));
    assertThat(right.status()).isEqualTo(200);
    assertThat(right.body()).contains("arbiter_breaker_state");
    assertThat(send(new HttpClientOptions(), plain, HttpMethod.GET, "/metrics", Map.of()).status())
        .as("no token configured: open, as in dev mode").isEqualTo(200);
  }

  @Test
  @DisplayName("a browser preflight from an allowed origin is answered without a token; other origins get no grant")
  void corsForConfiguredOriginsOnly() {
    HttpClientOptions https = new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false);
    Map<String, String> preflight = Map.of("Origin", ORIGIN, "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "authorization,content-type");
    Reply allowed = send(https, tls, HttpMethod.OPTIONS, "/api/v1/tasks", preflight);
    assertThat(allowed.status()).isBetween(200, 204);
    assertThat(allowed.response().getHeader("Access-Control-Allow-Origin")).isEqualTo(ORIGIN);
    assertThat(allowed.response().getHeader("Access-Control-Allow-Methods")).contains("POST");

    Reply other = send(https, tls, HttpMethod.OPTIONS, "/api/v1/tasks",
        Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "POST"));
    assertThat(other.response().getHeader("Access-Control-Allow-Origin")).isNull();
    assertThat(other.status()).isEqualTo(403);

    Reply unconfigured = send(new HttpClientOptions(), plain, HttpMethod.OPTIONS, "/api/v1/tasks", preflight);
    assertThat(unconfigured.response().getHeader("Access-Control-Allow-Origin")).isNull();
  }

  private record Reply(HttpClientResponse response, int status, String body) {}

  private static Reply send(HttpClientOptions options, TestApp app, HttpMethod method, String path,
                            Map<String, String> headers) {
    HttpClient client = vertx.createHttpClient(options.setConnectTimeout(5000).setIdleTimeout(5));
    try {
      RequestOptions request = new RequestOptions().setMethod(method).setHost("localhost")
          .setPort(app.arbiter().port()).setURI(path).setIdleTimeout(3000);
      headers.forEach(request::putHeader);
      return TestApp.await(client.request(request).compose(r -> r.send().compose(
          response -> response.body().map(body -> new Reply(response, response.statusCode(), body.toString())))));
    } finally {
      client.close();
    }
  }
}
