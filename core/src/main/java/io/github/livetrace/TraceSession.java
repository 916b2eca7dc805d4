package io.github.livetrace;

import io.github.livetrace.internal.ChunkPump;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One trace, from {@link Trace#start} to its end. A session ends when it is stopped, when its
 * {@linkplain TraceOptions#withDuration duration} is over, or when it fails ({@link
 * TraceFailure.Reason}): the output threw (a client that went away) or did not keep up within the
 * {@linkplain TraceOptions#withWriteTimeout write timeout}, another recording put secret-bearing
 * events in its chunks, its recording was stopped from outside, or JFR failed. In every case the
 * recording and its files are released by the time {@link #awaitTermination} returns true.
 *
 * <pre>{@code
 * TraceSession session = Trace.start(out, TraceOptions.defaults().withDuration(seconds));
 * session.awaitTermination(seconds.plusSeconds(5)); // returns early if the client went away
 * session.stop();                                   // no-op when it already ended
 * if (session.failure().isPresent()) { ... }
 * }</pre>
 */
public final class TraceSession {
  private final ChunkPump pump;
  private final Instant startTime;
  private final Instant plannedEnd;

  TraceSession(ChunkPump pump, Instant startTime, Optional<Duration> duration) {
    this.pump = pump;
    this.startTime = startTime;
    this.plannedEnd = duration.map(startTime::plus).orElse(null);
  }

  /** When the trace started. */
  public Instant startTime() {
    return startTime;
  }

  /** When the trace ends by itself, if it was started with a duration. */
  public Optional<Instant> plannedEnd() {
    return Optional.ofNullable(plannedEnd);
  }

  /**
   * Whether the trace holds the one trace slot: recording, or sending its last chunks (for at
   * most the write timeout after it stopped recording).
   */
  public boolean isActive() {
    return !pump.isFinished();
  }

  /**
   * When the trace is expected to have released the slot: its planned end while it records with
   * a duration (the last chunk follows within milliseconds), about now once it is ending
   * (stopped, failed, or over and sending what remains), empty while it records until stopped.
   */
  public Optional<Instant> expectedEnd() {
    if (!isActive() || pump.isEnding()) {
      return Optional.of(Instant.now());
    }
    return plannedEnd();
  }

  /**
   * Waits until the trace has ended (stopped, over, or failed) and released everything.
   *
   * @return true if it ended, false if the timeout passed first
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return pump.awaitFinished(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Stops this trace if it is still the running one, and returns once every byte is written and
   * the recording is closed. Unlike {@link Trace#stop()} it never stops a later trace.
   */
  public void stop() {
    Trace.stop(this);
  }

  /**
   * Why the trace ended early, if it did: its {@link TraceFailure#reason()} and a message that
   * says what happened (the cause is the output's {@code IOException} when the output failed).
   */
  public Optional<TraceFailure> failure() {
    return Optional.ofNullable(pump.failure());
  }

  /** Bytes written to the output so far; always a whole number of chunks. */
  public long bytesWritten() {
    return pump.bytesWritten();
  }

  /** Chunks written to the output so far. */
  public int chunksWritten() {
    return pump.chunksWritten();
  }

  ChunkPump pump() {
    return pump;
  }
}
