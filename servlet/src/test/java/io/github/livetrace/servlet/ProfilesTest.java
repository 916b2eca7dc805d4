package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.github.livetrace.Trace;
import io.github.livetrace.internal.pprof.ProfileRecording;
import io.github.livetrace.testing.ChildJvm;
import io.github.livetrace.testing.GoPprof;
import io.github.livetrace.testing.GoPprof.Raw;
import io.github.livetrace.testing.HeadlessChromium;
import io.github.livetrace.testing.RawHttp;
import io.github.livetrace.testing.Workload;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The profiles of {@code /debug/pprof/} in a real Jetty, fetched by the real client, {@code go
 * tool pprof}, and read back with its {@code -raw} output; flame graphs in headless Chromium.
 * Profiles are 1 to 2 s long.
 */
class ProfilesTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static TestServer server;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    // JFR's profiles; async-profiler's are AsyncProfilerTest's.
    server = TestServer.with(PprofServlet.builder().profiler("jfr").build());
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    Trace.stop();
    assertTrue(eventually(30, () -> profileRecordings().isEmpty()), "a profile recording was left: " + profileRecordings());
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "chunk files left: " + repositoryChunkFiles());
  }

  private Workload workload() {
    Workload w = new Workload();
    toClose.add(w);
    return w;
  }

  private String url(String path) {
    return server.pprof(path).toString();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.pprof(path)).timeout(WAIT);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * Reads a trace that ran alongside a profile to its end. (A trace client that leaves after
   * other recordings came and went leaves chunk files behind on JDK 25: a trace matter, not a
   * profile's, reported apart.)
   */
  private static void readToTheEnd(HttpResponse<InputStream> trace) throws IOException {
    try (InputStream body = trace.body()) {
      assertFalse(chunks(body.readAllBytes()).isEmpty());
    }
  }

  private static List<String> profileRecordings() {
    return FlightRecorder.getFlightRecorder().getRecordings().stream()
        .map(Recording::getName)
        .filter(n -> n.startsWith("livetrace ") && !n.equals("livetrace warm-up"))
        .collect(Collectors.toList());
  }

  @Test
  void cpuProfileHoldsCpuSamplesOnlyAndTheBurningMethodDominates() throws Exception {
    workload().start("burner", 1, Workload::burnCpu).waitInAccept("acceptor");
    // A trace with the default settings samples threads in native code (jdk.NativeMethodSample)
    // into the chunks the profile shares; the acceptor, waiting in accept(), must not count as CPU.
    HttpResponse<InputStream> trace =
        client.send(HttpRequest.newBuilder(server.pprof("trace?seconds=4")).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, trace.statusCode());
    toClose.add(() -> readToTheEnd(trace));

    Raw raw = GoPprof.raw(url("profile?seconds=2"));

    assertEquals(List.of("samples/count", "cpu/nanoseconds"), raw.sampleTypes());
    assertEquals("cpu nanoseconds", raw.periodType());
    assertEquals(10_000_000, raw.period());
    long all = raw.total("cpu/nanoseconds");
    long burning = raw.total("cpu/nanoseconds", "Workload.burnCpu");
    assertTrue(burning > all / 2, "burnCpu has " + burning + " of " + all + " ns:" + raw.top("cpu/nanoseconds"));
    assertEquals(0, raw.total("samples/count", "acceptConnection"), "a thread waiting in accept() is not on a CPU");
    String source = ProfileRecording.cpuTimeSampling() ? "jdk.CPUTimeSample" : "jdk.ExecutionSample";
    assertTrue(raw.comments().stream().anyMatch(c -> c.startsWith(source)), raw.comments().toString());
    boolean blindToStubs = !ProfileRecording.cpuTimeSampling() && Runtime.version().feature() < 25;
    assertEquals(blindToStubs,
        raw.comments().stream().anyMatch(c -> c.contains("drops every sample of a thread in a stub, an intrinsic or a VM leaf call")),
        "a JFR CPU profile before JDK 25 says what it cannot see: " + raw.comments());
    String top = GoPprof.run(url("profile?seconds=1"), "-top");
    assertTrue(top.contains("Type: cpu"), top);
  }

  @Test
  void allocationProfileIsDominatedByTheAllocatingMethod() throws Exception {
    workload().start("allocator", 1, Workload::allocateArrays);
    Raw raw = GoPprof.raw(url("allocs?seconds=2"));
    assertEquals(List.of("samples/count", "alloc_space/bytes"), raw.sampleTypes());
    long all = raw.total("alloc_space/bytes");
    long allocating = raw.total("alloc_space/bytes", "Workload.allocateArrays");
    assertTrue(allocating > all / 2, "allocateArrays has " + allocating + " of " + all + " bytes:" + raw.top("alloc_space/bytes"));
    assertTrue(
        raw.samples().stream().anyMatch(s -> s.stack().get(0).endsWith("allocateArrays") && "long[]".equals(s.labels().get("objectClass"))),
        "the allocated class is a label of the sample");
    assertTrue(GoPprof.run(url("allocs?seconds=1"), "-top").contains("Type: alloc_space"));
  }

  @Test
  void mutexProfileShowsTheContendedMonitorAndLockAndBlockProfileTheWaits() throws Exception {
    workload()
        .start("monitor", 4, Workload::enterMonitor)
        .start("lock", 2, Workload::lockReentrant) // one waits at a time, where three wait for the monitor
        .start("await", 1, Workload::awaitCondition)
        .start("sleeper", 1, Workload::sleepALot);
    // Two kinds at once: each kind has its own slot.
    CompletableFuture<Raw> block = CompletableFuture.supplyAsync(() -> GoPprof.raw(url("block?seconds=2")));
    Raw mutex = GoPprof.raw(url("mutex?seconds=2"));

    assertEquals(List.of("contentions/count", "delay/nanoseconds"), mutex.sampleTypes());
    long all = mutex.total("delay/nanoseconds");
    long monitor = mutex.total("delay/nanoseconds", "Workload.enterMonitor");
    assertTrue(monitor > all / 2, "the contended monitor has " + monitor + " of " + all + " ns:" + mutex.top("delay/nanoseconds"));
    assertTrue(mutex.total("contentions/count", "Workload.lockReentrant") > 0, "ReentrantLock contention is mutex contention");
    assertEquals(0, mutex.total("contentions/count", "Workload.awaitCondition"), "waiting on a condition is not contention");
    assertEquals(0, mutex.total("contentions/count", "Workload.sleepALot"));

    Raw blocked = block.get(120, TimeUnit.SECONDS);
    assertEquals(List.of("contentions/count", "delay/nanoseconds"), blocked.sampleTypes());
    assertTrue(blocked.total("delay/nanoseconds", "Workload.sleepALot") > 0, "sleep blocks");
    assertTrue(blocked.total("delay/nanoseconds", "Workload.awaitCondition") > 0, "a condition wait blocks");
    assertTrue(blocked.total("delay/nanoseconds", "Workload.enterMonitor") > 0, "entering a monitor blocks");
    assertTrue(
        blocked.samples().stream().anyMatch(s -> "jdk.ThreadSleep".equals(s.labels().get("event"))),
        "samples say which event they come from");
  }

  @Test
  void heapProfileSamplesLiveObjectsWithTheirAllocationStacks() throws Exception {
    workload().start("retainer", 1, Workload::retainObjects);
    Raw raw = GoPprof.raw(url("heap?seconds=2&gc=1"));
    boolean sized = // jdk.OldObjectSample has had objectSize since JDK 18
        FlightRecorder.getFlightRecorder().getEventTypes().stream()
            .anyMatch(t -> t.getName().equals("jdk.OldObjectSample") && t.getField("objectSize") != null);
    assertEquals(sized ? List.of("samples/count", "space/bytes") : List.of("samples/count"), raw.sampleTypes());
    long retained = raw.total("samples/count", "Workload.retainObjects");
    System.out.printf("heap: %d of %d live samples from retainObjects%n", retained, raw.total("samples/count"));
    assertTrue(retained > raw.total("samples/count") / 2, "retainObjects has " + retained + " of " + raw.total("samples/count") + " live samples");
    assertTrue(raw.samples().stream().anyMatch(s -> "long[]".equals(s.labels().get("objectClass"))), raw.samples().toString());
    if (sized) {
      assertTrue(raw.total("space/bytes", "Workload.retainObjects") >= retained * 128 * 8, "each sample is a long[128]");
    }
    assertTrue(raw.comments().get(0).contains("not a heap dump"), raw.comments().toString());
  }

  @Test
  void flameGraphRendersInChromiumAndNamesTheHotMethod() throws Exception {
    workload().start("burner", 1, Workload::burnCpu);
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      HeadlessChromium.Page page = chromium.open(server.pprof("profile?seconds=2&format=html"));
      String title = page.evaluate("document.querySelector('h1').textContent");
      assertTrue(title.startsWith("CPU"), title);
      // The page draws on a canvas: count what it drew, then hover the hot frame as a user would.
      String drawn =
          page.evaluate(
              "(() => { const d = c.getImageData(0, 0, canvas.width, canvas.height).data; let n = 0;"
                  + " for (let i = 0; i < d.length; i += 4) { if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++; }"
                  + " return String(n); })()");
      assertTrue(Long.parseLong(drawn) > 1000, drawn + " pixels drawn");
      String status =
          page.evaluate(
              "(() => { const f = levels.flat().find(f => f.title.endsWith('Workload.burnCpu'));"
                  + " if (!f) return 'no frame'; const r = canvas.getBoundingClientRect();"
                  + " const x = r.left + (f.left - root.left + f.width / 2) * px;"
                  + " const y = r.top + canvasHeight - (f.level + 1) * 16 + 8;"
                  + " canvas.dispatchEvent(new MouseEvent('mousemove', {clientX: x, clientY: y, bubbles: true}));"
                  + " return document.getElementById('status').textContent; })()");
      assertTrue(status.startsWith("Function: io.github.livetrace.testing.Workload.burnCpu"), status);
      double percent = Double.parseDouble(status.replaceAll("(?s).*, ([0-9.]+)%\\)$", "$1"));
      assertTrue(percent > 50, status);
    }
  }

  @Test
  void collapsedAndJfrFormats() throws Exception {
    workload().start("burner", 1, Workload::burnCpu);
    HttpResponse<byte[]> collapsed = get("profile?seconds=1&format=collapsed", "Accept-Encoding", "gzip");
    assertEquals(200, collapsed.statusCode());
    assertEquals("gzip", collapsed.headers().firstValue("Content-Encoding").orElse(""));
    assertTrue(collapsed.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    String engine = collapsed.headers().firstValue("X-Livetrace-Profile-Engine").orElse("");
    assertTrue(engine.startsWith("jfr; events=jdk." + (ProfileRecording.cpuTimeSampling() ? "CPUTimeSample" : "ExecutionSample")), engine);
    assertEquals(!ProfileRecording.cpuTimeSampling() && Runtime.version().feature() < 25, engine.contains("not-seen=stubs,intrinsics"), engine);
    String text = new String(new GZIPInputStream(new ByteArrayInputStream(collapsed.body())).readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(
        text.lines().anyMatch(l -> l.matches("java\\.lang\\.Thread\\.run;.*;io\\.github\\.livetrace\\.testing\\.Workload\\.burnCpu \\d+")),
        text);

    HttpResponse<byte[]> jfr = get("profile?seconds=1&format=jfr");
    assertEquals(200, jfr.statusCode());
    assertEquals("attachment; filename=\"profile.jfr\"", jfr.headers().firstValue("Content-Disposition").orElse(""));
    assertFalse(chunks(jfr.body()).isEmpty());
    String sample = ProfileRecording.cpuTimeSampling() ? "jdk.CPUTimeSample" : "jdk.ExecutionSample";
    List<RecordedEvent> samples = events(jfr.body(), sample);
    assertTrue(samples.stream().anyMatch(e -> e.getStackTrace().getFrames().get(0).getMethod().getName().equals("burnCpu")), "no burnCpu sample");

    // The raw recording is a JFR download as a trace is: zstd when accepted, a block per chunk.
    HttpResponse<byte[]> zstd = get("profile?seconds=1&format=jfr", "Accept-Encoding", "gzip, deflate, br, zstd");
    assertEquals(200, zstd.statusCode());
    assertEquals("zstd", zstd.headers().firstValue("Content-Encoding").orElse(""));
    byte[] decoded = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(zstd.body())).readAllBytes();
    assertFalse(chunks(decoded).isEmpty());
    assertTrue(events(decoded, sample).stream().anyMatch(e -> e.getStackTrace().getFrames().get(0).getMethod().getName().equals("burnCpu")), "no burnCpu sample");
    // Text answers stay gzip, the only compressed coding they are sent in.
    assertEquals("", get("goroutine?debug=1", "Accept-Encoding", "zstd").headers().firstValue("Content-Encoding").orElse(""));
  }

  @Test
  void rawRecordingWithSecretBearingEventsIsRefusedAndOtherFormatsStillServed() throws Exception {
    try (Recording leaky = new Recording()) {
      leaky.enable("jdk.InitialSystemProperty");
      leaky.setName("leaky");
      leaky.start();
      HttpResponse<byte[]> jfr = get("profile?seconds=0.5&format=jfr");
      assertEquals(409, jfr.statusCode());
      assertTrue(new String(jfr.body(), StandardCharsets.UTF_8).contains("jdk.InitialSystemProperty"));
      Raw raw = GoPprof.raw(url("profile?seconds=0.5"));
      assertEquals(List.of("samples/count", "cpu/nanoseconds"), raw.sampleTypes());
    }
    // A recording that starts and stops during the profile leaves its chunk-start events (the
    // environment) in the profile's chunks; the chunks are checked whole before any byte is sent.
    CompletableFuture<HttpResponse<byte[]>> jfr =
        client.sendAsync(HttpRequest.newBuilder(server.pprof("profile?seconds=2&format=jfr")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(eventually(30, () -> !profileRecordings().isEmpty()));
    try (Recording sneaky = new Recording()) {
      sneaky.enable("jdk.InitialEnvironmentVariable");
      sneaky.start();
      sneaky.stop();
    }
    HttpResponse<byte[]> refused = jfr.get(60, TimeUnit.SECONDS);
    assertEquals(409, refused.statusCode(), new String(refused.body(), StandardCharsets.UTF_8));
    assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("jdk.InitialEnvironmentVariable"));
  }

  @Test
  void oneProfileOfAKindAtATimeWhileTracesAndOtherKindsRun() throws Exception {
    HttpResponse<InputStream> trace =
        client.send(HttpRequest.newBuilder(server.pprof("trace?seconds=3")).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, trace.statusCode(), "a trace");
    toClose.add(() -> readToTheEnd(trace));
    CompletableFuture<HttpResponse<byte[]>> first =
        client.sendAsync(HttpRequest.newBuilder(server.pprof("profile?seconds=2")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(eventually(30, () -> profileRecordings().contains("livetrace profile")));
    HttpResponse<byte[]> second = get("profile?seconds=2");
    assertEquals(429, second.statusCode());
    long retryAfter = Long.parseLong(second.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 3, "Retry-After " + retryAfter);
    assertTrue(new String(second.body(), StandardCharsets.UTF_8).contains("another request's profile is running (profiles of other kinds may run alongside); only one runs at a time"));
    assertEquals(429, client.send(HttpRequest.newBuilder(server.pprof("profile")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(200, get("allocs?seconds=0.5").statusCode(), "another kind runs alongside");
    HttpResponse<byte[]> done = first.get(60, TimeUnit.SECONDS);
    assertEquals(200, done.statusCode());
    assertEquals(List.of("samples/count", "cpu/nanoseconds"), GoPprof.raw(done.body()).sampleTypes());
    assertEquals(200, get("profile?seconds=0.2").statusCode(), "the slot is free again");
  }

  @Test
  void aClientThatLeavesStopsItsProfileAndNothingIsLeftBehind() throws Exception {
    Set<String> scratchBefore = scratchFiles();
    // pprof and gzip answers send their status line at once, then empty blocks; the raw recording
    // only once it is checked, so its client's leaving is noticed at the end of its recording.
    for (String query : List.of("profile?seconds=30", "allocs?seconds=30&format=html", "heap?seconds=2&format=jfr")) {
      try (RawHttp http = new RawHttp(server.port(), 0)) {
        http.send("GET", "/app/debug/pprof/" + query, "Accept-Encoding: gzip");
        if (query.endsWith("jfr")) {
          assertTrue(eventually(30, () -> !profileRecordings().isEmpty()), query + ": recording");
        } else {
          http.readHead();
          assertEquals(200, http.status, query);
          assertFalse(profileRecordings().isEmpty(), query + ": recording");
        }
      }
      long left = System.nanoTime();
      assertTrue(eventually(30, () -> profileRecordings().isEmpty()), query + ": the profile kept recording after its client left");
      System.out.printf("%s: the client's leaving was noticed after %d ms%n", query, (System.nanoTime() - left) / 1_000_000);
    }
    assertEquals(200, get("profile?seconds=0.2").statusCode(), "the slot is free again");
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().stream().allMatch(r -> r.getName().equals("livetrace warm-up") || !r.getName().startsWith("livetrace")));
    assertTrue(
        eventually(30, () -> repositoryChunkFiles().isEmpty()),
        () -> "chunk files left: " + repositoryChunkFiles() + " recordings: "
            + FlightRecorder.getFlightRecorder().getRecordings().stream().map(r -> r.getName() + " " + r.getState()).collect(Collectors.toList()));
    assertEquals(scratchBefore, scratchFiles(), "temporary files left");
    assertTrue(
        Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("livetrace")),
        "a livetrace thread outlived its profile");
  }

  private static Set<String> scratchFiles() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.matches("livetrace-(profile|allocs|heap|mutex|block|threads)-.*"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void badParametersAre400sThatSayWhatIsAcceptedAndRecordNothing() throws Exception {
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("profile?seconds=abc", "not a number"),
            Map.entry("profile?seconds=0", "greater than 0"),
            Map.entry("allocs?seconds=61", "maximum of 60"),
            Map.entry("profile?format=svg", "not one of: pprof (the default), html, collapsed, jfr"),
            Map.entry("mutex?debug=1", "only goroutine has text forms"),
            Map.entry("block?gc=1", "gc applies to heap only"),
            Map.entry("heap?gc=yes", "gc must be 0 or 1"),
            Map.entry("goroutine?debug=3", "debug must be 0 (pprof), 1"),
            Map.entry("goroutine?format=jfr", "not a JFR recording"),
            Map.entry("goroutine?debug=2&format=html", "takes no format"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<byte[]> r = get(c.getKey());
      String body = new String(r.body(), StandardCharsets.UTF_8);
      assertEquals(400, r.statusCode(), c.getKey());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), c.getKey());
      assertTrue(body.contains(c.getValue()), c.getKey() + " -> " + body);
    }
    HttpResponse<byte[]> cmdline = get("cmdline");
    assertEquals(404, cmdline.statusCode());
    assertTrue(new String(cmdline.body(), StandardCharsets.UTF_8).contains("carries secrets"));
    assertEquals(404, get("profile/extra").statusCode());
    assertTrue(profileRecordings().isEmpty());
  }

  @Test
  void withoutFlightRecorderProfilesAre503AndTheIndexAndThreadDumpsStillWork() {
    ChildJvm.Result result = ChildJvm.run(List.of("-XX:-FlightRecorder"), Map.of(), NoJfrProbe.class);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("index=200 "), result.output());
    assertTrue(result.output().contains("profile=503 cannot profile: JDK Flight Recorder is not available"), result.output());
    assertTrue(result.output().contains("goroutine=200"), result.output());
  }

  /** Runs in a JVM without JFR: prints what the index, a profile and a thread dump get. */
  public static final class NoJfrProbe {
    public static void main(String[] args) throws Exception {
      try (TestServer server = TestServer.with(PprofServlet.builder().profiler("jfr").build())) {
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("index=", "profile=profile?seconds=1", "goroutine=goroutine?debug=1")) {
          String[] p = path.split("=", 2);
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.pprof(p[1])).build(), HttpResponse.BodyHandlers.ofString());
          System.out.println(p[0] + "=" + r.statusCode() + " " + r.body().lines().findFirst().orElse(""));
        }
      }
    }
  }

  @Test
  void headAnswersWithTheHeadersAndRecordsNothing() throws Exception {
    HttpResponse<Void> r =
        client.send(
            HttpRequest.newBuilder(server.pprof("profile?seconds=5")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
    assertEquals(200, r.statusCode());
    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals("attachment; filename=\"profile.pb.gz\"", r.headers().firstValue("Content-Disposition").orElse(""));
    assertTrue(profileRecordings().isEmpty());
  }

  @Test
  void indexListsEveryProfileAndSaysWhyCmdlineIsNotServed() throws Exception {
    String index = new String(get("").body(), StandardCharsets.UTF_8);
    for (String name : List.of("allocs", "block", "goroutine", "heap", "mutex", "profile", "trace")) {
      assertTrue(index.contains(">" + name + "</a>"), name + " in " + index);
    }
    assertTrue(index.contains("href=\"/app/debug/pprof/profile?seconds=5&amp;format=html\""), index);
    assertTrue(index.contains("Not served (404): a JVM&#39;s command line carries secrets"), index);
    assertTrue(index.contains("go tool pprof"), index);
    assertTrue(index.indexOf(">allocs<") < index.indexOf(">profile<"), "Go's order");
  }

  @Test
  void goroutineDumpNamesTheThreadsVirtualOnesTooAndMatchesJcmd() throws Exception {
    workload().start("lt-sleeper", 3, Workload::sleepLong);
    boolean virtualThreads = Runtime.version().feature() >= 21;
    if (virtualThreads) {
      toClose.add(Workload.startVirtual("lt-virtual", Workload::sleepInVirtualThread));
    }

    String everyThread = new String(get("goroutine?debug=2").body(), StandardCharsets.UTF_8);
    for (int i = 1; i <= 3; i++) {
      assertTrue(everyThread.matches("(?s).*\n\"lt-sleeper-" + i + "\" #\\d+ TIMED_WAITING\n\tat java\\.lang\\.Thread\\.sleep.*"), everyThread);
    }
    assertTrue(everyThread.contains("\tat io.github.livetrace.testing.Workload.sleepLong(Workload.java:"), everyThread);
    if (virtualThreads) {
      assertTrue(everyThread.matches("(?s).*\n\"lt-virtual\" #\\d+ virtual.*"), everyThread);
      assertTrue(everyThread.contains("Workload.sleepInVirtualThread"), everyThread);
    }

    String grouped = new String(get("goroutine?debug=1").body(), StandardCharsets.UTF_8);
    assertTrue(grouped.startsWith("thread profile: total "), grouped);
    assertTrue(grouped.contains("\n3 @ \"lt-sleeper-1\", \"lt-sleeper-2\", \"lt-sleeper-3\"\n#\tjava.lang.Thread.sleep"), grouped);

    Raw raw = GoPprof.raw(url("goroutine"));
    assertEquals(List.of("threads/count"), raw.sampleTypes());
    assertEquals(3, raw.total("threads/count", "Workload.sleepLong"));
    assertEquals(virtualThreads ? 1 : 0, raw.total("threads/count", "Workload.sleepInVirtualThread"));
    assertTrue(raw.samples().stream().anyMatch(s -> "TIMED_WAITING".equals(s.labels().get("state"))), "the state is a label");

    // Every platform thread that jcmd Thread.print lists, but the JVM's own (compiler threads and
    // others hidden from Java's thread APIs), and no other. Threads come and go in a server, so
    // the dump is compared with jcmd's when two jcmd runs around it agree.
    jcmdThreads(); // starts jcmd's Attach Listener and the process reaper, which then stay
    boolean compared = false;
    for (int attempt = 0; attempt < 5 && !compared; attempt++) {
      Map<Long, String> before = jcmdThreads();
      String dump = new String(get("goroutine?debug=2").body(), StandardCharsets.UTF_8);
      Map<Long, String> after = jcmdThreads();
      if (!before.keySet().equals(after.keySet())) {
        System.out.println("threads changed between two jcmd runs: " + before + " / " + after);
        continue;
      }
      Map<Long, String> ours = new TreeMap<>();
      Matcher m = Pattern.compile("\n\"(.*)\" #(\\d+)( virtual)?").matcher(dump);
      while (m.find()) {
        if (m.group(3) == null) {
          ours.put(Long.parseLong(m.group(2)), m.group(1));
        }
      }
      assertEquals(before.keySet(), ours.keySet(), "platform threads of the dump and of jcmd Thread.print: " + ours + " / " + before);
      for (Map.Entry<Long, String> t : ours.entrySet()) {
        if (before.get(t.getKey()).equals(after.get(t.getKey()))) { // the process reaper's name changes
          assertEquals(before.get(t.getKey()), t.getValue());
        }
      }
      assertTrue(dump.startsWith("thread dump: " + (ours.size() + (virtualThreads ? countVirtual(dump) : 0)) + " threads ("), dump);
      compared = true;
    }
    assertTrue(compared, "threads kept changing between two jcmd runs");
  }

  private static long countVirtual(String dump) {
    return dump.lines().filter(l -> l.matches("\".*\" #\\d+ virtual.*")).count();
  }

  /** Java threads in {@code jcmd PID Thread.print}, by id, without those the JVM hides from Java. */
  private static Map<Long, String> jcmdThreads() throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()), "Thread.print").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    Map<Long, String> threads = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^\"(.*)\" #(\\d+) ").matcher(out);
    while (m.find()) {
      // JavaThreads that java.lang.management and Thread.getAllStackTraces do not show
      // (JavaThread::is_hidden_from_external_view): the JVM's own service threads.
      if (!m.group(1).matches("C\\d CompilerThread\\d+|Service Thread|Monitor Deflation Thread|Sweeper thread|JVMCI.*")) {
        threads.put(Long.parseLong(m.group(2)), m.group(1));
      }
    }
    return threads;
  }
}
