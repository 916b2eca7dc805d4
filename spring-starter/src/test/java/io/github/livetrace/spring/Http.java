package io.github.livetrace.spring;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.springframework.core.env.Environment;

/**
 * A real HTTP client against the embedded server. The JDK's, because Boot's test clients moved
 * between Boot 3.5 and 4.0 and these tests run on both.
 */
final class Http {
  /** Generous: the tests run on busy two-core machines. */
  static final Duration WAIT = Duration.ofSeconds(60);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();

  private Http() {}

  /** {@code http://127.0.0.1:<port>} of the application ({@code local.server.port}). */
  static String app(Environment environment) {
    return "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port");
  }

  /** {@code http://127.0.0.1:<port>} of the management server ({@code local.management.port}). */
  static String management(Environment environment) {
    return "http://127.0.0.1:" + environment.getRequiredProperty("local.management.port");
  }

  static HttpResponse<String> get(String url, String... headers) throws Exception {
    return CLIENT.send(request(url, headers), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> getBytes(String url, String... headers) throws Exception {
    return CLIENT.send(request(url, headers), HttpResponse.BodyHandlers.ofByteArray());
  }

  static CompletableFuture<HttpResponse<byte[]>> getBytesAsync(String url, String... headers) {
    return CLIENT.sendAsync(request(url, headers), HttpResponse.BodyHandlers.ofByteArray());
  }

  static String[] bearer(String token) {
    return new String[] {"Authorization", "Bearer " + token};
  }

  static String[] basic(String user, String password) {
    String pair = user + ":" + password;
    return new String[] {
      "Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))
    };
  }

  private static HttpRequest request(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return b.build();
  }
}
