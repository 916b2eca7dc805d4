package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.ChildJvm;
import io.github.livetrace.testing.StalledOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Start, stop and streaming of real JFR recordings, read back with jdk.jfr and the jfr tool. */
class RecorderTest {
  private static final Duration FAST = Duration.ofMillis(200);

  @AfterEach
  void stopTracing() {
    Trace.stop();
  }

  @Test
  void traceOfStartAndStopIsReadByJfrToolsAndHoldsTheAnnotations() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(out);
    assertTrue(Trace.isEnabled());
    Task task = Trace.newTask("order");
    try (Task.Scope scope = task.makeCurrent();
        Region region = Trace.startRegion("brew")) {
      Trace.log("barista", "espresso for Ann");
    }
    task.end();
    Trace.stop();
    assertFalse(Trace.isEnabled());

    byte[] trace = out.toByteArray();
    assertFalse(chunks(trace).isEmpty());
    String summary = jfr(trace, "summary");
    for (String type : List.of("livetrace.TaskEnd", "livetrace.Region", "livetrace.Log")) {
      assertTrue(summary.contains(type), type + " missing from jfr summary:\n" + summary);
    }
    String printed = jfr(trace, "print", "--events", "livetrace.Log");
    assertTrue(printed.contains("espresso for Ann"), printed);

    RecordedEvent log = events(trace, "livetrace.Log").get(0);
    assertEquals(task.id(), log.getLong("taskId"));
    assertEquals("barista", log.getString("category"));
    RecordedEvent region = events(trace, "livetrace.Region").get(0);
    assertEquals("brew", region.getString("regionType"));
    assertEquals(task.id(), region.getLong("taskId"));
    RecordedEvent end = events(trace, "livetrace.TaskEnd").get(0);
    assertEquals("order", end.getString("taskType"));
    assertTrue(end.getDuration("taskDuration").compareTo(region.getDuration()) >= 0);
  }

  @Test
  void firstChunkArrivesWhileTracingAndIsAValidFileOnItsOwn() throws Exception {
    CountDownLatch firstFlush = new CountDownLatch(1);
    List<byte[]> atFirstFlush = new ArrayList<>();
    ByteArrayOutputStream out =
        new ByteArrayOutputStream() {
          @Override
          public synchronized void flush() {
            if (firstFlush.getCount() == 1) {
              atFirstFlush.add(toByteArray());
              firstFlush.countDown();
            }
          }
        };
    Trace.start(out);
    Trace.log("stream", "before the first chunk");
    assertTrue(firstFlush.await(30, TimeUnit.SECONDS), "no chunk was flushed while tracing");
    assertTrue(Trace.isEnabled(), "the first chunk must arrive while the trace runs");

    byte[] partial = atFirstFlush.get(0);
    assertEquals(1, chunks(partial).size());
    assertTrue(jfr(partial, "summary").contains("livetrace.Log"));
    assertEquals("before the first chunk", events(partial, "livetrace.Log").get(0).getString("message"));
  }

  @Test
  void manyChunksAndManyThreadsLoseAndDoubleNoEvent() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)));
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> counts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      counts.add(
          pool.submit(
              () -> {
                int n = 0;
                // Emit until the trace has been cut into many chunks.
                while (session.chunksWritten() < 12 || n < 1000) {
                  Task task = Trace.newTask("work");
                  try (Task.Scope s = task.makeCurrent();
                      Region r = Trace.startRegion("step")) {
                    Trace.log("seq", thread + ":" + n);
                  }
                  task.end();
                  n++;
                  LockSupport.parkNanos(200_000); // pace the load, so that chunks stay small

                }
                return n;
              }));
    }
    int expected = 0;
    for (Future<Integer> f : counts) {
      expected += f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    Trace.stop();

    byte[] trace = out.toByteArray();
    assertTrue(chunks(trace).size() >= 12, "only " + chunks(trace).size() + " chunks");
    assertTrue(jfr(trace, "summary").contains("livetrace.Log"));
    List<RecordedEvent> events = events(trace);
    List<String> seqs =
        events.stream()
            .filter(e -> e.getEventType().getName().equals("livetrace.Log"))
            .map(e -> e.getString("message"))
            .collect(Collectors.toList());
    Set<String> unique = new HashSet<>(seqs);
    assertEquals(seqs.size(), unique.size(), "some log events appear twice");
    assertEquals(expected, unique.size(), "some log events are missing");
    assertEquals(0, count(events, "livetrace.TaskBegin"), "every task is kept track of: its end says all");
    assertEquals(expected, count(events, "livetrace.TaskEnd"));
    assertEquals(expected, count(events, "livetrace.Region"));
  }

  private static long count(List<RecordedEvent> events, String type) {
    return events.stream().filter(e -> e.getEventType().getName().equals(type)).count();
  }

  @Test
  void secondStartFailsLikeGo() {
    Trace.start(new ByteArrayOutputStream());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Trace.start(new ByteArrayOutputStream()));
    assertEquals("tracing is already enabled", e.getMessage());
  }

  @Test
  void twoThreadsRacingToStartExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          results.add(
              pool.submit(
                  () -> {
                    barrier.await(30, TimeUnit.SECONDS);
                    try {
                      Trace.start(new ByteArrayOutputStream());
                      return true;
                    } catch (IllegalStateException e) {
                      assertEquals("tracing is already enabled", e.getMessage());
                      return false;
                    }
                  }));
        }
        int winners = 0;
        for (Future<Boolean> r : results) {
          winners += r.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertEquals(1, winners, "round " + round);
        Trace.stop();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void fiftyCyclesLeaveNoRecordingThreadOrFileBehind() {
    Trace.start(new ByteArrayOutputStream());
    Trace.log("cycle", "before");
    // JFR starts its own threads once, and so does the string pool guard on JDK 20 and older
    Trace.stop();
    assertTrue(eventually(30, () -> pumpThreads().isEmpty()));
    Set<Thread> before = Thread.getAllStackTraces().keySet();

    for (int i = 0; i < 50; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)));
      Trace.log("cycle", "n" + i);
      Trace.stop();
      if (i % 10 == 0) {
        assertEquals("n" + i, events(out.toByteArray(), "livetrace.Log").get(0).getString("message"));
      }
    }

    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());
    assertTrue(eventually(30, () -> pumpThreads().isEmpty()), "pump threads left: " + pumpThreads());
    assertTrue(
        eventually(30, () -> newThreads(before).isEmpty()),
        "threads left: " + newThreads(before));
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), "files left: " + repositoryChunkFiles());
  }

  private static Set<Thread> pumpThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("livetrace"))
        .collect(Collectors.toSet());
  }

  private static Set<String> newThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t))
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  @Test
  void failingOutputStopsTheTraceAtTheFirstFailedWriteAndReleasesEverything() throws Exception {
    AtomicInteger writes = new AtomicInteger();
    IOException broken = new IOException("client went away");
    OutputStream failing =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            writes.incrementAndGet();
            throw broken;
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            writes.incrementAndGet();
            throw broken;
          }
        };
    TraceSession session = Trace.start(failing, TraceOptions.defaults().withChunkInterval(FAST));
    assertTrue(session.awaitTermination(Duration.ofSeconds(60)), "trace did not stop");
    assertFalse(Trace.isEnabled());
    assertEquals(TraceFailure.Reason.OUTPUT, session.failure().orElseThrow().reason());
    assertSame(broken, session.failure().orElseThrow().getCause());
    assertEquals(1, writes.get(), "the pump kept writing after the first failure");
    assertEquals(0, session.chunksWritten());
    assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()));

    // Stopping a failed trace is a no-op, and the next one starts.
    Trace.stop();
    session.stop();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(out);
    Trace.stop();
    assertFalse(chunks(out.toByteArray()).isEmpty());
  }

  @Test
  void aStopWaitingOnAStuckClientDoesNotMakeOtherCallersWait() throws Exception {
    StalledOutput stuck = new StalledOutput();
    TraceSession session =
        Trace.start(stuck, TraceOptions.defaults().withChunkInterval(FAST).withWriteTimeout(Duration.ofMinutes(5)));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      assertTrue(stuck.awaitStalled(30));
      Thread stopping = new Thread(Trace::stop, "stopping");
      stopping.start();
      assertTrue(
          eventually(30, () -> stopping.getState() == Thread.State.WAITING || stopping.getState() == Thread.State.TIMED_WAITING),
          "stop should be waiting for the stuck write");
      Future<String> second =
          pool.submit(
              () -> {
                try {
                  Trace.start(new ByteArrayOutputStream());
                  return "started";
                } catch (IllegalStateException e) {
                  return e.getMessage();
                }
              });
      assertEquals("tracing is already enabled", second.get(30, TimeUnit.SECONDS));
      assertTrue(stopping.isAlive(), "stop returned before the last write finished");
      stuck.release();
      stopping.join(60_000);
      assertFalse(stopping.isAlive());
      assertFalse(session.isActive());
    } finally {
      stuck.release();
      pool.shutdownNow();
    }
  }

  @Test
  void durationEndsTheTraceByItselfWithEveryChunkWritten() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session =
        Trace.start(out, TraceOptions.defaults().withChunkInterval(FAST).withDuration(Duration.ofSeconds(1)));
    assertTrue(session.plannedEnd().isPresent());
    assertTrue(session.awaitTermination(Duration.ofSeconds(60)));
    assertFalse(Trace.isEnabled());
    assertTrue(session.failure().isEmpty());
    byte[] trace = out.toByteArray();
    assertEquals(session.bytesWritten(), trace.length);
    assertEquals(session.chunksWritten(), chunks(trace).size());
    List<ChunkHeader> chunks = chunks(trace);
    long covered = chunks.get(chunks.size() - 1).endNanos() - chunks.get(0).startNanos();
    assertTrue(covered >= Duration.ofSeconds(1).toNanos(), "trace covers only " + covered + " ns");
  }

  @Test
  void sessionStopNeverStopsALaterTrace() {
    TraceSession first = Trace.start(new ByteArrayOutputStream());
    first.stop();
    TraceSession second = Trace.start(new ByteArrayOutputStream());
    first.stop();
    assertTrue(second.isActive());
    assertSame(second, Trace.activeSession().orElseThrow());
  }

  @Test
  void badOptionsAreRejectedWithWhatIsAccepted() {
    IllegalArgumentException config =
        assertThrows(IllegalArgumentException.class, () -> TraceOptions.defaults().withConfiguration("../../etc/passwd"));
    assertTrue(config.getMessage().contains("default"), config.getMessage());
    assertTrue(config.getMessage().contains("profile"), config.getMessage());
    IllegalArgumentException interval =
        assertThrows(IllegalArgumentException.class, () -> TraceOptions.defaults().withChunkInterval(Duration.ofMillis(10)));
    assertTrue(interval.getMessage().contains("100 ms"), interval.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TraceOptions.defaults().withDuration(Duration.ZERO));
    assertNull(Trace.activeSession().orElse(null));
  }

  @Test
  void profileConfigurationAndExtraSettingsApply() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(
        out,
        TraceOptions.defaults()
            .withConfiguration("profile")
            .withSetting("livetrace.Log#enabled", "false"));
    Trace.log("hidden", "not recorded");
    Trace.withRegion("shown", () -> {});
    Trace.stop();
    byte[] trace = out.toByteArray();
    assertTrue(events(trace, "livetrace.Log").isEmpty());
    assertEquals(1, events(trace, "livetrace.Region").size());
  }

  @Test
  void chunkPeriodicNoiseIsTrimmed() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Trace.start(out);
    Trace.stop();
    Set<String> types =
        events(out.toByteArray()).stream().map(e -> e.getEventType().getName()).collect(Collectors.toSet());
    for (String noisy : List.of("jdk.ThreadDump", "jdk.ModuleRequire", "jdk.BooleanFlag", "jdk.ActiveSetting", "jdk.NativeLibrary")) {
      assertFalse(types.contains(noisy), noisy + " is in every chunk");
    }
    assertTrue(types.contains("jdk.CPUInformation"), "kept chunk events are missing: " + types);
  }

  @Test
  void unavailableRecorderIsAClearError() {
    ChildJvm.Result result = ChildJvm.run(List.of("-XX:-FlightRecorder"), java.util.Map.of(), StartProbe.class);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(
        result.output().contains("java.lang.UnsupportedOperationException: JDK Flight Recorder is not available"),
        result.output());
  }

  @Test
  void withoutTheJfrModuleAnnotationsAreNoOpsAndStartSaysWhy() {
    ChildJvm.Result result = ChildJvm.run(List.of("--limit-modules", "java.base"), java.util.Map.of(), NoJfrModuleProbe.class);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("annotations ok"), result.output());
    assertTrue(result.output().contains("does not include the jdk.jfr module"), result.output());
  }

  /** Runs in a JVM whose runtime lacks jdk.jfr: every annotation call must still work. */
  public static final class NoJfrModuleProbe {
    public static void main(String[] args) {
      Task task = Trace.newTask("order");
      try (Task.Scope s = task.makeCurrent();
          Region r = Trace.startRegion("step")) {
        Trace.log("cat", "message");
        Trace.logf("cat", "%d", 1);
        Trace.withRegion("inner", () -> {});
      }
      task.end();
      Region twice = Trace.startRegion("twice");
      twice.end();
      twice.end();
      System.out.println("annotations ok, task " + task.id());
      try {
        Trace.start(new ByteArrayOutputStream());
      } catch (RuntimeException e) {
        System.out.println(e);
      }
    }
  }

  /** Runs in a JVM without JFR: prints what {@code Trace.start} throws. */
  public static final class StartProbe {
    public static void main(String[] args) {
      try {
        Trace.start(new ByteArrayOutputStream());
        System.out.println("started");
      } catch (RuntimeException e) {
        System.out.println(e);
      }
    }
  }
}
