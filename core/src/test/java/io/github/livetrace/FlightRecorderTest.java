package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.events;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.WindowRecorder;
import io.github.livetrace.testing.TraceContents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flight recorder on real JFR recordings, read with {@code jdk.jfr.consumer} and the {@code
 * jfr} tool: what a window holds and how far back it reaches, the byte budget, running alongside
 * a trace, one recorder and one write at a time, and nothing left behind.
 */
class FlightRecorderTest {
  /** A category of 16+ chars: JFR pools such strings, which once went missing after rotations. */
  static final String SEQUENCE = "flight-recorder-sequence";

  @TempDir Path snapshots;

  private final List<FlightRecorder> recorders = new ArrayList<>();
  private final List<Sequence> sequences = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (Sequence s : sequences) {
      s.close();
    }
    for (FlightRecorder r : recorders) {
      r.stop();
    }
    Trace.stop();
    assertTrue(eventually(30, () -> recorderThreads().isEmpty()), () -> "threads left: " + recorderThreads());
  }

  private FlightRecorder started(FlightRecorderOptions options) {
    FlightRecorder recorder = new FlightRecorder(options.withSnapshotDirectory(snapshots));
    recorders.add(recorder);
    recorder.start();
    return recorder;
  }

  private static FlightRecorderOptions minAge(int seconds) {
    return FlightRecorderOptions.defaults().withMinAge(Duration.ofSeconds(seconds));
  }

  static Set<String> recorderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith(WindowRecorder.THREAD_NAME))
        .collect(Collectors.toSet());
  }

  static byte[] window(FlightRecorder recorder) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long written = recorder.writeTo(out);
    assertEquals(out.size(), written);
    return out.toByteArray();
  }

  /** Logs numbered messages from a thread of its own, {@code everyMillis} apart. */
  final class Sequence implements AutoCloseable {
    final AtomicLong next = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Sequence(long everyMillis, String padding) {
      this(SEQUENCE, everyMillis, padding);
    }

    Sequence(String category, long everyMillis, String padding) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  Trace.log(category, "n=" + next.get() + padding);
                  next.incrementAndGet();
                  try {
                    Thread.sleep(everyMillis);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "sequence");
      thread.setDaemon(true);
      thread.start();
      sequences.add(this);
    }

    /** The number the next log will carry: every smaller one has been committed. */
    long committed() {
      return next.get();
    }

    @Override
    public void close() {
      running.set(false);
      thread.interrupt();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The sequence numbers logged in a trace, checking that none is there twice. */
  static TreeSet<Long> sequenceNumbers(byte[] trace) {
    return sequenceNumbers(trace, SEQUENCE);
  }

  static TreeSet<Long> sequenceNumbers(byte[] trace, String category) {
    TreeSet<Long> seen = new TreeSet<>();
    for (RecordedEvent e : events(trace, "livetrace.Log")) {
      if (category.equals(e.getString("category"))) {
        long n = Long.parseLong(e.getString("message").substring(2).split(" ", 2)[0]);
        assertTrue(seen.add(n), "n=" + n + " is in the trace twice");
      }
    }
    return seen;
  }

  /** Fails unless the numbers run from their first to their last without a gap. */
  static void assertContiguous(TreeSet<Long> numbers, String what) {
    assertFalse(numbers.isEmpty(), what + " holds no sequence numbers");
    assertEquals(numbers.last() - numbers.first() + 1, numbers.size(), what + " lost events between " + numbers.first() + " and " + numbers.last());
  }

  private static Instant end(List<ChunkHeader> chunks) {
    return Instant.ofEpochSecond(0, chunks.get(chunks.size() - 1).endNanos());
  }

  private static Instant start(List<ChunkHeader> chunks) {
    return Instant.ofEpochSecond(0, chunks.get(0).startNanos());
  }

  // ---- the window --------------------------------------------------------------------------

  @Test
  void aWindowIsAValidFileThatEndsAtTheCallAndHoldsWhatCameBefore() throws Exception {
    FlightRecorder recorder = started(minAge(2));
    assertTrue(recorder.isEnabled());
    Task task = Trace.newTask("flight-recorder-test-before-the-window");
    try (Task.Scope scope = task.makeCurrent(); Region region = Trace.startRegion("region-before-the-window")) {
      Trace.log("flight-recorder-test", "logged just before the write");
    } finally {
      task.end();
    }

    Instant called = Instant.now();
    byte[] window = window(recorder);
    List<ChunkHeader> chunks = chunks(window);
    assertFalse(end(chunks).isBefore(called.minusMillis(20)), "the window ends at " + end(chunks) + ", before the call at " + called);
    TraceContents contents = new TraceContents(window);
    assertTrue(contents.ended(task.id()), "the task's end is not in the window");
    assertEquals("flight-recorder-test-before-the-window", contents.typeOf(task.id()));
    assertTrue(contents.hasRegion(task.id(), "region-before-the-window"));
    assertTrue(contents.hasLog(task.id(), "flight-recorder-test", "logged just before the write"));
    String summary = jfr(window, "summary");
    assertTrue(summary.contains("livetrace.TaskEnd"), summary);
    Set<String> types = events(window).stream().map(e -> e.getEventType().getName()).collect(Collectors.toSet());
    for (String secret : TraceOptions.sensitiveEvents()) {
      assertFalse(types.contains(secret), secret + " is in the window");
    }
  }

  @Test
  void aWindowReachesMinAgeBackAndAboutOneChunkMore() throws Exception {
    FlightRecorder recorder = started(minAge(2));
    Sequence sequence = new Sequence(20, "");
    // Twice the minimum age, so that JFR has dropped chunks by age.
    assertTrue(eventually(60, () -> Duration.between(recorder.startTime().orElseThrow(), Instant.now()).toMillis() > 4500));
    long lastBefore = sequence.committed() - 1;

    byte[] window = window(recorder);
    List<ChunkHeader> chunks = chunks(window);
    Duration age = Duration.between(start(chunks), end(chunks));
    assertTrue(age.compareTo(Duration.ofSeconds(2)) >= 0, "the window covers " + age + ", less than minAge");
    // One rotation (0.5 s for a 2 s minAge) plus the 0.2 s between looks, with room for a busy machine.
    assertTrue(age.compareTo(Duration.ofMillis(2000 + 500 + 200 + 1500)) <= 0, "the window covers " + age);
    assertTrue(chunks.size() >= 3, "the recorder did not cut chunks of its own: " + chunks.size());
    TreeSet<Long> numbers = sequenceNumbers(window);
    assertContiguous(numbers, "the window");
    assertTrue(numbers.last() >= lastBefore, "n=" + lastBefore + ", logged before the write, is not in the window");
    assertTrue(numbers.first() > 0, "the window reaches back to the start: JFR dropped nothing by age");
  }

  @Test
  void maxBytesWinsOverMinAgeAndBoundsTheDisk() throws Exception {
    long maxBytes = 4L << 20;
    FlightRecorder recorder = started(minAge(30).withMaxBytes(maxBytes));
    // About 2 MB/s of logs: the budget holds two seconds of them, far less than minAge.
    String padding = " " + "x".repeat(1000);
    List<Sequence> writers = List.of(new Sequence(SEQUENCE, 1, padding), new Sequence(SEQUENCE + "-2", 1, padding));
    long mostOnDisk = 0;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    while (System.nanoTime() < until) {
      mostOnDisk = Math.max(mostOnDisk, repositoryBytes());
      Thread.sleep(20);
    }
    byte[] window = window(recorder);
    assertTrue(writers.get(0).committed() > 500, "the writers hardly ran");

    List<ChunkHeader> chunks = chunks(window);
    long largestChunk = chunks.stream().mapToLong(ChunkHeader::chunkSize).max().orElseThrow();
    System.out.println("window " + window.length + " bytes in " + chunks.size() + " chunks (largest " + largestChunk
        + "); disk at most " + mostOnDisk);
    assertTrue(window.length <= maxBytes, "the window has " + window.length + " bytes, over " + maxBytes);
    assertTrue(chunks.size() >= 2, "chunks too large for the budget: " + chunks.size());
    Duration age = Duration.between(start(chunks), end(chunks));
    assertTrue(age.compareTo(Duration.ofSeconds(30)) < 0, "the budget did not win: " + age);
    assertContiguous(sequenceNumbers(window), "the window");
    assertContiguous(sequenceNumbers(window, SEQUENCE + "-2"), "the window");
    // maxBytes of finished chunks, plus the one being written: its limit (512 KB here) and what
    // JFR writes before the next look at it (it writes its buffers about once a second).
    long bound = maxBytes + (3L << 20);
    assertTrue(mostOnDisk <= bound, "JFR's repository held " + mostOnDisk + " bytes, over " + bound);
    assertTrue(recorder.windowBytes() > 0);
  }

  private static long repositoryBytes() {
    long sum = 0;
    for (Path f : repositoryChunkFiles()) {
      try {
        sum += Files.size(f);
      } catch (IOException | UncheckedIOException e) {
        // removed meanwhile
      }
    }
    return sum;
  }

  @Test
  void runsAlongsideATraceAndNeitherLosesNorDoublesAnEvent() throws Exception {
    FlightRecorder recorder = started(minAge(10)); // rotates every 2 s: slower than the trace
    Sequence sequence = new Sequence(5, "");
    ByteArrayOutputStream traceOut = new ByteArrayOutputStream();
    long interval = 400;
    TraceSession session = Trace.start(traceOut, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(interval)));
    long tracedFrom = sequence.committed();
    long began = System.nanoTime();
    assertTrue(eventually(60, () -> session.chunksWritten() >= 2));
    byte[] during = window(recorder);
    assertTrue(eventually(60, () -> session.chunksWritten() >= 4));
    long tracedTo = sequence.committed() - 1;
    Trace.stop();
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    byte[] after = window(recorder);

    byte[] trace = traceOut.toByteArray();
    new TraceContents(trace);
    TreeSet<Long> traced = sequenceNumbers(trace);
    assertContiguous(traced, "the trace");
    assertTrue(traced.first() <= tracedFrom && traced.last() >= tracedTo, "the trace misses some of n=" + tracedFrom + ".." + tracedTo);
    // The trace's own chunks: an early first one, one per interval, the last, and one cut by the
    // window write; none by the flight recorder's schedule.
    int traceChunks = chunks(trace).size();
    assertTrue(traceChunks <= elapsedMillis / interval + 4, traceChunks + " chunks in " + elapsedMillis + " ms");

    for (byte[] window : List.of(during, after)) {
      new TraceContents(window);
      assertContiguous(sequenceNumbers(window), "a window");
    }
    TreeSet<Long> windowed = sequenceNumbers(after);
    assertTrue(windowed.first() <= tracedFrom && windowed.last() >= tracedTo, "the window misses what the trace had");
  }

  // ---- one at a time, errors, nothing left ------------------------------------------------------

  @Test
  void oneFlightRecorderPerJvmAndOneWriteAtATimeAsInGo() throws Exception {
    FlightRecorder recorder = started(minAge(2));
    IllegalStateException again = assertThrows(IllegalStateException.class, recorder::start);
    assertTrue(again.getMessage().contains("already running"), again.getMessage());
    FlightRecorder other = new FlightRecorder(FlightRecorderOptions.defaults().withSnapshotDirectory(snapshots));
    recorders.add(other);
    IllegalStateException second = assertThrows(IllegalStateException.class, other::start);
    assertTrue(second.getMessage().contains("at most one"), second.getMessage());
    assertFalse(other.isEnabled());
    assertEquals(recorder, FlightRecorder.current().orElseThrow());

    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    OutputStream stalled =
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            writing.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    CompletableFuture<Long> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return recorder.writeTo(stalled);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    assertTrue(writing.await(60, TimeUnit.SECONDS));
    IllegalStateException busy = assertThrows(IllegalStateException.class, () -> recorder.writeTo(new ByteArrayOutputStream()));
    assertTrue(busy.getMessage().contains("in progress"), busy.getMessage());
    release.countDown();
    assertTrue(first.get(60, TimeUnit.SECONDS) > 0);
    assertTrue(window(recorder).length > 0, "the slot was not freed");

    recorder.stop();
    assertFalse(recorder.isEnabled());
    IllegalStateException stopped = assertThrows(IllegalStateException.class, () -> recorder.writeTo(new ByteArrayOutputStream()));
    assertTrue(stopped.getMessage().contains("not running"), stopped.getMessage());
    other.start(); // the JVM's one slot is free again
    assertTrue(other.isEnabled());
  }

  @Test
  void startStopCyclesLeaveNoRecordingThreadOrFile() throws Exception {
    for (int i = 0; i < 5; i++) {
      FlightRecorder recorder = started(minAge(1));
      String message = "cycle " + i;
      Trace.log(SEQUENCE, message);
      assertTrue(events(window(recorder), "livetrace.Log").stream().anyMatch(e -> e.getString("message").equals(message)));
      recorder.stop();
      recorder.stop(); // idempotent
    }
    assertTrue(jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().isEmpty(), "a recording was left");
    assertTrue(recorderThreads().isEmpty(), "threads left: " + recorderThreads());
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "files left: " + repositoryChunkFiles());
  }

  @Test
  void badOptionsAreRejectedWithWhatIsAccepted() {
    FlightRecorderOptions o = FlightRecorderOptions.defaults();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> o.withMinAge(Duration.ofMillis(10))).getMessage().contains("between 1s and"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> o.withMaxBytes(1000)).getMessage().contains("between 1MB and 1GB"));
    assertThrows(IllegalArgumentException.class, () -> o.withMaxSnapshots(0));
    assertThrows(IllegalArgumentException.class, () -> o.withSnapshotMinInterval(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> o.withSnapshotDelay(Duration.ofMinutes(2)));
    assertThrows(IllegalArgumentException.class, () -> o.withConfiguration("../etc/passwd"));
    FlightRecorder recorder = new FlightRecorder(o);
    assertThrows(IllegalArgumentException.class, () -> recorder.snapshotOnSlowTask("", Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> recorder.snapshotOnSlowTask("order", Duration.ZERO));
    assertEquals(Duration.ofSeconds(10), o.minAge());
    assertEquals(10L << 20, o.maxBytes());
  }

  // ---- secrets and outside actions ---------------------------------------------------------

  @Test
  void chunksWithSecretsFromAnotherRecordingAreLeftOutOfTheWindow() throws Exception {
    String secret = "fr-secret-" + Long.toHexString(System.nanoTime());
    System.setProperty("livetrace.flight.recorder.test.password", secret);
    try {
      FlightRecorder recorder = new FlightRecorder(minAge(10).withSnapshotDirectory(snapshots));
      recorders.add(recorder);
      try (jdk.jfr.Recording leaky = leakyRecording()) {
        SecurityException refused = assertThrows(SecurityException.class, recorder::start);
        assertTrue(refused.getMessage().contains("jdk.InitialSystemProperty"), refused.getMessage());
      }
      recorder.start();
      Sequence sequence = new Sequence(10, "");
      try (jdk.jfr.Recording leaky = leakyRecording()) {
        // Its start began a chunk that holds every system property: the newest chunk.
        SecurityException e = assertThrows(SecurityException.class, () -> window(recorder));
        assertTrue(e.getMessage().contains("jdk.InitialSystemProperty"), e.getMessage());
        assertTrue(recorder.isEnabled(), "the flight recorder stopped for another recording");
      }
      long afterLeak = sequence.committed();
      Thread.sleep(300); // some events after the leaky recording, in a clean chunk
      byte[] window = window(recorder);
      assertFalse(new String(window, java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret), "the secret is in the window");
      assertTrue(events(window).stream().noneMatch(e -> e.getEventType().getName().equals("jdk.InitialSystemProperty")));
      TreeSet<Long> numbers = sequenceNumbers(window);
      assertContiguous(numbers, "the window");
      assertTrue(numbers.contains(afterLeak), "the clean chunks after the leak are not in the window");
    } finally {
      System.clearProperty("livetrace.flight.recorder.test.password");
    }
  }

  private static jdk.jfr.Recording leakyRecording() {
    jdk.jfr.Recording leaky = new jdk.jfr.Recording();
    leaky.enable("jdk.InitialSystemProperty").with("period", "beginChunk");
    leaky.start();
    return leaky;
  }

  private static long recordingId() {
    return jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().stream()
        .filter(r -> r.getName().equals(WindowRecorder.RECORDING_NAME))
        .findFirst()
        .orElseThrow()
        .getId();
  }

  private void assertStoppedFromOutside(FlightRecorder recorder, String... words) throws Exception {
    assertTrue(eventually(30, () -> !recorder.isEnabled()), "the flight recorder did not notice");
    TraceFailure failure = recorder.failure().orElseThrow(() -> new AssertionError("no failure reported"));
    assertEquals(TraceFailure.Reason.RECORDING_CLOSED, failure.reason());
    for (String word : words) {
      assertTrue(failure.getMessage().contains(word), "'" + word + "' not in: " + failure.getMessage());
    }
    assertTrue(eventually(30, () -> recorderThreads().isEmpty()), () -> "threads left: " + recorderThreads());
    assertTrue(eventually(30, () -> jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().isEmpty()), "a recording was left");
    assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "files left: " + repositoryChunkFiles());
    assertTrue(recorder.snapshot("after the outside stop").isCompletedExceptionally());
    recorder.start(); // and it can start again
    assertTrue(recorder.isEnabled());
    assertTrue(recorder.failure().isEmpty());
  }

  @Test
  void stoppedThroughTheMxBeanAsJdkMissionControlDoes() throws Exception {
    long failed = io.github.livetrace.internal.FlightRecorderStats.failedCount(TraceFailure.Reason.RECORDING_CLOSED);
    FlightRecorder recorder = started(minAge(2));
    java.lang.management.ManagementFactory.getPlatformMXBean(jdk.management.jfr.FlightRecorderMXBean.class).stopRecording(recordingId());
    assertStoppedFromOutside(recorder, "stopped from outside");
    assertEquals(failed + 1, io.github.livetrace.internal.FlightRecorderStats.failedCount(TraceFailure.Reason.RECORDING_CLOSED));
  }

  @Test
  void stoppedByAnOperatorWithJcmd() throws Exception {
    FlightRecorder recorder = started(minAge(2));
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(ProcessHandle.current().pid()), "JFR.stop", "name=" + WindowRecorder.RECORDING_NAME)
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jcmd did not finish");
    String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), said);
    assertStoppedFromOutside(recorder, "from outside");
  }

  @Test
  void closedByCodeThatClosesEveryRecording() throws Exception {
    FlightRecorder recorder = started(minAge(2));
    Thread closer = new Thread(() -> jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().forEach(jdk.jfr.Recording::close), "closes-everything");
    closer.start();
    closer.join();
    assertStoppedFromOutside(recorder, "from outside", "closes-everything");
  }

  @Test
  void theJvmsExitIsNoFailure() {
    io.github.livetrace.testing.ChildJvm.Result exit =
        io.github.livetrace.testing.ChildJvm.run(List.of(), java.util.Map.of(), RunsUntilExit.class);
    assertEquals(0, exit.exitCode(), exit.output());
    assertTrue(exit.output().contains("at exit: failure=none"), "JFR's shutdown hook was taken for an outside stop: " + exit.output());
  }

  /**
   * Leaves the JVM with a flight recorder running, as an application does, and says, from a
   * shutdown hook of its own (they run alongside JFR's), whether it saw a failure within 2 s.
   */
  public static final class RunsUntilExit {
    public static void main(String[] args) {
      FlightRecorder recorder = new FlightRecorder(FlightRecorderOptions.defaults().withMinAge(Duration.ofSeconds(1)));
      recorder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        eventually(2, () -> recorder.failure().isPresent());
        System.out.println("at exit: failure=" + recorder.failure().map(TraceFailure::getMessage).orElse("none"));
      }));
    }
  }
}
