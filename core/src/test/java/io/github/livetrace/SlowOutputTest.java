package io.github.livetrace;

import static io.github.livetrace.testing.TraceFiles.chunks;
import static io.github.livetrace.testing.TraceFiles.eventually;
import static io.github.livetrace.testing.TraceFiles.jfr;
import static io.github.livetrace.testing.TraceFiles.repositoryChunkFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.livetrace.internal.ChunkHeader;
import io.github.livetrace.testing.StalledOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.FlightRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The output's speed changes neither what is recorded nor how long the trace holds the slot: the
 * recording ends at its duration whatever the reader does, and a reader that does not take a
 * finished chunk within the write timeout ends the trace.
 */
class SlowOutputTest {
  @AfterEach
  void cleanUp() {
    Trace.stop();
  }

  /** Takes bytes at about 100 KB/s, like a client on a slow link. */
  private static final class SlowOutput extends OutputStream {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    @Override
    public void write(int b) {
      received.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      for (int i = 0; i < len; i += 1024) {
        int n = Math.min(1024, len - i);
        received.write(b, off + i, n);
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          throw new InterruptedIOException();
        }
      }
    }
  }

  @Test
  void aSlowReaderGetsTheWholeTraceButTheRecordingEndsAtItsDuration() throws Exception {
    Duration duration = Duration.ofMillis(1500);
    SlowOutput out = new SlowOutput();
    long started = System.nanoTime();
    TraceSession session =
        Trace.start(
            out,
            TraceOptions.defaults()
                .withChunkInterval(Duration.ofMillis(300))
                .withDuration(duration)
                .withWriteTimeout(Duration.ofSeconds(120)));
    Trace.log("slow-output-test", "first");
    assertTrue(session.awaitTermination(Duration.ofSeconds(180)));
    long writingNanos = System.nanoTime() - started;
    assertTrue(session.failure().isEmpty(), () -> session.failure().toString());

    byte[] trace = out.received.toByteArray();
    List<ChunkHeader> chunks = chunks(trace);
    long recorded = chunks.get(chunks.size() - 1).endNanos() - chunks.get(0).startNanos();
    // The writing took several times the duration; the recording did not follow it.
    assertTrue(writingNanos > duration.toNanos() + TimeUnit.SECONDS.toNanos(3), "the output was not slow: " + writingNanos);
    assertTrue(
        recorded < duration.toNanos() + TimeUnit.MILLISECONDS.toNanos(1500),
        "recorded " + recorded / 1_000_000 + " ms for a " + duration.toMillis() + " ms trace that took "
            + writingNanos / 1_000_000 + " ms to write");
    assertTrue(jfr(trace, "print", "--events", "livetrace.Log").contains("first"));
  }

  @Test
  void aStalledReaderEndsTheTraceAtTheWriteTimeoutAndFreesEverything() throws Exception {
    StalledOutput stalling = new StalledOutput();
    long failedBefore = io.github.livetrace.internal.TraceStats.failedCount(TraceFailure.Reason.WRITE_TIMEOUT);
    TraceSession session =
        Trace.start(
            stalling,
            TraceOptions.defaults()
                .withChunkInterval(Duration.ofMillis(200))
                .withDuration(Duration.ofSeconds(3))
                .withWriteTimeout(Duration.ofSeconds(1)));
    try {
      assertTrue(stalling.awaitStalled(60));
      assertTrue(session.awaitTermination(Duration.ofSeconds(60)), "the stalled output held the trace");
      TraceFailure failure = session.failure().orElseThrow();
      assertEquals(TraceFailure.Reason.WRITE_TIMEOUT, failure.reason());
      assertTrue(failure.getMessage().contains("write timeout of 1s"), failure.getMessage());
      assertEquals(failedBefore + 1, io.github.livetrace.internal.TraceStats.failedCount(TraceFailure.Reason.WRITE_TIMEOUT));
      assertFalse(Trace.isEnabled());
      assertTrue(FlightRecorder.getFlightRecorder().getRecordings().isEmpty());

      ByteArrayOutputStream next = new ByteArrayOutputStream();
      Trace.start(next); // the slot is free while the old writer may still be stuck
      Trace.stop();
      assertFalse(chunks(next.toByteArray()).isEmpty());

      // The stuck writer was interrupted and let go of its chunk files.
      assertTrue(eventually(30, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("livetrace-writer"))));
      assertTrue(eventually(30, () -> repositoryChunkFiles().isEmpty()), () -> "files left: " + repositoryChunkFiles());
    } finally {
      stalling.release();
    }
  }

  @Test
  void chunkFilesOnDiskStayBoundedWhileTheReaderStalls() throws Exception {
    StalledOutput stalling = new StalledOutput();
    Duration interval = Duration.ofMillis(200);
    Duration writeTimeout = Duration.ofSeconds(2);
    TraceSession session =
        Trace.start(stalling, TraceOptions.defaults().withChunkInterval(interval).withWriteTimeout(writeTimeout));
    try {
      long bound = writeTimeout.dividedBy(interval) + 2 + 3; // queued, the recording's window, the current
      int most = 0;
      while (session.isActive()) {
        most = Math.max(most, repositoryChunkFiles().size());
        Thread.sleep(50);
      }
      assertEquals(TraceFailure.Reason.WRITE_TIMEOUT, session.failure().orElseThrow().reason());
      assertTrue(most <= bound, most + " chunk files on disk, more than " + bound);
    } finally {
      stalling.release();
    }
  }
}
