package io.github.livetrace.examples;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the shaded jar the way the README says, and fetches the trace it tells us to curl. */
class CoffeeShopJarIT {
  private static final Pattern CURL = Pattern.compile("curl -o trace.jfr '(http://[^']+)'");

  @Test
  void theReadmeCommandStartsTheShopAndPrintsAWorkingCurl(@TempDir Path dir) throws Exception {
    Path jar = Path.of("target", "livetrace-example.jar");
    assertTrue(Files.isRegularFile(jar), "build the jar first: " + jar.toAbsolutePath());
    Path log = dir.resolve("out.txt");
    Process shop =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "--port", "0", "--load")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      assertTrue(eventually(60, () -> url(CURL, log) != null), "the demo printed no curl command");
      URI trace = URI.create(url(CURL, log).replace("seconds=5", "seconds=1"));
      HttpResponse<byte[]> r =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(trace).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode());
      assertFalse(events(r.body(), "livetrace.TaskEnd").isEmpty(), "the load generator's orders are in the trace");
    } finally {
      shop.destroy();
      shop.waitFor();
    }
  }

  @Test
  void withFlightRecorderThePrintedWindowCommandWorks(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("out.txt");
    Process shop =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir, // the snapshot store's default place
                "-jar", Path.of("target", "livetrace-example.jar").toString(), "--port", "0", "--load", "--flight-recorder")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      assertTrue(eventually(60, () -> url(WINDOW, log) != null), "the demo printed no window command");
      assertTrue(url(SNAPSHOTS, log) != null, "the demo printed no snapshots command");
      // The customers' orders of the last seconds, however long after they were made.
      assertTrue(eventually(60, () -> !events(get(url(WINDOW, log)).body(), "livetrace.TaskEnd").isEmpty()), "no order in the window");
      assertEquals(200, get(url(SNAPSHOTS, log)).statusCode());
    } finally {
      shop.destroy();
      shop.waitFor();
    }
  }

  private static final Pattern WINDOW = Pattern.compile("curl -o window.jfr '(http://[^']+)'");
  private static final Pattern SNAPSHOTS = Pattern.compile("curl '(http://[^']+/snapshots)'");

  private static HttpResponse<byte[]> get(String url) {
    try {
      return HttpClient.newHttpClient()
          .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String url(Pattern pattern, Path log) {
    try {
      Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  @Test
  void aTakenPortIsOneLineThatNamesThePortOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar", "target/livetrace-example.jar", "--port", Integer.toString(taken.getLocalPort()))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertEquals(2, p.waitFor());
      assertEquals(1, out.lines().count(), out);
      assertTrue(out.contains("port " + taken.getLocalPort() + " is taken") && out.contains("--port N"), out);
    }
  }

  @Test
  void stoppingTheDemoUnderLoadIsQuiet(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("out.txt");
    Process shop =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/livetrace-example.jar", "--port", "0", "--load")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      assertTrue(eventually(60, () -> url(CURL, log) != null), "the demo did not start");
      URI orders = URI.create(url(CURL, log).replaceFirst("/debug/pprof/.*", "/order?drink=latte&name=Ann"));
      assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(orders).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
      String before = Files.readString(log, StandardCharsets.UTF_8);
      shop.destroy(); // SIGTERM, as Ctrl-C or a pod's stop
      assertTrue(shop.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the demo did not stop");
      String after = Files.readString(log, StandardCharsets.UTF_8).substring(before.length());
      assertEquals("", after.strip(), "stopping the demo printed:\n" + after);
    } finally {
      shop.destroyForcibly();
    }
  }

  @Test
  void badArgumentsExitWith2AndUsage() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", "target/livetrace-example.jar", "--port", "x")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.waitFor());
    assertTrue(out.contains("usage:"), out);
  }
}
