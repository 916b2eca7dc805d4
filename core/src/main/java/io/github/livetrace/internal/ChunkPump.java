package io.github.livetrace.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Streams a running recording to an {@code OutputStream} as a sequence of finished chunks, so
 * that the bytes written so far always form a valid .jfr file.
 *
 * <p>JFR offers no public call that finishes the current chunk, and a running recording cannot be
 * read ({@code getStream} throws until it stops). What works, measured on JDK 17 and 25, is {@code
 * recording.copy(true)}: stopping the copy rotates the chunk, and the copy, already stopped, can be
 * read. Each tick the pump takes such a copy, forwards the chunks it has not sent yet (chunk start
 * times increase strictly, so the last one sent is a watermark) and closes the copy. After the
 * last tick it stops the recording itself, forwards what remains, and closes it, which removes its
 * chunk files from the repository.
 *
 * <p>The pump owns the recording: it is the only thread that touches it after start, and it
 * releases it on every path, whether the trace was stopped, reached its duration, or failed
 * because the output failed (a client that went away) or because another recording began to
 * leak sensitive events. It never takes the start/stop lock, so a stop that waits for it cannot
 * deadlock.
 */
public final class ChunkPump implements Runnable {
  private static final int COPY_BUFFER = 64 * 1024;

  private final Recording recording;
  private final OutputStream out;
  private final long intervalNanos;
  private final long durationNanos; // Long.MAX_VALUE: until stopped
  private final boolean checkOtherRecordings;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final byte[] buffer = new byte[COPY_BUFFER];
  private final byte[] header = new byte[ChunkHeader.SIZE];

  private long lastSentChunkStart = Long.MIN_VALUE;
  private Instant sentUntil;
  private volatile Throwable failure;
  private volatile long bytesWritten;
  private volatile int chunksWritten;

  /**
   * @param recording a started recording, which the pump now owns
   * @param out where the trace goes; flushed after every chunk
   * @param interval how often a chunk is finished and sent
   * @param duration when to stop by itself, or null to run until {@link #requestStop()}
   * @param checkOtherRecordings whether to refuse chunks while another recording enables
   *     sensitive events
   */
  public ChunkPump(
      Recording recording,
      OutputStream out,
      Duration interval,
      Duration duration,
      boolean checkOtherRecordings) {
    this.recording = recording;
    this.out = out;
    this.intervalNanos = interval.toNanos();
    this.durationNanos = duration == null ? Long.MAX_VALUE : duration.toNanos();
    this.checkOtherRecordings = checkOtherRecordings;
  }

  @Override
  public void run() {
    long start = System.nanoTime();
    try {
      long nextTick = start + intervalNanos;
      while (true) {
        long now = System.nanoTime();
        long untilEnd = durationNanos == Long.MAX_VALUE ? Long.MAX_VALUE : durationNanos - (now - start);
        if (untilEnd <= 0) {
          break;
        }
        long wait = Math.min(nextTick - now, untilEnd);
        if (wait > 0 && stopRequested.await(wait, TimeUnit.NANOSECONDS)) {
          break;
        }
        if (wait == untilEnd) {
          break; // the duration is over; the final drain sends the rest
        }
        Recording copy = recording.copy(true);
        try {
          refuseIfOthersLeak();
          forwardNewChunks(copy);
        } finally {
          copy.close();
        }
        nextTick += intervalNanos;
        long after = System.nanoTime();
        if (nextTick - after < 0) {
          nextTick = after + intervalNanos; // fell behind (slow output): do not burst
        }
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      finish();
    }
  }

  private void finish() {
    try {
      if (recording.getState() == RecordingState.RUNNING) {
        recording.stop();
      }
      if (failure == null) {
        refuseIfOthersLeak();
        forwardNewChunks(recording);
      }
    } catch (Throwable t) {
      if (failure == null) {
        failure = t;
      }
    } finally {
      recording.close();
      finished.countDown();
    }
  }

  private void refuseIfOthersLeak() {
    if (!checkOtherRecordings) {
      return;
    }
    List<String> leaks = RecordingSettings.sensitiveEventsEnabledElsewhere(recording);
    if (!leaks.isEmpty()) {
      throw new SecurityException(
          "trace stopped: another recording started that enables sensitive events, which would"
              + " appear in this trace: "
              + String.join(", ", leaks));
    }
  }

  private void forwardNewChunks(Recording source) throws IOException {
    try (InputStream in = source.getStream(sentUntil, null)) {
      if (in == null) {
        return;
      }
      while (true) {
        int n = in.readNBytes(header, 0, ChunkHeader.SIZE);
        if (n == 0) {
          return;
        }
        ChunkHeader chunk =
            ChunkHeader.parse(header, 0)
                .filter(h -> n == ChunkHeader.SIZE && h.isPlausible())
                .orElseThrow(() -> new IOException("JFR returned bytes that are not a chunk"));
        long body = chunk.chunkSize() - ChunkHeader.SIZE;
        if (chunk.startNanos() <= lastSentChunkStart) {
          in.skipNBytes(body);
          continue;
        }
        if (!chunk.isFinished()) {
          return; // still being written; it is sent on a later tick
        }
        out.write(header);
        copy(in, body);
        out.flush();
        lastSentChunkStart = chunk.startNanos();
        sentUntil = Instant.ofEpochSecond(0, chunk.endNanos());
        bytesWritten += chunk.chunkSize();
        chunksWritten++;
        TraceStats.streamed(chunk.chunkSize());
      }
    }
  }

  private void copy(InputStream in, long length) throws IOException {
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("JFR chunk ended " + left + " bytes early");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  /** Asks the pump to send the rest and end; returns at once. */
  public void requestStop() {
    stopRequested.countDown();
  }

  /** Waits until the pump has sent everything and closed the recording. */
  public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    return finished.await(timeout, unit);
  }

  public boolean isFinished() {
    return finished.getCount() == 0;
  }

  /** Why the trace ended early, or null. */
  public Throwable failure() {
    return failure;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public int chunksWritten() {
    return chunksWritten;
  }
}
