package io.github.livetrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace keeps up with an application that writes events far faster than any real service: JFR's
 * chunks are read back at disk speed on every JDK, so they do not pile up on disk until the write
 * timeout ends the trace (on JDK 17 JFR's own stream reads a byte at a time, and a trace above
 * ~15 MB/s of events used to end with {@code write_timeout}).
 */
class EventRateTest {
  private static final String TYPE = "livetrace.test.Bulk";
  private static final int EVENT_BYTES = 1_000;
  private static final long BYTES_PER_SECOND = 100L << 20;

  @Name(TYPE)
  static final class Bulk extends Event {
    String text; // past 128 characters JFR writes a string inline, each event its own bytes
    long sequence;
  }

  @AfterEach
  void cleanUp() {
    Trace.stop();
  }

  @Test
  void aTraceFollowsAHundredMegabytesOfEventsASecond(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trace.jfr");
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong written = new AtomicLong();
    TraceSession session;
    Thread writer;
    long started;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      session =
          Trace.start(
              out,
              TraceOptions.defaults()
                  .withDuration(Duration.ofSeconds(4))
                  .withSetting(TYPE + "#enabled", "true")
                  // Each second's chunks must be read back within 3 s: at JDK 17's byte-at-a-time
                  // stream 100 MB take 2.5 s to check and copy, and the backlog grows each second.
                  .withWriteTimeout(Duration.ofSeconds(3)));
      started = System.nanoTime();
      writer = new Thread(() -> writeAtRate(writing, written), "bulk-events");
      writer.start();
      assertTrue(session.awaitTermination(Duration.ofSeconds(120)));
      writing.set(false);
      writer.join(TimeUnit.SECONDS.toMillis(30));
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertTrue(session.failure().isEmpty(), () -> "the trace ended with " + session.failure());

    long size = Files.size(file);
    long events = 0;
    long highest = -1;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        if (e.getEventType().getName().equals(TYPE)) {
          events++;
          highest = Math.max(highest, e.getLong("sequence"));
        }
      }
    }
    System.out.printf(
        "EventRateTest: %d events of ~%d B written (%.0f MB/s over %.1f s); the trace holds %d of them, %d MB%n",
        written.get(), EVENT_BYTES, written.get() * (double) EVENT_BYTES / (1 << 20) / seconds, seconds, events, size >> 20);
    // Every event from the writer's first until the trace ended is there, in whole chunks.
    assertTrue(events > 0);
    assertEquals(highest + 1, events, "events lost");
    assertTrue(events * EVENT_BYTES > size / 2, "the trace is mostly the writer's events");
    assertEquals(size, chunkBytes(file), "the file is whole chunks");
  }

  /** Commits ~100 MB of events a second in 1 ms slices until told to stop. */
  private static void writeAtRate(AtomicBoolean writing, AtomicLong written) {
    String padding = "x".repeat(EVENT_BYTES - 20);
    long perMilli = BYTES_PER_SECOND / 1000 / EVENT_BYTES;
    long start = System.nanoTime();
    long sequence = 0;
    while (writing.get()) {
      long due = (System.nanoTime() - start) / 1_000_000 * perMilli;
      while (sequence < due && writing.get()) {
        Bulk bulk = new Bulk();
        bulk.text = padding + sequence;
        bulk.sequence = sequence++;
        bulk.commit();
      }
      written.set(sequence);
      LockSupport.parkNanos(200_000);
    }
  }

  private static long chunkBytes(Path file) throws IOException {
    long total = 0;
    byte[] header = new byte[ChunkHeader.SIZE];
    try (InputStream in = Files.newInputStream(file)) {
      while (in.readNBytes(header, 0, header.length) == header.length) {
        ChunkHeader h = ChunkHeader.parse(header, 0).orElseThrow(() -> new AssertionError("not a chunk"));
        assertTrue(h.isFinished());
        total += h.chunkSize();
        in.skipNBytes(h.chunkSize() - ChunkHeader.SIZE);
      }
    }
    return total;
  }
}
