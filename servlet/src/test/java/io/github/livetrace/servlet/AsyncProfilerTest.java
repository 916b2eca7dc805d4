package io.github.livetrace.servlet;

import static io.github.livetrace.testing.TraceFiles.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.pprof.AsyncProfilerEngine;
import io.github.livetrace.internal.pprof.ProfileRecording;
import io.github.livetrace.testing.ChildJvm;
import io.github.livetrace.testing.GoPprof;
import io.github.livetrace.testing.GoPprof.Raw;
import io.github.livetrace.testing.RawHttp;
import io.github.livetrace.testing.Workload;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CPU and wall-clock profiles from async-profiler: they account for the CPU time threads
 * spend in stubs and intrinsics, which JFR's sampler before JDK 25 drops; they name their engine;
 * one session runs at a time; a client that leaves stops it; nothing is left behind. Read back
 * with the real {@code go tool pprof}, compared with the threads' own CPU time ({@link
 * ThreadMXBean}).
 */
class AsyncProfilerTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  /** Each busy thread's method, by the kind of CPU time it spends. */
  private static final Map<String, String> BUSY =
      Map.of("arith-1", "Workload.burnCpu", "copier-1", "Workload.copyArrays", "clock-1", "Workload.readNanoTime", "hasher-1", "Workload.hashBytes");

  private static TestServer server;
  private static TestServer jfrServer;
  private static Workload workload;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.with(PprofServlet.builder().profiler("auto").build());
    jfrServer = TestServer.with(PprofServlet.builder().profiler("jfr").build());
    workload =
        new Workload()
            .start("arith", 1, Workload::burnCpu)
            .start("copier", 1, Workload::copyArrays)
            .start("clock", 1, Workload::readNanoTime)
            .start("hasher", 1, Workload::hashBytes)
            .waitInRead("reader");
  }

  @AfterAll
  static void stop() throws Exception {
    workload.close();
    server.close();
    jfrServer.close();
  }

  @Test
  void cpuProfileAccountsForEachThreadsCpuTimeAndLeavesOutTheThreadBlockedInIo() throws Exception {
    Measured m = profile(server, "profile?seconds=3");
    assertTrue(m.engine.startsWith("async-profiler/4.2; event="), m.engine);
    Raw raw = m.raw;
    assertEquals(List.of("samples/count", "cpu/nanoseconds"), raw.sampleTypes());
    assertEquals("cpu nanoseconds", raw.periodType());
    assertEquals(10_000_000, raw.period());
    assertTrue(raw.comments().get(0).startsWith("async-profiler 4.2, event="), raw.comments().toString());
    for (Map.Entry<String, String> busy : BUSY.entrySet()) {
      double ratio = m.ratio(busy.getKey(), busy.getValue());
      assertTrue(Math.abs(ratio - 1) <= 0.2, busy.getValue() + ": the profile has " + ratio + " of the thread's CPU time; " + m + raw.top("cpu/nanoseconds"));
    }
    assertEquals(0, raw.total("samples/count", "Workload.readSocket"), "a thread blocked in read() is not on a CPU");
    assertTrue(raw.samples().stream().anyMatch(s -> "copier-1".equals(s.labels().get("thread"))), "samples name their thread");
  }

  @Test
  void wallClockProfileHoldsEveryThreadTheBlockedOneToo() throws Exception {
    Measured m = profile(server, "wall?seconds=2");
    assertTrue(m.engine.startsWith("async-profiler/4.2; event=wall; interval=50ms"), m.engine);
    Raw raw = m.raw;
    assertEquals(List.of("samples/count", "wall/nanoseconds"), raw.sampleTypes());
    long blocked = raw.total("wall/nanoseconds", "Workload.readSocket");
    // Every thread is sampled all the time: the reader stood 2 s in read(), whatever the load.
    assertTrue(blocked >= 1_000_000_000L && blocked <= 3_000_000_000L, "the blocked reader has " + blocked + " ns:" + raw.top("wall/nanoseconds"));
    assertTrue(raw.total("wall/nanoseconds", "Workload.burnCpu") >= 1_000_000_000L, raw.top("wall/nanoseconds"));
    assertTrue(raw.comments().get(0).contains("event=wall"), raw.comments().toString());
  }

  @Test
  void mutexProfileSamplesMonitorsAndLocksWithTheirClassAndTheFlameGraphDrawsTheCpuProfile() throws Exception {
    try (Workload contention =
        new Workload().start("contender", 3, Workload::enterMonitor).start("locker", 2, Workload::lockReentrant).start("waiter", 1, Workload::awaitCondition).start("idler", 1, Workload::waitOnSemaphore)) {
      Measured m = profile(server, "mutex?seconds=2");
      assertTrue(m.engine.startsWith("async-profiler/4.2; event=lock; interval=10us"), m.engine);
      Raw raw = m.raw;
      assertEquals(List.of("contentions/count", "delay/nanoseconds"), raw.sampleTypes());
      assertTrue(raw.total("delay/nanoseconds", "Workload.enterMonitor") > 0, raw.top("delay/nanoseconds"));
      assertTrue(raw.total("delay/nanoseconds", "Workload.lockReentrant") > 0, raw.top("delay/nanoseconds"));
      assertTrue(
          raw.samples().stream().anyMatch(s -> "java.lang.Object".equals(s.labels().get("monitorClass")) && s.stack().stream().anyMatch(f -> f.endsWith("Workload.enterMonitor"))),
          "the monitor's class is a label: " + raw.top("delay/nanoseconds"));
      assertTrue(
          raw.samples().stream().anyMatch(s -> String.valueOf(s.labels().get("parkedClass")).startsWith("java.util.concurrent.locks.ReentrantLock")),
          "the lock's class is a label: " + raw.top("delay/nanoseconds"));
      assertFalse(raw.samples().stream().anyMatch(s -> s.stack().get(0).equals("java.lang.Object")), "the class is no frame");
      // async-profiler samples every park on a synchronizer: waiting for a signal is not contention.
      assertEquals(0, raw.total("delay/nanoseconds", "Workload.awaitCondition"), raw.top("delay/nanoseconds"));
      assertEquals(0, raw.total("delay/nanoseconds", "Workload.waitOnSemaphore"), raw.top("delay/nanoseconds"));
    }
    HttpResponse<String> html = client.send(HttpRequest.newBuilder(server.pprof("profile?seconds=1&format=html")).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, html.statusCode());
    assertTrue(html.body().startsWith("<!DOCTYPE html>") && html.body().contains("CPU (async-profiler "), html.body().substring(0, Math.min(2000, html.body().length())));
    assertTrue(html.body().contains("copyArrays"), "the copier's method is in the flame graph");
  }

  @Test
  void whereItCannotLoadTheReasonIsLoggedOnceAndJfrAnswers() {
    ChildJvm.Result result = ChildJvm.run(List.of("-Done.profiler.extractPath=/nonexistent/livetrace-test"), Map.of(), LoadFails.class);
    assertEquals(0, result.exitCode(), result.output());
    String out = result.output();
    assertTrue(out.contains("profile=200 jfr; events=jdk."), out);
    assertTrue(out.contains("again=200 jfr; events=jdk."), out);
    assertTrue(out.contains("wall=503 the wall profile needs async-profiler, which cannot run here: async-profiler did not load: "), out);
    assertTrue(out.contains("warnings=1 livetrace: async-profiler did not load: "), out);
    assertTrue(out.contains("-Done.profiler.extractPath=DIR names another"), out);
  }

  /** Serves where async-profiler's library cannot be extracted; prints what profile and wall answer, and the warnings. */
  public static final class LoadFails {
    public static void main(String[] args) throws Exception {
      java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.github.livetrace.profiler");
      logger.addHandler(
          new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
              if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                warnings.add(r.getMessage());
              }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          });
      try (TestServer server = TestServer.with(PprofServlet.builder().warmUp(false).build())) {
        HttpClient client = HttpClient.newHttpClient();
        for (String name : List.of("profile", "again")) {
          HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(server.pprof("profile?seconds=0.5")).build(), HttpResponse.BodyHandlers.ofByteArray());
          System.out.println(name + "=" + r.statusCode() + " " + r.headers().firstValue("X-Livetrace-Profile-Engine").orElse(""));
        }
        HttpResponse<String> wall = client.send(HttpRequest.newBuilder(server.pprof("wall?seconds=0.5")).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("wall=" + wall.statusCode() + " " + wall.body().strip());
        System.out.println("warnings=" + warnings.size() + " " + String.join(" | ", warnings));
      }
    }
  }

  @Test
  void withTheJfrEngineTheCpuProfileIsJfrsAndSaysWhatItCannotSee() throws Exception {
    Measured m = profile(jfrServer, "profile?seconds=3");
    boolean cpuTime = ProfileRecording.cpuTimeSampling();
    assertTrue(m.engine.startsWith("jfr; events=jdk." + (cpuTime ? "CPUTimeSample" : "ExecutionSample")), m.engine);
    boolean blind = !cpuTime && Runtime.version().feature() < 25;
    assertEquals(blind, m.engine.contains("not-seen=stubs,intrinsics"), m.engine);
    assertEquals(
        blind,
        m.raw.comments().stream().anyMatch(c -> c.contains("drops every sample of a thread in a stub, an intrinsic or a VM leaf call")),
        m.raw.comments().toString());
    // JFR's figures, for the record (benchmarks/profile-truth.sh tabulates them); not asserted.
    BUSY.forEach((thread, method) -> System.out.printf("JFR on JDK %d: %s has %.2f of its CPU time%n", Runtime.version().feature(), method, m.ratio(thread, method)));

    HttpResponse<String> wall = client.send(HttpRequest.newBuilder(jfrServer.pprof("wall?seconds=1")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(503, wall.statusCode());
    assertEquals("the wall profile needs async-profiler, which cannot run here: livetrace.profiler=jfr", wall.body().strip());
  }

  @Test
  void oneAsyncProfilerSessionAtATimeAndHeadSaysSo() throws Exception {
    CompletableFuture<HttpResponse<byte[]>> first =
        client.sendAsync(HttpRequest.newBuilder(server.pprof("profile?seconds=3")).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(eventually(60, () -> AsyncProfilerEngine.runningUntil().isPresent()), "the profile did not start");
    for (String method : List.of("GET", "HEAD")) {
      HttpResponse<String> wall =
          client.send(HttpRequest.newBuilder(server.pprof("wall?seconds=1")).method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(429, wall.statusCode(), method);
      long retryAfter = Long.parseLong(wall.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 4, "Retry-After " + retryAfter);
      if (method.equals("GET")) {
        assertTrue(wall.body().contains("another request's async-profiler profile (profile, wall or mutex) is running in this JVM; only one runs at a time"), wall.body());
      }
    }
    assertEquals(200, first.get(120, TimeUnit.SECONDS).statusCode());
    assertTrue(eventually(30, () -> AsyncProfilerEngine.runningUntil().isEmpty()));
    assertEquals(200, client.send(HttpRequest.newBuilder(server.pprof("wall?seconds=0.2")).build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "free again");
  }

  @Test
  void aClientThatLeavesStopsTheProfilerAndNothingIsLeftBehind() throws Exception {
    Set<String> before = scratchFiles();
    try (RawHttp http = new RawHttp(server.port(), 0)) {
      http.send("GET", "/app/debug/pprof/profile?seconds=30");
      http.readHead();
      assertEquals(200, http.status);
      assertTrue(AsyncProfilerEngine.runningUntil().isPresent(), "profiling");
    }
    assertTrue(eventually(30, () -> AsyncProfilerEngine.runningUntil().isEmpty()), "the session outlived its client");
    assertTrue(one.profiler.AsyncProfiler.getInstance().execute("status").contains("not active"), "async-profiler still runs");
    assertEquals(Set.of(), scratchFiles(), "the library left on disk");
    assertTrue(before.isEmpty(), "the library left on disk before: " + before);
    HttpResponse<byte[]> head =
        client.send(HttpRequest.newBuilder(server.pprof("profile?seconds=5")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, head.statusCode());
    assertTrue(head.headers().firstValue("X-Livetrace-Profile-Engine").orElse("").startsWith("async-profiler/4.2"), head.headers().toString());
    assertTrue(AsyncProfilerEngine.runningUntil().isEmpty(), "HEAD started a session");
  }

  @Test
  void theIndexSaysWhichEngineAndWhy() throws Exception {
    AsyncProfilerEngine.load(AsyncProfilerEngine.Choice.AUTO);
    String index = client.send(HttpRequest.newBuilder(server.pprof("")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(index.contains("Engine: async-profiler 4.2, CPU time from"), index);
    assertTrue(index.contains(">wall</a>"), index);
    String jfrIndex = client.send(HttpRequest.newBuilder(jfrServer.pprof("")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(jfrIndex.contains("Engine: JDK Flight Recorder (livetrace.profiler=jfr)"), jfrIndex);
    assertTrue(jfrIndex.contains("Not available here: livetrace.profiler=jfr"), jfrIndex);
  }

  /** JEP 451 warns of agents loaded into a running JVM; async-profiler loaded as a library is none. */
  @Test
  void loadingItPrintsNoWarningAboutDynamicallyLoadedAgents() {
    ChildJvm.Result result = ChildJvm.run(List.of(), Map.of(), FirstProfile.class);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("profile=200 async-profiler/4.2"), result.output());
    assertFalse(result.output().toLowerCase(java.util.Locale.ROOT).contains("loaded dynamically"), result.output());
  }

  /** Serves, asks for one CPU profile, prints its status and engine. */
  public static final class FirstProfile {
    public static void main(String[] args) throws Exception {
      try (TestServer server = TestServer.with(PprofServlet.builder().warmUp(false).build())) {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.pprof("profile?seconds=0.5")).build(), HttpResponse.BodyHandlers.ofByteArray());
        System.out.println("profile=" + r.statusCode() + " " + r.headers().firstValue("X-Livetrace-Profile-Engine").orElse(""));
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  /**
   * Fetches a profile while measuring each workload thread's CPU time from when the answer's
   * status line came (the session runs) to when its body ended.
   */
  private Measured profile(TestServer on, String path) throws Exception {
    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(on.pprof(path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode(), path);
    Map<String, Long> cpuBefore = cpuTimes();
    long wallBefore = System.nanoTime();
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readAllBytes();
    }
    long wall = System.nanoTime() - wallBefore;
    Map<String, Long> cpu = cpuTimes();
    cpu.replaceAll((name, after) -> after - cpuBefore.getOrDefault(name, after));
    double seconds = Double.parseDouble(path.replaceAll(".*seconds=([0-9.]+).*", "$1"));
    return new Measured(r.headers().firstValue("X-Livetrace-Profile-Engine").orElse(""), GoPprof.raw(body), cpu, wall, (long) (seconds * 1e9));
  }

  /** What a profile holds beside what the threads used. */
  private record Measured(String engine, Raw raw, Map<String, Long> cpuNanos, long wallNanos, long profileNanos) {
    /**
     * The profile's CPU time for {@code method} over the thread's own, both as a rate (per second
     * of wall-clock time), since the measured span holds the profile's and a little more.
     */
    double ratio(String thread, String method) {
      double profiled = raw.total("cpu/nanoseconds", method) / (double) profileNanos;
      double used = cpuNanos.getOrDefault(thread, 0L) / (double) wallNanos;
      return profiled / used;
    }

    @Override
    public String toString() {
      return "CPU rates measured " + cpuNanos.entrySet().stream().map(e -> e.getKey() + "=" + String.format("%.2f", e.getValue() / (double) wallNanos)).collect(Collectors.joining(", "));
    }
  }

  private static Map<String, Long> cpuTimes() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> times = new LinkedHashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (BUSY.containsKey(t.getName())) {
        times.put(t.getName(), mx.getThreadCpuTime(t.getId()));
      }
    }
    return times;
  }

  /**
   * The library files this JVM mapped and did not delete. Read from this JVM's own mappings, since
   * other JVMs on the machine extract and delete theirs in the shared temporary directory.
   */
  private static Set<String> scratchFiles() throws Exception {
    Path maps = Path.of("/proc/self/maps"); // Linux; elsewhere nothing to check this way
    if (!Files.exists(maps)) {
      return Set.of();
    }
    return Files.readAllLines(maps).stream()
        .filter(l -> l.contains("libasyncProfiler") && !l.endsWith("(deleted)"))
        .map(l -> l.substring(l.indexOf('/')))
        .collect(Collectors.toSet());
  }
}
