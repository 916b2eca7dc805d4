package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;

/** The servlet in a real Jetty server, driven by a real HTTP client. */
class PprofServletTest extends ServletTestSupport {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private TestServer start(PprofServlet servlet) throws Exception {
    return server(servlet);
  }

  private TestServer start(TestServer server) {
    return closing(server);
  }

  private HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(WAIT);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Reads one JFR chunk from a streaming body: the header, then the rest of chunkSize. */
  private static byte[] readChunk(InputStream in) throws IOException {
    byte[] header = in.readNBytes(ChunkHeader.SIZE);
    assertEquals(ChunkHeader.SIZE, header.length, "stream ended before a chunk header");
    ChunkHeader h = ChunkHeader.parse(header, 0).orElseThrow(() -> new AssertionError("not a chunk"));
    byte[] rest = in.readNBytes((int) h.chunkSize() - ChunkHeader.SIZE);
    return ByteBuffer.allocate(header.length + rest.length).put(header).put(rest).array();
  }

  /** The demo's shape of work: a task per order, steps as regions on a pool, with logs. */
  private AtomicBoolean runWorkload() {
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Task.propagating(Executors.newFixedThreadPool(2));
    Thread driver =
        new Thread(
            () -> {
              int n = 0;
              while (!stop.get()) {
                Task order = Trace.newTask("order");
                try (Task.Scope s = order.makeCurrent()) {
                  Trace.log("order", "order " + n++);
                  CompletableFuture.runAsync(() -> Trace.withRegion("brew", () -> sleep(5)), pool).join();
                  try (Region r = Trace.startRegion("serve")) {
                    sleep(2);
                  }
                }
                order.end();
              }
              pool.shutdown();
            },
            "workload");
    driver.start();
    closing(
        () -> {
          stop.set(true);
          driver.join(30_000);
        });
    return stop;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis); // the workload's own work, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void traceArrivesProgressivelyAndHoldsTasksSpanningThreads() throws Exception {
    TestServer server = start(PprofServlet.builder().build());
    runWorkload();
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(server.pprof("trace?seconds=5")).timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("application/octet-stream", response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("attachment; filename=\"trace.jfr\"", response.headers().firstValue("Content-Disposition").orElse(""));
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));

    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (InputStream body = response.body()) {
      byte[] first = readChunk(body);
      assertTrue(Trace.isEnabled(), "the first chunk must arrive while the 5 s trace is still recording");
      assertTrue(jfr(first, "summary").contains("Chunks: 1"));
      all.write(first);
      body.transferTo(all);
    }
    byte[] trace = all.toByteArray();
    assertTrue(chunks(trace).size() >= 5, "a 5 s trace in 1 s chunks");
    String summary = jfr(trace, "summary");
    assertTrue(summary.contains("livetrace.Region"), summary);

    List<RecordedEvent> events = events(trace);
    Map<Long, Set<String>> threadsPerTask =
        events.stream()
            .filter(e -> e.getEventType().getName().startsWith("livetrace.") && e.hasField("taskId"))
            .filter(e -> e.getLong("taskId") != 0)
            .collect(
                Collectors.groupingBy(
                    e -> e.getLong("taskId"),
                    Collectors.mapping(e -> e.getThread().getJavaName(), Collectors.toSet())));
    assertTrue(threadsPerTask.values().stream().anyMatch(t -> t.size() >= 2), "no task spans two threads");
    assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("livetrace.Log")));
    assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("livetrace.TaskEnd")));
  }

  @Test
  void tenConcurrentRequestsGetOneTraceAndNineRetryAfters() throws Exception {
    TestServer server = start(PprofServlet.builder().build());
    List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      responses.add(
          client.sendAsync(
              HttpRequest.newBuilder(server.pprof("trace?seconds=5")).timeout(WAIT).build(),
              HttpResponse.BodyHandlers.ofByteArray()));
    }
    int ok = 0;
    int busy = 0;
    for (CompletableFuture<HttpResponse<byte[]>> f : responses) {
      HttpResponse<byte[]> r = f.get(120, TimeUnit.SECONDS);
      if (r.statusCode() == 200) {
        ok++;
        assertFalse(chunks(r.body()).isEmpty());
      } else {
        assertEquals(429, r.statusCode());
        busy++;
        long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
        assertTrue(new String(r.body()).contains("already running"));
      }
    }
    assertEquals(1, ok);
    assertEquals(9, busy);
  }

  @Test
  void badInputIsA400ThatSaysWhatIsAcceptedAndStartsNothing() throws Exception {
    TestServer server = start(PprofServlet.builder().build());
    long started = TraceStats.startedCount();
    long badRequests = TraceStats.rejectedCount(TraceStats.Rejection.BAD_REQUEST);
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("seconds=abc", "not a number"),
            Map.entry("seconds=", "not a number"),
            Map.entry("seconds=5s", "not a number"),
            Map.entry("seconds=0x10", "not a number"),
            Map.entry("seconds=NaN", "finite"),
            Map.entry("seconds=Inf", "finite"),
            Map.entry("seconds=-Infinity", "finite"),
            Map.entry("seconds=1e400", "finite"),
            Map.entry("seconds=0", "greater than 0"),
            Map.entry("seconds=-1", "greater than 0"),
            Map.entry("seconds=1e-12", "greater than 0"),
            Map.entry("seconds=61", "maximum of 60"),
            Map.entry("settings=..%2F..%2Fetc%2Fpasswd", "choose one of: default, profile"),
            Map.entry("settings=custom", "choose one of: default, profile"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = get(server.pprof("trace?" + c.getKey()));
      assertEquals(400, r.statusCode(), c.getKey());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), c.getKey());
      assertTrue(r.body().contains(c.getValue()), c.getKey() + " -> " + r.body());
      assertTrue(r.body().contains("want a number of seconds") || c.getKey().startsWith("settings"), r.body());
    }
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(server.pprof("trace?seconds=1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
    assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
    assertTrue(post.body().contains("use GET"));

    HttpResponse<String> unknown = get(server.pprof("threadcreate"));
    assertEquals(404, unknown.statusCode());
    assertTrue(unknown.body().startsWith("Unknown profile"));

    assertEquals(started, TraceStats.startedCount(), "a bad request started a trace");
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());
    assertEquals(badRequests + cases.size() + 1, TraceStats.rejectedCount(TraceStats.Rejection.BAD_REQUEST));
  }

  @Test
  void headAnswersWithTheHeadersAndRecordsNothing() throws Exception {
    TestServer server = start(PprofServlet.builder().build());
    long started = TraceStats.startedCount();
    HttpResponse<Void> r =
        client.send(
            HttpRequest.newBuilder(server.pprof("trace?seconds=5")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
    assertEquals(200, r.statusCode());
    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals(started, TraceStats.startedCount());
  }

  @Test
  void indexListsTheTraceAndUnknownNamesAre404() throws Exception {
    TestServer server = start(PprofServlet.builder().build());
    for (String path : List.of("/app/debug/pprof/", "/app/debug/pprof")) {
      HttpResponse<String> r = get(URI.create("http://127.0.0.1:" + server.port() + path));
      assertEquals(200, r.statusCode(), path);
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
      assertTrue(r.body().contains("href=\"/app/debug/pprof/trace?seconds=5\""), r.body());
      assertTrue(r.body().contains("at most 60"), r.body());
    }
  }

  @Test
  void aClientThatDisconnectsStopsItsTraceAndTheNextRequestSucceeds() throws Exception {
    TestServer server = start(PprofServlet.builder().chunkInterval(Duration.ofMillis(200)).build());
    Thread.getAllStackTraces(); // load the classes a later snapshot needs
    for (int cycle = 0; cycle < 20; cycle++) {
      HttpClient oneShot = HttpClient.newHttpClient();
      HttpResponse<InputStream> r =
          oneShot.send(
              HttpRequest.newBuilder(server.pprof("trace?seconds=30")).timeout(WAIT).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      try (InputStream body = r.body()) {
        readChunk(body); // the first chunk, then the client goes away mid-trace
      }
      assertTrue(eventually(30, () -> !Trace.isEnabled()), "cycle " + cycle + ": the trace kept running");
      HttpResponse<byte[]> next =
          client.send(
              HttpRequest.newBuilder(server.pprof("trace?seconds=0.3")).timeout(WAIT).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, next.statusCode(), "cycle " + cycle);
      assertFalse(chunks(next.body()).isEmpty());
    }
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), "chunk files left: " + repositoryChunkFiles());
    assertTrue(
        eventually(30, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("livetrace"))),
        "a pump thread outlived its trace");
  }

  @Test
  void idleTimeoutShorterThanTheTraceDoesNotCutIt() throws Exception {
    TestServer server = start(TestServer.with(PprofServlet.builder().build(), 2_000));
    HttpResponse<byte[]> r =
        client.send(
            HttpRequest.newBuilder(server.pprof("trace?seconds=5")).timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    List<ChunkHeader> chunks = chunks(r.body());
    assertTrue(chunks.size() >= 5, "a 5 s trace was cut to " + chunks.size() + " chunks");
    long covered = chunks.get(chunks.size() - 1).endNanos() - chunks.get(0).startNanos();
    assertTrue(covered >= Duration.ofMillis(4900).toNanos(), "trace covers " + covered + " ns");
  }

  @Test
  void serverStoppingMidTraceEndsItCleanly() throws Exception {
    TestServer server = start(PprofServlet.builder().build()); // closed here, and again after
    HttpResponse<InputStream> r =
        client.send(
            HttpRequest.newBuilder(server.pprof("trace?seconds=60")).timeout(WAIT).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = r.body()) {
      readChunk(body);
      assertTrue(Trace.isEnabled());
      server.close();
      assertTrue(eventually(30, () -> !Trace.isEnabled()), "the trace outlived the server");
      try {
        body.transferTo(OutputStream.nullOutputStream());
      } catch (IOException expected) {
        // the server went away mid-stream; the client sees the cut
      }
    }
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());
  }

  @Test
  void bearerTokenAndAccessCheckGuardEverything() throws Exception {
    TestServer server =
        start(
            PprofServlet.builder()
                .bearerToken("s3cret")
                .accessCheck(req -> !"blocked".equals(req.getHeader("X-User")))
                .build());
    long unauthorized = TraceStats.rejectedCount(TraceStats.Rejection.UNAUTHORIZED);
    HttpResponse<String> none = get(server.pprof("trace?seconds=0.2"));
    assertEquals(401, none.statusCode());
    assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    assertTrue(none.body().contains("Authorization: Bearer"));
    assertEquals(401, get(server.pprof(""), "Authorization", "Bearer wrong").statusCode());
    assertEquals(401, get(server.pprof(""), "Authorization", "Basic czNjcmV0").statusCode());
    assertEquals(unauthorized + 3, TraceStats.rejectedCount(TraceStats.Rejection.UNAUTHORIZED));
    assertFalse(Trace.isEnabled());

    assertEquals(200, get(server.pprof(""), "Authorization", "Bearer s3cret").statusCode());
    HttpResponse<byte[]> trace =
        client.send(
            HttpRequest.newBuilder(server.pprof("trace?seconds=0.2")).header("Authorization", "Bearer s3cret").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, trace.statusCode());
    assertFalse(chunks(trace.body()).isEmpty());

    HttpResponse<String> blocked = get(server.pprof("trace?seconds=0.2"), "Authorization", "Bearer s3cret", "X-User", "blocked");
    assertEquals(403, blocked.statusCode());
    assertTrue(blocked.body().contains("refused"));
  }

  @Test
  void initParametersConfigureAContainerCreatedServlet() throws Exception {
    TestServer server =
        start(
            TestServer.withInitParameters(
                Map.of("max-seconds", "2", "allowed-settings", "default", "chunk-interval", "250ms", "token", "t0k")));
    HttpResponse<String> tooLong = get(server.pprof("trace?seconds=3"), "Authorization", "Bearer t0k");
    assertEquals(400, tooLong.statusCode());
    assertTrue(tooLong.body().contains("maximum of 2"), tooLong.body());
    HttpResponse<String> profile = get(server.pprof("trace?settings=profile"), "Authorization", "Bearer t0k");
    assertEquals(400, profile.statusCode());
    assertTrue(profile.body().contains("choose one of: default"), profile.body());
    HttpResponse<byte[]> ok =
        client.send(
            HttpRequest.newBuilder(server.pprof("trace?seconds=1")).header("Authorization", "Bearer t0k").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, ok.statusCode());
    assertTrue(chunks(ok.body()).size() >= 3, "250 ms chunks over 1 s");
  }

  @Test
  void withoutFlightRecorderTheAnswerIs503() {
    ChildJvm.Result result = ChildJvm.run(List.of("-XX:-FlightRecorder"), Map.of(), NoJfrProbe.class);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("status=503"), result.output());
    assertTrue(result.output().contains("JDK Flight Recorder is not available"), result.output());
  }

  /** Runs in a JVM without JFR: serves the servlet and prints what a trace request gets. */
  public static final class NoJfrProbe {
    public static void main(String[] args) throws Exception {
      try (TestServer server = TestServer.with(PprofServlet.builder().build())) {
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(server.pprof("trace?seconds=1")).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("status=" + r.statusCode() + " body=" + r.body());
      }
    }
  }
}
