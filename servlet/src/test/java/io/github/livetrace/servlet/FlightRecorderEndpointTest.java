package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.FlightRecorder;
import io.github.livetrace.FlightRecorderOptions;
import io.github.livetrace.Region;
import io.github.livetrace.Task;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.github.livetrace.Trace;
import io.github.livetrace.servlet.internal.FlightRecorderParameters;
import io.github.livetrace.testing.RawHttp;
import io.github.livetrace.testing.TraceContents;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /debug/pprof/flightrecorder} in a real Jetty, through a real HTTP client. */
class FlightRecorderEndpointTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern JSON_SNAPSHOT =
      Pattern.compile("\\{\"name\":\"([^\"]+)\",\"size\":(\\d+),\"time\":\"([^\"]+)\",\"reason\":\"([^\"]*)\"}");

  @TempDir Path temp;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();

  /** Each test closes its server, which stops the servlet's flight recorder; this is for a test that failed first. */
  @AfterEach
  void stopAnyFlightRecorder() {
    FlightRecorder.current().ifPresent(FlightRecorder::stop);
  }

  private Path store() {
    return temp.resolve("snapshots");
  }

  private FlightRecorderOptions options() {
    return FlightRecorderOptions.defaults()
        .withMinAge(Duration.ofSeconds(2))
        .withSnapshotDirectory(store())
        .withSnapshotDelay(Duration.ofMillis(100))
        .withSnapshotMinInterval(Duration.ZERO);
  }

  private HttpResponse<String> get(URI uri, String... headers) throws Exception {
    return send(uri, HttpResponse.BodyHandlers.ofString(), headers);
  }

  private HttpResponse<byte[]> getBytes(URI uri, String... headers) throws Exception {
    return send(uri, HttpResponse.BodyHandlers.ofByteArray(), headers);
  }

  private <T> HttpResponse<T> send(URI uri, HttpResponse.BodyHandler<T> body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(WAIT);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), body);
  }

  private static Task slowTask(String type, long millis) throws InterruptedException {
    Task task = Trace.newTask(type);
    try (Task.Scope scope = task.makeCurrent(); Region region = Trace.startRegion("servlet-test-region")) {
      Thread.sleep(millis);
    } finally {
      task.end();
    }
    return task;
  }

  @Test
  void theWindowHoldsWhatHappenedBeforeTheGet() throws Exception {
    try (TestServer server = TestServer.with(PprofServlet.builder().flightRecorder(options()).build())) {
      Task before = slowTask("servlet-test-task-before-the-get", 1);

      HttpResponse<byte[]> window = getBytes(server.pprof("flightrecorder"));
      assertEquals(200, window.statusCode());
      assertEquals("application/octet-stream", window.headers().firstValue("Content-Type").orElse(""));
      assertTrue(
          window.headers().firstValue("Content-Disposition").orElse("").matches("attachment; filename=\"flightrecorder-\\d{8}T\\d{6}Z\\.jfr\""),
          window.headers().toString());
      assertEquals("nosniff", window.headers().firstValue("X-Content-Type-Options").orElse(""));
      assertEquals("no-store", window.headers().firstValue("Cache-Control").orElse(""));
      assertFalse(chunks(window.body()).isEmpty());
      TraceContents contents = new TraceContents(window.body());
      assertTrue(contents.ended(before.id()), "the task that ended before the GET is not in the window");
      assertTrue(contents.hasRegion(before.id(), "servlet-test-region"));

      HttpResponse<byte[]> gzipped = getBytes(server.pprof("flightrecorder"), "Accept-Encoding", "gzip");
      assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(""));
      byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes();
      assertTrue(new TraceContents(unzipped).ended(before.id()));

      HttpResponse<byte[]> zstd = getBytes(server.pprof("flightrecorder"), "Accept-Encoding", "deflate, gzip, br, zstd");
      assertEquals("zstd", zstd.headers().firstValue("Content-Encoding").orElse(""));
      assertEquals("Accept-Encoding", zstd.headers().firstValue("Vary").orElse(""));
      byte[] decoded = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(zstd.body())).readAllBytes();
      assertTrue(new TraceContents(decoded).ended(before.id()));
      assertTrue(zstd.body().length < unzipped.length / 3, zstd.body().length + " bytes of zstd for " + unzipped.length);

      HttpResponse<String> head = client.send(
          HttpRequest.newBuilder(server.pprof("flightrecorder")).method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode());
      assertEquals("application/octet-stream", head.headers().firstValue("Content-Type").orElse(""));
    }
  }

  @Test
  void withoutAFlightRecorderTheWindowIs404AndSaysWhatToDo() throws Exception {
    try (TestServer server = TestServer.with(PprofServlet.builder().build())) {
      HttpResponse<String> none = get(server.pprof("flightrecorder"));
      assertEquals(404, none.statusCode());
      assertTrue(none.body().startsWith("no flight recorder is running in this JVM"), none.body());
      assertEquals(404, get(server.pprof("flightrecorder/other")).statusCode());
    }
  }

  @Test
  void oneDownloadOfTheWindowAtATime() throws Exception {
    try (TestServer server = TestServer.withSmallSendBuffer(PprofServlet.builder().flightRecorder(options()).build())) {
      String padding = "z".repeat(1000);
      for (int i = 0; i < 500; i++) {
        Trace.log("servlet-test", padding); // half a megabyte, far more than the sockets buffer
      }
      try (RawHttp stalled = new RawHttp(server.port(), 4096)) {
        stalled.send("GET", "/app/debug/pprof/flightrecorder").readHead();
        assertEquals(200, stalled.status);
        HttpResponse<String> busy = get(server.pprof("flightrecorder"));
        assertEquals(429, busy.statusCode(), busy.body());
        assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
        assertTrue(busy.body().contains("another download of the flight recorder's window is running"), busy.body());
      }
      // The client went away: the write fails at its next chunk and frees the slot.
      assertTrue(eventually(60, () -> {
        try {
          return getBytes(server.pprof("flightrecorder")).statusCode() == 200;
        } catch (Exception e) {
          return false;
        }
      }), "the slot was not freed");
    }
  }

  @Test
  void snapshotsAreListedAsTextAndJsonAndDownloadedAndOnTheIndex() throws Exception {
    try (TestServer server =
        TestServer.with(PprofServlet.builder().flightRecorder(options().withSnapshotOnSlowTask("servlet-test-slow", Duration.ofMillis(30))).build())) {
      Task slow = slowTask("servlet-test-slow", 60);
      assertTrue(eventually(60, () -> FlightRecorder.current().orElseThrow().snapshots().size() == 1), "no snapshot");

      HttpResponse<String> json = get(server.pprof("flightrecorder/snapshots"), "Accept", "application/json");
      assertEquals(200, json.statusCode());
      assertEquals("application/json", json.headers().firstValue("Content-Type").orElse(""));
      Matcher m = JSON_SNAPSHOT.matcher(json.body());
      assertTrue(m.find(), json.body());
      String name = m.group(1);
      String size = m.group(2);
      assertTrue(name.contains("_slow_servlet-test-slow_" + slow.id() + "_"), name);
      assertTrue(m.group(3).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"), m.group(3));
      assertTrue(m.group(4).startsWith("slow task servlet-test-slow (id " + slow.id() + ") took "), m.group(4));
      assertFalse(m.find(), "more than one snapshot: " + json.body());

      HttpResponse<String> text = get(server.pprof("flightrecorder/snapshots"));
      assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertTrue(text.body().startsWith("1 snapshot, newest first"), text.body());
      assertTrue(text.body().contains(name + "  " + size + " bytes  "), text.body());

      HttpResponse<byte[]> download = getBytes(server.pprof("flightrecorder/snapshots/" + name));
      assertEquals(200, download.statusCode());
      assertEquals(Long.parseLong(size), download.body().length);
      assertEquals(size, download.headers().firstValue("Content-Length").orElse(""));
      assertEquals("attachment; filename=\"" + name + "\"", download.headers().firstValue("Content-Disposition").orElse(""));
      TraceContents contents = new TraceContents(download.body());
      assertTrue(contents.ended(slow.id()));
      HttpResponse<byte[]> zstd = getBytes(server.pprof("flightrecorder/snapshots/" + name), "Accept-Encoding", "zstd");
      assertEquals("zstd", zstd.headers().firstValue("Content-Encoding").orElse(""));
      assertArrayEquals(download.body(), new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(zstd.body())).readAllBytes());
      assertTrue(contents.hasRegion(slow.id(), "servlet-test-region"));

      String index = get(server.pprof("")).body();
      assertTrue(index.contains("href=\"/app/debug/pprof/flightrecorder/snapshots/" + name + "\""), index);
      assertTrue(index.contains("href=\"/app/debug/pprof/flightrecorder/snapshots\""), index);
    }
  }

  @Test
  void badSnapshotNamesAre400MissingOnes404AndNoFileOutsideTheStoreIsServed() throws Exception {
    try (TestServer server = TestServer.with(PprofServlet.builder().flightRecorder(options()).build())) {
      FlightRecorder.current().orElseThrow().snapshot("kept").get();
      String secret = "outside-the-store-" + System.nanoTime();
      Path outside = Files.writeString(temp.resolve("secret.txt"), secret);
      Files.writeString(store().resolve("notes.txt"), secret);
      Files.createSymbolicLink(store().resolve("20261130T141205.337Z_link.jfr"), outside);

      Map<String, Integer> expected = new HashMap<>();
      expected.put("notes.txt", 400);
      expected.put("a/b", 400);
      expected.put(".livetrace-1.tmp", 400);
      expected.put("20261130T141205.337Z_missing.jfr", 404);
      expected.put("20261130T141205.337Z_link.jfr", 404);
      for (Map.Entry<String, Integer> e : expected.entrySet()) {
        Raw r = rawGet(server, "/app/debug/pprof/flightrecorder/snapshots/" + e.getKey());
        assertEquals((int) e.getValue(), r.status(), e.getKey() + ": " + r.body());
        assertFalse(r.body().contains(secret), e.getKey() + " served a file outside the store");
        assertTrue(r.body().contains(e.getValue() == 400 ? "is not a snapshot name" : "no snapshot named"), e.getKey() + ": " + r.body());
      }
      // Paths that try to climb out: refused by the container or the servlet, never with the file.
      for (String path : new String[] {"..%2F..%2Fsecret.txt", "%2e%2e/%2e%2e/secret.txt", "..%5C..%5Csecret.txt", "../../secret.txt", "..", "%2e%2e"}) {
        Raw r = rawGet(server, "/app/debug/pprof/flightrecorder/snapshots/" + path);
        assertFalse(r.body().contains(secret), path + " served a file outside the store");
        assertTrue(r.status() >= 400 || r.body().startsWith("FLR\0"), path + ": " + r.status() + " " + r.body());
      }
    }
  }

  record Raw(int status, String body) {}

  /** A request line sent as is, which an HTTP client would normalise; the whole answer read. */
  private static Raw rawGet(TestServer server, String path) throws Exception {
    try (RawHttp raw = new RawHttp(server.port(), 0)) {
      raw.send("GET", path, "Connection: close").readHead();
      byte[] rest = raw.readRest();
      return new Raw(raw.status, new String(rest, StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void initParametersStartTheFlightRecorderAndDestroyLeavesNothing() throws Exception {
    Map<String, String> params = new HashMap<>();
    params.put("flight-recorder", "true");
    params.put("flight-recorder.min-age", "2s");
    params.put("flight-recorder.max-bytes", "2MB");
    params.put("flight-recorder.snapshots.directory", store().toString());
    params.put("flight-recorder.snapshots.max-count", "3");
    params.put("flight-recorder.snapshots.min-interval", "0s");
    params.put("flight-recorder.snapshots.delay", "0s");
    params.put("flight-recorder.snapshots.slow-tasks", "servlet-init-slow=20ms, other=1s");
    TestServer server = TestServer.withInitParameters(params);
    try {
      assertEquals(200, get(server.pprof("")).statusCode()); // the container initializes the servlet
      FlightRecorder recorder = FlightRecorder.current().orElseThrow();
      assertTrue(recorder.isEnabled());
      assertEquals(Duration.ofSeconds(2), recorder.options().minAge());
      assertEquals(2L << 20, recorder.options().maxBytes());
      assertEquals(3, recorder.options().maxSnapshots());
      assertEquals(Map.of("servlet-init-slow", Duration.ofMillis(20), "other", Duration.ofSeconds(1)), recorder.slowTasks());
      slowTask("servlet-init-slow", 40);
      assertTrue(eventually(60, () -> recorder.snapshots().size() == 1), "no snapshot");
      assertEquals(200, get(server.pprof("flightrecorder")).statusCode());
    } finally {
      server.close();
    }
    assertFalse(FlightRecorder.current().orElseThrow().isEnabled(), "destroy did not stop the flight recorder");
    assertTrue(jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().isEmpty(), "a recording was left");
    assertTrue(eventually(30, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("livetrace-flight"))));
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "files left: " + repositoryChunkFiles());
  }

  @Test
  void badInitParametersNameTheParameter() {
    Map<String, String> p = new HashMap<>();
    p.put("flight-recorder", "yes");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FlightRecorderParameters.parse(p::get)).getMessage().contains("true or false"));
    p.put("flight-recorder", "false");
    p.put("flight-recorder.min-age", "5s");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FlightRecorderParameters.parse(p::get)).getMessage().contains("is not true"));
    p.put("flight-recorder", "true");
    p.put("flight-recorder.min-age", "5 parsecs");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FlightRecorderParameters.parse(p::get)).getMessage().startsWith("init-parameter flight-recorder.min-age:"));
    p.put("flight-recorder.min-age", "5s");
    p.put("flight-recorder.max-bytes", "lots");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FlightRecorderParameters.parse(p::get)).getMessage().contains("KB, MB or GB"));
    p.remove("flight-recorder.max-bytes");
    p.put("flight-recorder.snapshots.slow-tasks", "http.server.requests");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FlightRecorderParameters.parse(p::get)).getMessage().contains("type=threshold"));
    p.put("flight-recorder.snapshots.slow-tasks", "http.server.requests=2s");
    assertEquals(Map.of("http.server.requests", Duration.ofSeconds(2)), FlightRecorderParameters.parse(p::get).slowTasks());
    assertEquals(Duration.ofSeconds(5), FlightRecorderParameters.parse(p::get).minAge());
  }
}
