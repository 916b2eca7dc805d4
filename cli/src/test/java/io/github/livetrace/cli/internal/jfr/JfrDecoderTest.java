package io.github.livetrace.cli.internal.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Region;
import io.github.livetrace.Task;
import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.cli.internal.Timestamps;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.internal.EventNames;
import io.github.livetrace.internal.LogEvent;
import io.github.livetrace.internal.RegionEvent;
import io.github.livetrace.internal.TaskBeginEvent;
import io.github.livetrace.internal.TaskEndEvent;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decoder against the JDK's {@link RecordingFile}, on a trace recorded here, on this JDK, by
 * the core recorder: event for event, in file order, the same types, times, threads and fields,
 * over many chunks, with strings in every encoding and threads with odd names.
 */
class JfrDecoderTest {
  /**
   * Texts for types, categories and messages, chosen for how JFR writes them: short ones inline
   * as chars; longer ones through the string pool (from 17 chars; on JDK 17 up to 127), whose
   * entries the JVM writes as UTF-8 or Latin-1 bytes; long messages inline again on JDK 17; text
   * outside Latin-1 (chars of two and three bytes, surrogate pairs); and the empty string.
   */
  static final List<String> TEXTS = List.of(
      "brew",
      "espresso with oat milk, extra hot",
      "long " + "y".repeat(300),
      "caf\u00e9 \u2615 \u5317\u4eac",
      "na\u00efve fa\u00e7ade \u2014 \u6771\u4eac \u2615 " + "z".repeat(20),
      "emoji \ud83d\ude00 pair",
      "\u00ff latin-1 only \u00e9\u00e8",
      "");

  static final List<String> THREAD_NAMES = List.of(
      "", " ", "tab\tand\nnewline", "caf\u00e9 \u2615 \u5317\u4eac", "t".repeat(300), "quote\"'\\", "\ud83d\ude00");

  private static Path trace;
  private static List<ChunkHeader> chunks;

  @BeforeAll
  static void record() throws Exception {
    TraceOptions options = TraceOptions.defaults()
        .withChunkInterval(Duration.ofMillis(100))
        .withSetting("jdk.ThreadSleep#threshold", "0 ms")
        .withSetting("jdk.ThreadPark#threshold", "0 ms")
        .withSetting("jdk.ExecutionSample#period", "10 ms");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, options);
    try {
      workload(session);
    } finally {
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    byte[] bytes = out.toByteArray();
    chunks = TraceFiles.chunks(bytes);
    trace = TraceFiles.write(bytes);
  }

  /**
   * Tasks, regions and logs of every text, on threads of every name, over many chunks: until the
   * recorder has written 8, which it counts once a chunk is whole in the output.
   */
  private static void workload(TraceSession session) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(THREAD_NAMES.size());
    for (String name : THREAD_NAMES) {
      Thread thread = new Thread(() -> {
        try {
          while (session.chunksWritten() < 8) {
            for (String text : TEXTS) {
              annotate(text);
            }
            spinFor(Duration.ofMillis(5));
            Thread.sleep(5);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      }, name);
      thread.start();
    }
    assertTrue(done.await(120, TimeUnit.SECONDS), "the workload threads finished");
    nullStrings();
    System.gc();
  }

  @SuppressWarnings("try") // scopes and regions are closed, not used
  private static void annotate(String text) {
    Task task = Trace.newTask(text);
    try (Task.Scope scope = task.makeCurrent(); Region region = Trace.startRegion(text)) {
      Trace.log(text, text);
      Trace.log("message", text);
    } finally {
      task.end();
    }
  }

  /** The API turns null into "": these events are committed as an older writer might have. */
  private static void nullStrings() {
    TaskBeginEvent begin = new TaskBeginEvent();
    begin.taskId = 42;
    begin.commit();
    RegionEvent region = new RegionEvent();
    region.begin();
    region.end();
    region.commit();
    LogEvent log = new LogEvent();
    log.commit();
    TaskEndEvent end = new TaskEndEvent();
    end.taskId = 42;
    end.taskDuration = 7;
    end.commit();
  }

  private static void spinFor(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    long x = 0;
    while (System.nanoTime() < until) {
      x += System.identityHashCode(new Object());
    }
    if (x == 42) {
      throw new AssertionError();
    }
  }

  /** How far apart the chunk headers' clock pairs put the same instant, plus a nanosecond of rounding. */
  static long clockSpread(List<ChunkHeader> chunks) {
    ChunkHeader first = chunks.get(0);
    double ticksPerNano = first.ticksPerSecond() / 1e9;
    long spread = 0;
    for (ChunkHeader c : chunks) {
      long predicted = first.startNanos() + (long) ((c.startTicks() - first.startTicks()) / ticksPerNano);
      spread = Math.max(spread, Math.abs(c.startNanos() - predicted));
    }
    return spread + 1;
  }

  @Test
  void everyEventMatchesRecordingFileInFileOrder() throws Exception {
    assertTrue(chunks.size() >= 5, "many chunks, was " + chunks.size());
    Comparison comparison = new Comparison();
    try (RecordingFile recording = new RecordingFile(trace)) {
      comparison.recording = recording;
      long decoded = new JfrDecoder(trace, chunks).decode(comparison);
      assertFalse(recording.hasMoreEvents(), "RecordingFile has events the decoder did not hand over");
      assertEquals(comparison.compared, decoded);
    }
    assertTrue(comparison.livetraceEvents > 1000, "livetrace events: " + comparison.livetraceEvents);
    assertTrue(comparison.textsSeen.containsAll(TEXTS), () -> "texts decoded: " + comparison.textsSeen);
    assertTrue(comparison.textsSeen.contains(null), "null strings decoded");
    List<String> missing = new ArrayList<>(THREAD_NAMES);
    // The JVM writes thread names in modified UTF-8, where a char outside the Basic Multilingual
    // Plane is two three-byte surrogates: both readers decode such a name to replacement chars.
    missing.removeIf(name -> name.codePoints().anyMatch(Character::isSupplementaryCodePoint));
    missing.removeAll(comparison.threadNamesSeen);
    assertEquals(List.of(), missing, "thread names not seen");
    assertTrue(comparison.jdkEvents > 0, "JDK events too");
    assertTrue(comparison.stackFramesCompared > 100, "stack frames: " + comparison.stackFramesCompared);
  }

  @Test
  void countsPerTypeMatchRecordingFileWhetherDecodedInOrderOrOnSeveralThreads() throws Exception {
    Map<String, Long> expected = new TreeMap<>();
    try (RecordingFile recording = new RecordingFile(trace)) {
      while (recording.hasMoreEvents()) {
        expected.merge(recording.readEvent().getEventType().getName(), 1L, Long::sum);
      }
    }
    Counter inOrder = new Counter();
    long events = new JfrDecoder(trace, chunks).decode(inOrder);
    assertEquals(expected, inOrder.counts);
    assertEquals(expected.values().stream().mapToLong(Long::longValue).sum(), events);

    Counter merged = new Counter();
    List<Integer> chunksDone = new ArrayList<>();
    List<Counter> counters = new ArrayList<>();
    long parallelEvents = new JfrDecoder(trace, chunks).decode(3, Counter::new, counter -> {
      counters.add(counter);
      chunksDone.addAll(counter.chunks);
      counter.counts.forEach((type, count) -> merged.counts.merge(type, count, Long::sum));
    });
    assertEquals(expected, merged.counts);
    assertEquals(events, parallelEvents);
    assertEquals(3, counters.size(), "a handler per thread");
    chunksDone.sort(null);
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      all.add(i);
    }
    assertEquals(all, chunksDone, "every chunk once");
  }

  @Test
  void aThreadRenamedWhileRecordingHasTheNameEachChunkGivesIt() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)));
    // Each phase logs until three more chunks are written. The first of them may have begun before
    // the phase (it was rotated, not yet counted), but the third began inside it: the phase's last
    // log lies in a chunk that began after the phase did, which names the thread as it was then.
    Thread thread = new Thread(() -> {
      logUntilThreeMoreChunks("before", session);
      Thread.currentThread().setName("after the rename");
      logUntilThreeMoreChunks("after", session);
    }, "before the rename");
    try {
      thread.start();
      thread.join(120_000);
      assertFalse(thread.isAlive(), "the logging thread finished");
    } finally {
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    byte[] bytes = out.toByteArray();
    List<String> names = new ArrayList<>(); // of the logging thread, per "before" and "after" log
    List<String> phases = new ArrayList<>();
    new JfrDecoder(TraceFiles.write(bytes), TraceFiles.chunks(bytes)).decode(new JfrEventHandler() {
      @Override
      public EventSelection select(JfrType type) {
        return type.name().equals(EventNames.LOG) ? EventSelection.of(1, "category") : EventSelection.of(0);
      }

      @Override
      public void event(JfrEvent event) {
        if (event.tag() == 1 && List.of("before", "after").contains(event.string(0))) {
          phases.add(event.string(0));
          names.add(event.thread().javaName());
        }
      }
    });
    assertEquals("before", phases.get(0));
    assertEquals("before the rename", names.get(0), "in the chunks written before the rename");
    assertEquals("after", phases.get(phases.size() - 1));
    assertEquals("after the rename", names.get(names.size() - 1), "in the chunks written after it");
  }

  private static void logUntilThreeMoreChunks(String category, TraceSession session) {
    int until = session.chunksWritten() + 3;
    do {
      Trace.log(category, "tick");
      LockSupport.parkNanos(1_000_000); // a log a millisecond, not a flood
    } while (session.chunksWritten() < until);
  }

  /** Decodes every field of livetrace events, and compares each event with RecordingFile's. */
  private static final class Comparison implements JfrEventHandler {
    final long clockSpread = clockSpread(chunks);
    RecordingFile recording;
    long compared;
    long livetraceEvents;
    long jdkEvents;
    long stackFramesCompared;
    long framesWithoutMethod;
    final Set<String> textsSeen = new HashSet<>();
    final Set<String> threadNamesSeen = new HashSet<>();

    @Override
    public EventSelection select(JfrType type) {
      if (!EventNames.ALL.contains(type.name())) {
        return EventSelection.of(0).withStackTrace();
      }
      List<String> fields = new ArrayList<>();
      for (JfrField field : type.fields()) {
        if (!List.of("startTime", "duration", "eventThread", "stackTrace").contains(field.name())) {
          fields.add(field.name());
        }
      }
      return new EventSelection(1, fields, true);
    }

    @Override
    public void event(JfrEvent event) throws IOException {
      assertTrue(recording.hasMoreEvents(), "RecordingFile ended before event " + compared);
      RecordedEvent expected = recording.readEvent();
      String where = "event " + compared + " (" + expected.getEventType().getName() + ")";
      assertEquals(expected.getEventType().getName(), event.type().name(), where);
      assertTime(Timestamps.nanos(expected.getStartTime()), event.startNanos(), where + " start");
      assertTime(Timestamps.nanos(expected.getEndTime()), event.endNanos(), where + " end");
      assertEquals(expected.getDuration().toNanos(), event.durationNanos(), where + " duration");
      if (expected.getStackTrace() == null && event.hasStackTrace()) {
        // JDK 17 left the stack in the chunk the wait began in, where the decoder finds it.
        assertEquals("jdk.JavaMonitorEnter", event.type().name(), where + " has a stack RecordingFile lacks");
      } else {
        assertEquals(expected.getStackTrace() != null, event.hasStackTrace(), where + " stack trace");
        assertSameStack(expected.getStackTrace(), event.stackTrace(), where);
      }
      assertSameThread(expected.getThread(), event.thread(), where);
      if (event.tag() == 1) {
        livetraceEvents++;
        List<String> fields = select(event.type()).fields();
        for (int slot = 0; slot < fields.size(); slot++) {
          String name = fields.get(slot);
          Object value = expected.getValue(name);
          assertTrue(event.has(slot), where + " has " + name);
          String fieldType = event.type().field(name).type().name();
          if (fieldType.equals("java.lang.String")) {
            assertEquals(value, event.string(slot), where + " " + name);
            textsSeen.add(event.string(slot));
          } else if (fieldType.equals("java.lang.Thread")) {
            assertSameThread(expected.getThread(name), event.thread(slot), where + " " + name);
          } else if (value instanceof Boolean) {
            assertEquals((Boolean) value ? 1 : 0, event.longValue(slot), where + " " + name);
          } else {
            assertEquals(((Number) value).longValue(), event.longValue(slot), where + " " + name);
          }
        }
      } else {
        jdkEvents++;
      }
      compared++;
    }

    /**
     * The decoder converts ticks with the first chunk's clock pair, as JDK 25's RecordingFile does.
     * JDK 17's converts them with the pair of the chunk whose metadata its parsers were built from,
     * which changes when a chunk brings new metadata, at times that depend on the machine's load;
     * the chunks' pairs disagree by up to {@link #clockSpread} ns.
     */
    private void assertTime(long expected, long actual, String where) {
      if (Runtime.version().feature() >= 25) {
        assertEquals(expected, actual, where);
      } else {
        assertTrue(Math.abs(expected - actual) <= clockSpread, () -> where + ": " + actual + " ns, RecordingFile "
            + expected + " ns, more apart than the chunks' clocks (" + clockSpread + " ns)");
      }
    }

    private void assertSameStack(RecordedStackTrace expected, JfrObject actual, String where) {
      if (expected == null) {
        assertNull(actual, where + " has no stack trace");
        return;
      }
      assertNotNull(actual, where + " has a stack trace");
      assertEquals(expected.isTruncated(), actual.booleanValue("truncated"), where + " truncated");
      List<RecordedFrame> frames = expected.getFrames();
      List<Object> decoded = actual.array("frames");
      assertEquals(frames.size(), decoded.size(), where + " frames");
      for (int i = 0; i < frames.size(); i++) {
        RecordedFrame frame = frames.get(i);
        JfrObject method = ((JfrObject) decoded.get(i)).object("method");
        String at = where + " frame " + i;
        assertEquals(frame.getLineNumber(), ((JfrObject) decoded.get(i)).longValue("lineNumber", -1), at);
        if (frame.getMethod() == null) {
          // The chunk's pool lacks the method the frame names: seen once in CI on JDK 17.0.15 under
          // load, with a chunk rotated every 100 ms. (The JDK has had such bugs in how a rotation
          // writes methods, JDK-8288482 fixed in 19.) Both readers must then say it is unknown.
          assertNull(method, at + ": RecordingFile resolves no method, the decoder one");
          framesWithoutMethod++;
          System.err.println(at + ": no method in the pool, in both readers");
          continue;
        }
        assertNotNull(method, at + ": the decoder resolves no method, RecordingFile one");
        assertEquals(frame.getMethod().getName(), method.object("name").string("string"), at);
        assertEquals(frame.getMethod().getType().getName(),
            method.object("type").object("name").string("string").replace('/', '.'), at);
        stackFramesCompared++;
      }
    }

    private void assertSameThread(RecordedThread expected, JfrThread actual, String where) {
      if (expected == null) {
        assertNull(actual, where + " has no thread");
        return;
      }
      assertNotNull(actual, where + " has a thread");
      assertEquals(expected.getJavaName(), actual.javaName(), where + " Java name");
      assertEquals(expected.getOSName(), actual.osName(), where + " OS name");
      assertEquals(javaId(expected.getJavaThreadId()), javaId(actual.javaThreadId()), where + " Java id");
      if (!actual.isVirtual()) {
        assertEquals(expected.getOSThreadId(), actual.osThreadId(), where + " OS id");
      }
      threadNamesSeen.add(actual.javaName());
    }

    /** JDK 21 and later report 0, the id of no Java thread, as -1. */
    private static long javaId(long id) {
      return id == 0 ? -1 : id;
    }
  }

  /** Counts events per type, and notes the chunks it was given. */
  private static final class Counter implements JfrEventHandler {
    final Map<String, Long> counts = new HashMap<>();
    final List<Integer> chunks = new ArrayList<>();

    @Override
    public EventSelection select(JfrType type) {
      return EventSelection.of(0);
    }

    @Override
    public void beginChunk(int index) {
      chunks.add(index);
    }

    @Override
    public void event(JfrEvent event) {
      counts.merge(event.type().name(), 1L, Long::sum);
    }
  }
}
