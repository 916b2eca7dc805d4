package io.github.livetrace.internal;

import io.github.livetrace.TraceFailure;
import io.github.livetrace.TraceFailure.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Streams a running recording to an {@code OutputStream} as a sequence of finished chunks, so
 * that the bytes written so far always form a valid .jfr file.
 *
 * <p>JFR offers no public call that finishes the current chunk, and a running recording cannot be
 * read. {@code FlightRecorder.takeSnapshot()} does both: it rotates the chunk and returns a
 * stopped recording that holds every finished chunk, readable at once. (A {@code
 * recording.copy(true)} works too, but copying a recording that someone just closed leaves a
 * closed clone in the JVM's recording list for good; a snapshot never outlives its close.)
 *
 * <p>Two threads share the work, so that the output's speed changes neither what is recorded nor
 * how long the recording and the trace slot are held:
 *
 * <ul>
 *   <li>the <b>recorder</b> takes a snapshot on schedule (the first after {@link
 *       #FIRST_CHUNK_NANOS}, so that the first bytes come early, then every interval; a remainder
 *       shorter than an interval goes into the last chunk, so a timed trace has no more chunks
 *       than whole intervals), stops the recording at its duration, and gives up on an output that
 *       has not taken a finished chunk within the write timeout;
 *   <li>the <b>writer</b> sends the snapshots in order: each new chunk is checked whole ({@link
 *       ChunkReader#scan}) before any byte of it is written, then copied and flushed. A snapshot
 *       holds its chunk files until it is closed, so the recording itself keeps only a short
 *       window on disk.
 * </ul>
 *
 * <p>A {@link FlightRecorderListener} watches every recording's state, on the thread that changes
 * it: a recording of another thread that starts with secret-bearing events enabled, or livetrace's
 * recording or one of its snapshots stopped or closed by another thread (jcmd, JDK Mission
 * Control, code), ends the trace at once with a {@link TraceFailure} that says so. The chunk check
 * stays the guarantee, whatever put the events there.
 *
 * <p>The pump owns the recording and releases it on every path. JFR is never called while the
 * pump's lock is held, so the listener, which JFR calls from other threads, cannot deadlock it.
 */
public final class ChunkPump {
  /** When the first chunk is finished: early, so that a client sees bytes within half a second. */
  static final long FIRST_CHUNK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final Recording recording;
  private final long firstChunkStartNanos; // epoch nanos: the recording's first chunk starts here
  private final OutputStream out;
  private final long intervalNanos;
  private final long durationNanos; // Long.MAX_VALUE: until stopped
  private final long writeTimeoutNanos;
  private final Map<Long, String> refusedTypes; // empty when sensitive events are allowed
  private final long startNanoTime = System.nanoTime();
  private final Thread recorder;
  private final Thread writer;
  private final FlightRecorderListener listener = new StateListener();
  private final Set<Long> pendingSnapshotIds = ConcurrentHashMap.newKeySet();
  private final CountDownLatch finished = new CountDownLatch(1);

  private final Object lock = new Object();
  // Guarded by lock:
  private final ArrayDeque<Batch> pending = new ArrayDeque<>();
  private boolean stopRequested;
  private boolean recordingEnded; // no more batches will come
  private boolean writerDone;
  private volatile TraceFailure failure; // written under lock, first one wins

  private long nextChunkFrom; // writer only: epoch nanos; chunks that start earlier were sent
  private volatile long bytesWritten;
  private volatile int chunksWritten;

  /** A snapshot to send, and when it was taken: the output has the write timeout from then. */
  private record Batch(Recording snapshot, long takenNanoTime) {}

  /**
   * Starts the pump's threads.
   *
   * @param recording a started recording, which the pump now owns
   * @param out where the trace goes; flushed after every chunk
   * @param interval how often a chunk is finished and sent
   * @param duration when to stop by itself, or null to run until {@link #requestStop()}
   * @param writeTimeout how long a finished chunk may wait for the output
   * @param refusedTypes event type ids (to names) that end the trace instead of being sent, see
   *     {@link RecordingSettings#refusedEventTypeIds}; empty to send whatever the chunks hold
   */
  public ChunkPump(
      Recording recording,
      OutputStream out,
      Duration interval,
      Duration duration,
      Duration writeTimeout,
      Map<Long, String> refusedTypes) {
    this.recording = recording;
    this.firstChunkStartNanos = epochNanos(recording);
    this.nextChunkFrom = firstChunkStartNanos;
    this.out = out;
    this.intervalNanos = interval.toNanos();
    this.durationNanos = duration == null ? Long.MAX_VALUE : duration.toNanos();
    this.writeTimeoutNanos = writeTimeout.toNanos();
    this.refusedTypes = Map.copyOf(refusedTypes);
    this.recorder = new Thread(this::record, "livetrace-recorder");
    this.writer = new Thread(this::write, "livetrace-writer");
    recorder.setDaemon(true);
    writer.setDaemon(true);
    FlightRecorder.addListener(listener);
    recorder.start();
    writer.start();
  }

  private static long epochNanos(Recording r) {
    return r.getStartTime().getEpochSecond() * 1_000_000_000L + r.getStartTime().getNano();
  }

  // ---- the recorder thread -----------------------------------------------------------------

  private void record() {
    try {
      long end = durationNanos == Long.MAX_VALUE ? Long.MAX_VALUE : startNanoTime + durationNanos;
      long nextTick = lastChunkAbsorbs(startNanoTime + Math.min(FIRST_CHUNK_NANOS, intervalNanos), end);
      while (awaitTick(nextTick, end)) {
        enqueue(FlightRecorder.getFlightRecorder().takeSnapshot());
        long now = System.nanoTime();
        nextTick += intervalNanos;
        if (nextTick - now < 0) {
          nextTick = now + intervalNanos; // fell behind (a slow rotation): do not burst
        }
        nextTick = lastChunkAbsorbs(nextTick, end);
      }
      if (failure == null) {
        if (recording.getState() == RecordingState.RUNNING) {
          recording.stop(); // finishes the last chunk
        }
        enqueue(FlightRecorder.getFlightRecorder().takeSnapshot());
      }
    } catch (Throwable t) {
      fail(Reason.JFR_ERROR, "JDK Flight Recorder failed: " + t, t);
    } finally {
      synchronized (lock) {
        recordingEnded = true;
        lock.notifyAll();
      }
      recording.close(); // its chunks live on in the snapshots still to send
      awaitWriter();
      end();
    }
  }

  /** No tick when less than an interval would be left: the last chunk takes the rest. */
  private long lastChunkAbsorbs(long tick, long end) {
    return end != Long.MAX_VALUE && end - tick < intervalNanos ? Long.MAX_VALUE : tick;
  }

  /**
   * Waits for the next tick; false when the trace is to end instead: stopped, over, failed, or
   * the output is past its write timeout.
   */
  private boolean awaitTick(long nextTick, long end) throws InterruptedException {
    synchronized (lock) {
      while (true) {
        if (failure != null || stopRequested) {
          return false;
        }
        long now = System.nanoTime();
        if (end != Long.MAX_VALUE && now - end >= 0) {
          return false;
        }
        long writeDeadline = writeDeadline();
        if (writeDeadline != Long.MAX_VALUE && now - writeDeadline >= 0) {
          failWriteTimeout();
          return false;
        }
        if (nextTick != Long.MAX_VALUE && now - nextTick >= 0) {
          return true;
        }
        long wait = Long.MAX_VALUE;
        for (long deadline : new long[] {nextTick, end, writeDeadline}) {
          if (deadline != Long.MAX_VALUE) {
            wait = Math.min(wait, deadline - now);
          }
        }
        TimeUnit.NANOSECONDS.timedWait(lock, wait);
      }
    }
  }

  /** Until the writer has sent everything or is past its write timeout. */
  private void awaitWriter() {
    synchronized (lock) {
      while (!writerDone && failure == null) {
        long now = System.nanoTime();
        long writeDeadline = writeDeadline();
        if (writeDeadline != Long.MAX_VALUE && now - writeDeadline >= 0) {
          failWriteTimeout();
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, writeDeadline == Long.MAX_VALUE ? intervalNanos : writeDeadline - now);
        } catch (InterruptedException e) {
          fail(Reason.JFR_ERROR, "the livetrace recorder thread was interrupted", e);
        }
      }
    }
  }

  private long writeDeadline() {
    Batch oldest = pending.peekFirst();
    return oldest == null ? Long.MAX_VALUE : oldest.takenNanoTime() + writeTimeoutNanos;
  }

  private void failWriteTimeout() {
    fail(
        Reason.WRITE_TIMEOUT,
        "the output did not take a finished chunk within the write timeout of "
            + Durations.format(Duration.ofNanos(writeTimeoutNanos))
            + " (" + bytesWritten + " bytes written), or JFR wrote chunks faster than they could be read"
            + "; the trace ended rather than let the chunks pile up on disk",
        null);
  }

  private void enqueue(Recording snapshot) {
    pendingSnapshotIds.add(snapshot.getId());
    synchronized (lock) {
      if (failure == null) {
        pending.addLast(new Batch(snapshot, System.nanoTime()));
        lock.notifyAll();
        return;
      }
    }
    closeSnapshot(snapshot);
  }

  /** Frees the trace: the writer, if still blocked in the output, is left to fail there. */
  private void end() {
    TraceFailure f = failure;
    if (f != null && writer.isAlive()) {
      if (f.reason() != Reason.WRITE_TIMEOUT) {
        // The writer finishes the chunk it is in (checked whole before its first byte) and stops
        // at its end; an interrupt now would cut it in an output that reacts to interrupts.
        try {
          writer.join(TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      writer.interrupt(); // an output that reacts to interrupts unblocks; others fail when aborted
    }
    List<Batch> left;
    synchronized (lock) {
      left = List.copyOf(pending);
      pending.clear();
    }
    for (Batch b : left) {
      closeSnapshot(b.snapshot());
    }
    FlightRecorder.removeListener(listener);
    finished.countDown();
  }

  private void closeSnapshot(Recording snapshot) {
    pendingSnapshotIds.remove(snapshot.getId());
    snapshot.close();
  }

  // ---- the writer thread -------------------------------------------------------------------

  private void write() {
    ChunkReader reader = new ChunkReader();
    try {
      while (true) {
        Batch batch;
        synchronized (lock) {
          while (pending.isEmpty() && !recordingEnded && failure == null) {
            lock.wait();
          }
          if (failure != null) {
            return;
          }
          if (pending.isEmpty()) {
            writerDone = true;
            lock.notifyAll();
            return;
          }
          batch = pending.peekFirst();
        }
        List<ChunkReader.Chunk> chunks = reader.scan(batch.snapshot(), nextChunkFrom, refusedTypes);
        if (failure != null) {
          return; // not one more byte after a failure
        }
        // After a failure the chunk being written is finished (it was checked whole) unless the output
        // is past its write timeout: a file then ends with whole chunks.
        reader.copy(batch.snapshot(), chunks, out, this::written, () -> failure != null, this::pastWriteTimeout);
        boolean mine;
        synchronized (lock) {
          mine = pending.peekFirst() == batch;
          if (mine) {
            pending.removeFirst();
            lock.notifyAll();
          }
        }
        if (mine) {
          closeSnapshot(batch.snapshot());
        }
      }
    } catch (ChunkReader.RefusedEventsException e) {
      List<String> enabling = RecordingSettings.sensitiveEventsEnabledElsewhere(recording);
      fail(
          Reason.SENSITIVE_EVENTS,
          "trace ended: another recording put events that carry secrets into its chunks ("
              + e.found()
              + (enabling.isEmpty() ? ", from a recording that has ended since" : ", enabled by " + String.join(", ", enabling))
              + "); that chunk and later ones were not sent",
          null);
    } catch (ChunkReader.OutputException e) {
      fail(Reason.OUTPUT, "writing the trace failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      fail(Reason.JFR_ERROR, "the livetrace writer thread was interrupted", e);
    } catch (IOException | RuntimeException e) {
      fail(Reason.JFR_ERROR, "reading the recording's chunks failed: " + e, e);
    }
  }

  private boolean pastWriteTimeout() {
    TraceFailure f = failure;
    return f != null && f.reason() == Reason.WRITE_TIMEOUT;
  }

  private void written(ChunkHeader chunk) {
    nextChunkFrom = chunk.startNanos() + 1;
    bytesWritten += chunk.chunkSize();
    chunksWritten++;
    TraceStats.streamed(chunk.chunkSize());
  }

  // ---- outside actions ---------------------------------------------------------------------

  /** Called by JFR on the thread that changed a recording's state, for every recording. */
  private final class StateListener implements FlightRecorderListener {
    @Override
    public void recordingStateChanged(Recording r) {
      Thread current = Thread.currentThread();
      if (current == recorder || current == writer || finished.getCount() == 0) {
        return; // the pump's own doing
      }
      RecordingState state = r.getState();
      boolean stopped = state == RecordingState.STOPPED || state == RecordingState.CLOSED;
      if (r.getId() == recording.getId() && stopped && Jfr.jvmShuttingDown()) {
        // JFR's shutdown hook stops every recording: the trace is cut, but nobody acted on it.
        failUncounted(Reason.RECORDING_CLOSED, "trace ended: the JVM is shutting down");
      } else if (r.getId() == recording.getId() && stopped) {
        fail(
            Reason.RECORDING_CLOSED,
            "trace ended: its recording (id " + r.getId() + ", '" + r.getName() + "') was "
                + state.name().toLowerCase(java.util.Locale.ROOT)
                + " from outside livetrace, by thread '" + current.getName()
                + "' (jcmd JFR.stop, JDK Mission Control, or code that stops every recording)",
            null);
      } else if (pendingSnapshotIds.contains(r.getId()) && state == RecordingState.CLOSED) {
        fail(
            Reason.RECORDING_CLOSED,
            "trace ended: a snapshot of its chunks still to be sent (recording id " + r.getId()
                + ") was closed from outside livetrace, by thread '" + current.getName() + "'",
            null);
      } else if (!refusedTypes.isEmpty() && state == RecordingState.RUNNING) {
        List<String> leaks = RecordingSettings.sensitiveEventsEnabledBy(r);
        leaks.removeIf(leak -> !refusedTypes.containsValue(leak.substring(0, leak.indexOf(' '))));
        if (!leaks.isEmpty()) {
          fail(
              Reason.SENSITIVE_EVENTS,
              "trace ended: another recording started that enables events that carry secrets, which"
                  + " JFR would put in this trace: " + String.join(", ", leaks)
                  + "; no chunk holding them was sent",
              null);
        }
      }
    }
  }

  private void fail(Reason reason, String message, Throwable cause) {
    if (record(reason, message, cause) && reason != Reason.OUTPUT) {
      TraceStats.failed(reason);
    }
  }

  private void failUncounted(Reason reason, String message) {
    record(reason, message, null);
  }

  /** Keeps the first failure; true when this one was it. */
  private boolean record(Reason reason, String message, Throwable cause) {
    synchronized (lock) {
      boolean first = failure == null && finished.getCount() > 0;
      if (first) {
        failure = new TraceFailure(reason, message, cause);
      }
      lock.notifyAll();
      return first;
    }
  }

  // ---- control and state -------------------------------------------------------------------

  /** Asks the pump to send the rest and end; returns at once. */
  public void requestStop() {
    synchronized (lock) {
      stopRequested = true;
      lock.notifyAll();
    }
  }

  /** Waits until the pump has sent everything, or given up, and closed the recording. */
  public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    return finished.await(timeout, unit);
  }

  public boolean isFinished() {
    return finished.getCount() == 0;
  }

  /**
   * Whether the trace no longer records: stopped, over, or failed, and only sending what
   * remains (at most the write timeout).
   */
  public boolean isEnding() {
    synchronized (lock) {
      return stopRequested || recordingEnded || failure != null;
    }
  }

  /** Why the trace ended early, or null. */
  public TraceFailure failure() {
    return failure;
  }

  public long bytesWritten() {
    return bytesWritten;
  }

  public int chunksWritten() {
    return chunksWritten;
  }
}
