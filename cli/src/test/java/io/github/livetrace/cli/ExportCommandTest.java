package io.github.livetrace.cli;

import static io.github.livetrace.cli.Recordings.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.testing.TraceFiles;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export}: the Trace Event Format file parses, and has tracks, nested regions, balanced
 * task slices, flows between threads, logs, GC, blocked states and CPU samples.
 */
class ExportCommandTest {
  private static final List<String> BLOCKING_EVENTS =
      List.of(
          "jdk.ThreadSleep",
          "jdk.ThreadPark",
          "jdk.JavaMonitorEnter",
          "jdk.JavaMonitorWait",
          "jdk.SocketRead",
          "jdk.SocketWrite",
          "jdk.FileRead",
          "jdk.FileWrite");

  private static final ExecutorService POOL =
      Task.propagating(Executors.newFixedThreadPool(2, r -> new Thread(r, "brewer")));

  private static byte[] trace;
  private static Path file;
  private static long orderId;
  private static long leakId;
  private static Task leak;

  @BeforeAll
  static void record(@TempDir Path dir) throws Exception {
    TraceOptions options = TraceOptions.defaults().withChunkInterval(Duration.ofMillis(200))
        .withSetting("jdk.ExecutionSample#period", "10 ms");
    for (String event : BLOCKING_EVENTS) {
      options = options.withSetting(event + "#threshold", "0 ms");
    }
    trace = Recordings.record(options, () -> workload(dir));
    file = TraceFiles.write(trace);
  }

  @SuppressWarnings("try") // scopes and regions are closed, not used
  private static void workload(Path dir) throws Exception {
    leak = Trace.newTask("leak");
    leakId = leak.id();
    Task order = Trace.newTask("order");
    orderId = order.id();
    try (Task.Scope s = order.makeCurrent()) {
      Future<?> brew = POOL.submit(() -> Trace.withRegion("brew", () -> work(30)));
      Trace.withRegion("steam", () -> {
        Trace.log("order", "milk for \"Ann\"\n");
        Trace.withRegion("froth", () -> work(20));
        LockSupport.parkNanos(5_000_000);
      });
      brew.get(30, TimeUnit.SECONDS);
      Trace.withRegion("crunch", ExportCommandTest::spin);
    } finally {
      order.end();
    }
    Object lock = new Object();
    synchronized (lock) {
      lock.wait(5);
    }
    contendMonitor();
    fileIo(dir.resolve("beans.txt"));
    socketIo();
    System.gc();
  }

  /**
   * Keeps a CPU busy in Java code long enough for the sampler (every 10 ms) to see it. The clock
   * is read rarely: a thread inside a native call is not sampled as running Java.
   */
  private static void spin() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    long x = 1;
    do {
      for (int i = 0; i < 1_000_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    } while (System.nanoTime() < deadline);
    if (x == 42) {
      throw new AssertionError();
    }
  }

  /** One thread holds a monitor until another is blocked on it: a jdk.JavaMonitorEnter. */
  private static void contendMonitor() throws Exception {
    Object monitor = new Object();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (monitor) {
        held.countDown();
        awaitQuietly(release);
      }
    }, "holder");
    Thread waiter = new Thread(() -> {
      synchronized (monitor) {
        monitor.hashCode();
      }
    }, "waiter");
    holder.start();
    assertTrue(held.await(30, TimeUnit.SECONDS));
    waiter.start();
    assertTrue(TraceFiles.eventually(30, () -> waiter.getState() == Thread.State.BLOCKED));
    release.countDown();
    holder.join(30_000);
    waiter.join(30_000);
  }

  private static void fileIo(Path path) throws Exception {
    byte[] beans = new byte[64 * 1024];
    try (OutputStream out = new FileOutputStream(path.toFile())) {
      out.write(beans);
    }
    try (InputStream in = new FileInputStream(path.toFile())) {
      assertEquals(beans.length, in.readAllBytes().length);
    }
  }

  private static void socketIo() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<?> echo = POOL.submit(() -> {
        try (Socket peer = server.accept()) {
          byte[] request = peer.getInputStream().readNBytes(5);
          peer.getOutputStream().write(request);
        }
        return null;
      });
      try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort())) {
        client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello", new String(client.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
      }
      echo.get(30, TimeUnit.SECONDS);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    leak.end(); // an open task is open in every later trace of this JVM, those of other tests too
    POOL.shutdown();
    assertTrue(POOL.awaitTermination(30, TimeUnit.SECONDS));
  }

  private static List<Map<String, Object>> export(Path dir) throws Exception {
    return Exports.export(file, dir.resolve("trace.json"));
  }

  @Test
  void regionsAreNestedSlicesOnNamedThreadTracks(@TempDir Path dir) throws Exception {
    List<Map<String, Object>> events = export(dir);
    Map<Long, String> threadNames = new HashMap<>();
    Exports.threadNames(events).forEach((tid, args) -> threadNames.put(tid, (String) args.get("name")));
    Map<String, Object> steam = only(events, "X", "steam");
    Map<String, Object> froth = only(events, "X", "froth");
    Map<String, Object> brew = only(events, "X", "brew");
    assertEquals(Thread.currentThread().getName(), threadNames.get(Json.number(steam.get("tid"))));
    assertEquals("brewer", threadNames.get(Json.number(brew.get("tid"))));
    assertEquals(steam.get("tid"), froth.get("tid"));
    long steamStart = Json.micros(steam.get("ts"));
    long frothStart = Json.micros(froth.get("ts"));
    assertTrue(steamStart <= frothStart, "froth starts inside steam");
    assertTrue(frothStart + Json.micros(froth.get("dur")) <= steamStart + Json.micros(steam.get("dur")), "and ends inside it");
    assertTrue(Json.micros(brew.get("dur")) >= 30_000_000L, "brew slept 30 ms");
    assertEquals(orderId, Json.number(Json.object(brew.get("args")).get("taskId")));
    for (Map<String, Object> slice : with(events, "ph", "X")) {
      assertTrue(Json.micros(slice.get("ts")) >= 0 && Json.micros(slice.get("dur")) >= 0, slice::toString);
    }
  }

  @Test
  void everyTaskBeginHasItsEndAndFlowsLinkTheThreadsItRanOn(@TempDir Path dir) throws Exception {
    List<Map<String, Object>> events = export(dir);
    Map<String, Long> begins = new HashMap<>();
    Map<String, Long> ends = new HashMap<>();
    for (Map<String, Object> e : events) {
      if ("b".equals(e.get("ph"))) {
        assertEquals(null, begins.put((String) e.get("id"), Json.micros(e.get("ts"))), "one begin per task");
      } else if ("e".equals(e.get("ph"))) {
        assertEquals(null, ends.put((String) e.get("id"), Json.micros(e.get("ts"))), "one end per task");
      }
    }
    assertEquals(begins.keySet(), ends.keySet(), "every async begin has its end");
    begins.forEach((id, begin) -> assertTrue(begin <= ends.get(id), "task " + id + " ends after it begins"));
    assertTrue(begins.containsKey(Long.toString(orderId)));
    Map<String, Object> leakEnd = events.stream()
        .filter(e -> "e".equals(e.get("ph")) && Long.toString(leakId).equals(e.get("id")))
        .findFirst().orElseThrow();
    assertEquals(Boolean.TRUE, Json.object(leakEnd.get("args")).get("unfinished"));

    Map<String, Object> start = only(events, "s", "order");
    Map<String, Object> finish = only(events, "f", "order");
    assertEquals(start.get("id"), finish.get("id"));
    assertEquals("e", finish.get("bp"));
    assertNotEquals(start.get("tid"), finish.get("tid"), "the flow crosses threads");
    Set<Object> regionThreads = Set.of(only(events, "X", "steam").get("tid"), only(events, "X", "brew").get("tid"));
    assertEquals(regionThreads, Set.of(start.get("tid"), finish.get("tid")));
    assertTrue(Json.micros(start.get("ts")) <= Json.micros(finish.get("ts")));
  }

  @Test
  void logsGcBlockedStatesAndCpuSamplesAreThere(@TempDir Path dir) throws Exception {
    List<Map<String, Object>> events = export(dir);
    Map<String, Object> log = only(events, "i", "order");
    assertEquals("milk for \"Ann\"\n", Json.object(log.get("args")).get("message"));
    assertEquals(only(events, "X", "steam").get("tid"), log.get("tid"));

    List<RecordedEvent> recorded = TraceFiles.events(trace);
    long gcInTrace = recorded.stream()
        .filter(e -> Set.of("jdk.GarbageCollection", "jdk.GCPhasePause").contains(e.getEventType().getName()))
        .count();
    assertTrue(gcInTrace > 0, "System.gc() was recorded");
    assertEquals(gcInTrace, with(events, "cat", "gc").size());

    Map<String, Long> blocked = with(events, "cat", "blocked").stream()
        .collect(Collectors.groupingBy(e -> (String) Json.object(e.get("args")).get("event"), Collectors.counting()));
    for (String type : BLOCKING_EVENTS) {
      long inTrace = recorded.stream()
          .filter(e -> e.getEventType().getName().equals(type) && e.getThread() != null)
          .count();
      assertTrue(inTrace > 0, type + " is in the trace: the workload does it");
      assertEquals(inTrace, blocked.getOrDefault(type, 0L), type);
    }

    long samples = recorded.stream()
        .filter(e -> e.getEventType().getName().equals("jdk.ExecutionSample"))
        .count();
    assertTrue(samples > 0, "300 ms of spinning were sampled");
    assertEquals(samples, with(events, "cat", "cpu").size());
  }

  private static List<Map<String, Object>> with(List<Map<String, Object>> events, String key, String value) {
    return events.stream().filter(e -> value.equals(e.get(key))).collect(Collectors.toList());
  }

  private static Map<String, Object> only(List<Map<String, Object>> events, String phase, String name) {
    List<Map<String, Object>> found = events.stream()
        .filter(e -> phase.equals(e.get("ph")) && name.equals(e.get("name")))
        .collect(Collectors.toList());
    assertEquals(1, found.size(), () -> "one '" + phase + "' event named " + name + ": " + found);
    return found.get(0);
  }
}
