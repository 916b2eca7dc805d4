package io.github.livetrace.cli.internal.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.Trace;
import io.github.livetrace.TraceOptions;
import io.github.livetrace.TraceSession;
import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.TraceFiles;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@code synchronized} that waits across chunk rotations keeps its stack in livetrace's decoder,
 * though on JDK 17 the JVM writes it into the chunk where the wait began ({@link
 * EarlierStackTraces}).
 */
class EarlierStackTracesTest {
  /** The monitor, of a class of its own, so that its events are told from the JVM's. */
  static final class Counter {}

  private static final Counter COUNTER = new Counter();
  private static final int WAITERS = 3;

  private static byte[] trace;
  private static List<ChunkHeader> chunks;

  /**
   * A holder takes the monitor; {@link #WAITERS} threads block on it, one after the other, each
   * for three more chunks, and each acquires it when the holder lets go.
   */
  @BeforeAll
  static void record() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceSession session = Trace.start(out, TraceOptions.defaults().withChunkInterval(Duration.ofMillis(100)));
    try {
      for (int i = 0; i < WAITERS; i++) {
        waitAcrossChunks(session, "waiter-" + i);
      }
    } finally {
      Trace.stop();
    }
    assertTrue(session.failure().isEmpty(), () -> "trace failed: " + session.failure());
    trace = out.toByteArray();
    chunks = TraceFiles.chunks(trace);
  }

  private static void waitAcrossChunks(TraceSession session, String name) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (COUNTER) {
        held.countDown();
        awaitQuietly(release);
      }
    }, "holder");
    holder.start();
    held.await();
    Thread waiter = new Thread(EarlierStackTracesTest::enterContended, name);
    waiter.start();
    assertTrue(TraceFiles.eventually(60, () -> waiter.getState() == Thread.State.BLOCKED), "the waiter blocks");
    // The first of three more chunks may have been rotated before the wait began; the third was not.
    int until = session.chunksWritten() + 3;
    assertTrue(TraceFiles.eventually(60, () -> session.chunksWritten() >= until), "three more chunks written");
    release.countDown();
    waiter.join(60_000);
    holder.join(60_000);
    assertFalse(waiter.isAlive() || holder.isAlive(), "both threads ended");
  }

  private static void enterContended() {
    synchronized (COUNTER) {
      LockSupport.parkNanos(1_000);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A monitor enter of one of the waiters, as the decoder gives it. */
  record Enter(String thread, long startNanos, int chunk, List<String> methods) {}

  private static List<Enter> decode(Path file, List<ChunkHeader> chunks) throws Exception {
    List<Enter> enters = new ArrayList<>();
    new JfrDecoder(file, chunks).decode(new JfrEventHandler() {
      int chunk;

      @Override
      public EventSelection select(JfrType type) {
        return type.name().equals("jdk.JavaMonitorEnter")
            ? EventSelection.of(1, "monitorClass").withStackTrace() : EventSelection.of(0);
      }

      @Override
      public void beginChunk(int index) {
        chunk = index;
      }

      @Override
      public void event(JfrEvent event) {
        if (event.tag() == 1 && JfrObject.className(event.value(0)).equals(Counter.class.getName())) {
          List<String> methods = new ArrayList<>();
          JfrObject stack = event.stackTrace();
          assertEquals(stack != null, event.hasStackTrace(), "hasStackTrace agrees with stackTrace");
          for (Object frame : stack == null ? List.of() : stack.array("frames")) {
            methods.add(((JfrObject) frame).object("method").object("name").string("string"));
          }
          enters.add(new Enter(event.thread().javaName(), event.startNanos(), chunk, methods));
        }
      }
    });
    return enters;
  }

  @Test
  void aWaitAcrossRotationsHasTheStackItBeganWith() throws Exception {
    List<Enter> enters = decode(TraceFiles.write(trace), chunks);
    List<RecordedEvent> recorded = TraceFiles.events(trace, "jdk.JavaMonitorEnter");
    for (int i = 0; i < WAITERS; i++) {
      String name = "waiter-" + i;
      List<Enter> ofWaiter = enters.stream().filter(e -> e.thread().equals(name)).toList();
      assertEquals(1, ofWaiter.size(), () -> name + ": " + enters);
      Enter enter = ofWaiter.get(0);
      assertTrue(enter.startNanos() < chunks.get(enter.chunk()).startNanos(),
          () -> name + " waited across a rotation: " + enter + ", chunks " + chunks);
      assertFalse(enter.methods().isEmpty(), () -> name + " has a stack: " + enter);
      assertEquals("enterContended", enter.methods().get(0), () -> name + ": " + enter.methods());
      RecordedEvent jdk = recorded.stream().filter(e -> e.getThread().getJavaName().equals(name)).findFirst().orElseThrow();
      if (jdk.getStackTrace() != null) { // JDK 25; JDK 17's RecordingFile has none
        assertEquals(jdk.getStackTrace().getFrames().stream().map(RecordedFrame::getMethod).map(m -> m.getName()).toList(),
            enter.methods(), name + ": the stack RecordingFile gives");
      } else {
        System.err.println(name + ": RecordingFile gives no stack; the decoder found it in the chunk the wait began in");
      }
    }
  }

  /** Chunks are searched in time order: a file of chunks in reverse order ({@code cat} of pieces). */
  @Test
  void aStackIsFoundWhateverTheFileOrderOfTheChunks() throws Exception {
    List<Enter> inOrder = decode(TraceFiles.write(trace), chunks);
    ByteArrayOutputStream reversed = new ByteArrayOutputStream();
    long[] starts = new long[chunks.size()];
    for (int i = 1; i < chunks.size(); i++) {
      starts[i] = starts[i - 1] + chunks.get(i - 1).chunkSize();
    }
    for (int i = chunks.size() - 1; i >= 0; i--) {
      reversed.write(trace, (int) starts[i], (int) chunks.get(i).chunkSize());
    }
    byte[] bytes = reversed.toByteArray();
    List<Enter> fromReversed = decode(TraceFiles.write(bytes), TraceFiles.chunks(bytes));
    assertEquals(inOrder.stream().map(Enter::methods).toList(), fromReversed.stream().map(Enter::methods).toList());
  }

  /** Without the chunk where the wait began, the event has no stack, rather than another's. */
  @Test
  void aStackWhoseChunkIsNotInTheFileStaysMissing() throws Exception {
    List<Enter> enters = decode(TraceFiles.write(trace), chunks);
    Enter last = enters.stream().filter(e -> e.thread().equals("waiter-" + (WAITERS - 1))).findFirst().orElseThrow();
    int began = 0;
    while (began + 1 < chunks.size() && chunks.get(began + 1).startNanos() <= last.startNanos()) {
      began++;
    }
    long from = chunks.subList(0, began + 1).stream().mapToLong(ChunkHeader::chunkSize).sum();
    byte[] rest = Arrays.copyOfRange(trace, (int) from, trace.length);
    List<ChunkHeader> restChunks = TraceFiles.chunks(rest);
    Enter cut = decode(TraceFiles.write(rest), restChunks).stream()
        .filter(e -> e.thread().equals(last.thread())).findFirst().orElse(null);
    assertNotNull(cut, "the last waiter's monitor enter is in the chunks after the one its wait began in");
    List<RecordedEvent> recorded = TraceFiles.events(rest, "jdk.JavaMonitorEnter");
    boolean jdkHasIt = recorded.stream().filter(e -> e.getThread().getJavaName().equals(last.thread()))
        .anyMatch(e -> e.getStackTrace() != null);
    assertEquals(jdkHasIt ? last.methods() : List.of(), cut.methods(),
        "the stack is the JDK's own when its chunk has it, else none");
  }
}
