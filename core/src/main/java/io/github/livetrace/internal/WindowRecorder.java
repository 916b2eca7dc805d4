package io.github.livetrace.internal;

import io.github.livetrace.TraceFailure;
import io.github.livetrace.TraceFailure.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The moving window of a flight recorder: a recording to disk whose chunks JFR drops by age and
 * size, cut into chunks on a schedule of its own, and written out on demand.
 *
 * <h2>Why a schedule of its own</h2>
 *
 * JFR finishes a chunk only when it reaches 12 MB or when a recording starts, stops, is copied or
 * snapshotted, and a recording's {@code maxAge} and {@code maxSize} drop whole finished chunks,
 * checked when a chunk is finished. Left alone, a quiet JVM would keep one chunk for minutes (the
 * window would be far older than asked) and a busy one 12 MB chunks (the window would be one chunk,
 * over the byte budget). So the livetrace thread looks at the current chunk five times a second
 * ({@link CurrentChunk}) and finishes it when it is a {@linkplain #rotationNanos rotation
 * interval} old or over the {@linkplain #chunkLimit chunk limit}, whichever comes first. A chunk
 * finished by anyone else (a trace finishes one every second) counts as a rotation: while a trace
 * runs, the flight recorder adds no chunk boundary of its own to it.
 *
 * <h2>How {@code minAge} and {@code maxBytes} meet chunks</h2>
 *
 * JFR keeps the chunks that end within {@code minAge} plus one rotation interval ({@code maxAge})
 * and at most {@code maxBytes} of finished chunks ({@code maxSize}), so the disk holds at most
 * {@code maxBytes} plus the current chunk, and the current chunk at most the chunk limit (plus
 * what is written in the 200 ms between two looks). A window write finishes the current chunk
 * ({@code takeSnapshot()}, race-safe: nothing outlives its close) and then takes, newest first,
 * the chunks that cover at least {@code minAge} back from that moment, as long as they fit in
 * {@code maxBytes}: the byte budget wins, as in Go; the newest chunk is always written. So a window
 * covers {@code minAge} to {@code minAge} plus one chunk (one rotation interval), less when the
 * recorder started more recently or the budget ran out first.
 *
 * <h2>Chunks are shared</h2>
 *
 * Every recording in the JVM shares the chunks, so a chunk may hold events another recording
 * enabled. Each chosen chunk is checked whole ({@link ChunkReader#survey}) before a byte is
 * written. One that holds events that carry secrets is never written: the window then starts
 * after the newest such chunk (a warning says so), and when the newest chunk itself holds them
 * (the other recording still runs) the write fails with a {@link SecurityException} that names the
 * recording. Only chunks that started after this recording did are taken, so a window never holds
 * what another recording kept from before.
 *
 * <h2>Outside actions</h2>
 *
 * A {@link FlightRecorderListener} sees the recording stopped or closed by anyone else ({@code
 * jcmd JFR.stop}, JDK Mission Control, code that closes every recording); the owner is then told,
 * on a thread of its own, and releases everything. JFR's own stop of every recording when the JVM
 * exits is not reported.
 */
public final class WindowRecorder {
  /** The recording's name, as {@code jcmd JFR.check} shows it (no spaces, so jcmd takes it as is). */
  public static final String RECORDING_NAME = "livetrace-flight-recorder";

  /** The thread that rotates chunks and writes snapshots. */
  public static final String THREAD_NAME = "livetrace-flight-recorder";

  /** How often the current chunk is looked at. */
  static final long TICK_MILLIS = 200;

  /** Shortest rotation interval: each rotation repeats ~100 KB of metadata and costs a safepoint. */
  static final long MIN_ROTATION_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  static final long MAX_ROTATION_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Smallest chunk limit: below this, a chunk would be mostly its own metadata. */
  static final long MIN_CHUNK_LIMIT = 512 * 1024;

  private static final System.Logger LOG = System.getLogger("io.github.livetrace.FlightRecorder");

  private final Recording recording;
  private final long startNanos; // epoch nanos; chunks that start earlier are not this window's
  private final long minAgeNanos;
  private final long maxBytes;
  private final long rotationNanos;
  private final long chunkLimit;
  private final Map<Long, String> refusedTypes;
  private final Consumer<TraceFailure> onFailure;
  private final ScheduledThreadPoolExecutor executor;
  private final FlightRecorderListener listener = new StateListener();
  private final ReentrantLock publicWrite = new ReentrantLock();
  private final Object lock = new Object();
  private boolean closed; // under lock
  private volatile boolean closing; // set before the recording is stopped by livetrace itself
  private volatile boolean recordingOpen = true; // false once close() is about to close it
  private volatile TraceFailure failure;
  private volatile long currentChunkBytes;

  // The livetrace thread only:
  private long lastRotationNanoTime = System.nanoTime();
  private String currentChunkFile;

  /** What a window write wrote. */
  public record Window(long bytes, int chunks, Instant start, Instant end) {}

  private WindowRecorder(
      Recording recording, Duration minAge, long maxBytes, Map<Long, String> refusedTypes, Consumer<TraceFailure> onFailure) {
    this.recording = recording;
    this.startNanos = epochNanos(recording.getStartTime());
    this.minAgeNanos = minAge.toNanos();
    this.maxBytes = maxBytes;
    this.rotationNanos = rotationNanos(minAge);
    this.chunkLimit = chunkLimit(maxBytes);
    this.refusedTypes = Map.copyOf(refusedTypes);
    this.onFailure = onFailure;
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, THREAD_NAME);
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Starts the recording and the livetrace thread.
   *
   * @param settings the recording's JFR settings ({@link RecordingSettings#build})
   * @param onFailure told once, on a thread of its own, when the recording was stopped or closed
   *     from outside or JFR failed; it is expected to {@link #close()} this recorder
   */
  public static WindowRecorder start(
      Map<String, String> settings, Duration minAge, long maxBytes, Consumer<TraceFailure> onFailure) {
    Recording recording = new Recording(settings);
    try {
      recording.setName(RECORDING_NAME);
      recording.setToDisk(true);
      // One rotation of margin: JFR trims by the end of the newest chunk, which is up to one
      // rotation before a window write's own rotation.
      recording.setMaxAge(minAge.plusNanos(rotationNanos(minAge)));
      recording.setMaxSize(maxBytes);
      StringPoolGuard.beforeRecordingStart();
      recording.start();
      StringPoolGuard.afterRecordingStart();
      WindowRecorder recorder =
          new WindowRecorder(recording, minAge, maxBytes, RecordingSettings.refusedEventTypeIds(settings), onFailure);
      FlightRecorder.addListener(recorder.listener);
      recorder.executor.scheduleWithFixedDelay(recorder::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
      return recorder;
    } catch (RuntimeException | Error e) {
      recording.close();
      throw e;
    }
  }

  /** A fifth of {@code minAge}, within 0.5 s and 1 min: about five chunks make a window. */
  static long rotationNanos(Duration minAge) {
    return Math.max(MIN_ROTATION_NANOS, Math.min(MAX_ROTATION_NANOS, minAge.toNanos() / 5));
  }

  /** An eighth of {@code maxBytes}, at least 512 KB: the budget always holds several chunks. */
  static long chunkLimit(long maxBytes) {
    return Math.max(MIN_CHUNK_LIMIT, maxBytes / 8);
  }

  private static long epochNanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  // ---- the livetrace thread ----------------------------------------------------------------

  private void tick() {
    if (closing) {
      return;
    }
    try {
      long now = System.nanoTime();
      CurrentChunk current = CurrentChunk.find();
      if (current != null && !current.fileName().equals(currentChunkFile)) {
        currentChunkFile = current.fileName(); // finished by anyone: a rotation all the same
        lastRotationNanoTime = now;
      }
      currentChunkBytes = current == null ? 0 : current.bytes();
      if (now - lastRotationNanoTime >= rotationNanos || currentChunkBytes >= chunkLimit) {
        FlightRecorder.getFlightRecorder().takeSnapshot().close(); // the rotation is the point
        lastRotationNanoTime = System.nanoTime();
        CurrentChunk next = CurrentChunk.find();
        currentChunkFile = next == null ? null : next.fileName();
        currentChunkBytes = next == null ? 0 : next.bytes();
      }
    } catch (Throwable t) {
      fail(new TraceFailure(Reason.JFR_ERROR, "flight recorder stopped: JDK Flight Recorder failed: " + t, t));
    }
  }

  /**
   * Runs {@code task} on the livetrace thread after {@code delayNanos}.
   *
   * @throws java.util.concurrent.RejectedExecutionException once closed
   */
  public ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  // ---- writing the window ------------------------------------------------------------------

  /** Whether a {@link #writeExclusively} runs now: another one would be refused. */
  public boolean isWriting() {
    return publicWrite.isLocked();
  }

  /**
   * {@link #write} for callers outside livetrace, one at a time, as Go's {@code WriteTo}.
   *
   * @throws IllegalStateException when another such write is in progress, or the recorder is closed
   */
  public Window writeExclusively(OutputStream out) throws IOException {
    if (!publicWrite.tryLock()) {
      throw new IllegalStateException("another write of the flight recorder's window is in progress");
    }
    try {
      return write(out);
    } finally {
      publicWrite.unlock();
    }
  }

  /**
   * Finishes the current chunk and writes the window that ends there to {@code out}, as a valid
   * .jfr file; see the class comment for which chunks. Nothing is written when it throws before
   * the first chunk.
   *
   * @throws IOException the output's own exception when writing failed, or one that says what
   *     JFR returned
   * @throws SecurityException when the newest chunk holds events that carry secrets
   * @throws IllegalStateException when the recorder is closed
   */
  public Window write(OutputStream out) throws IOException {
    if (!recordingOpen) {
      throw new IllegalStateException("the flight recorder is not running");
    }
    Recording snapshot = FlightRecorder.getFlightRecorder().takeSnapshot();
    try {
      // Two passes over the bytes, a check and a copy, both from JFR's repository files at disk
      // speed (the second from the page cache).
      ChunkReader reader = new ChunkReader();
      long end = epochNanos(snapshot.getStopTime());
      List<ChunkReader.Surveyed> candidates = reader.survey(snapshot, Math.max(startNanos, end - minAgeNanos), refusedTypes);
      candidates.removeIf(c -> c.header().startNanos() < startNanos);
      if (candidates.isEmpty()) {
        throw new IOException("JFR returned no finished chunk of the flight recorder's recording");
      }
      int first = candidates.size() - 1;
      long bytes = candidates.get(first).header().chunkSize();
      while (first > 0 && bytes + candidates.get(first - 1).header().chunkSize() <= maxBytes) {
        first--;
        bytes += candidates.get(first).header().chunkSize();
      }
      List<ChunkReader.Chunk> chunks = withoutSecrets(candidates.subList(first, candidates.size()));
      long[] written = {0};
      try {
        reader.copy(snapshot, chunks, out, h -> written[0] += h.chunkSize(), () -> false, () -> false);
      } catch (ChunkReader.OutputException e) {
        throw (IOException) e.getCause();
      }
      ChunkHeader oldest = chunks.get(0).header();
      ChunkHeader newest = chunks.get(chunks.size() - 1).header();
      return new Window(
          written[0], chunks.size(), Instant.ofEpochSecond(0, oldest.startNanos()), Instant.ofEpochSecond(0, newest.endNanos()));
    } finally {
      snapshot.close();
    }
  }

  /** The chosen chunks after the newest that holds refused events, when one does. */
  private List<ChunkReader.Chunk> withoutSecrets(List<ChunkReader.Surveyed> chosen) {
    int dirty = -1;
    for (int i = 0; i < chosen.size(); i++) {
      if (!chosen.get(i).refused().isEmpty()) {
        dirty = i;
      }
    }
    if (dirty >= 0) {
      ChunkReader.Surveyed d = chosen.get(dirty);
      List<String> enabling = RecordingSettings.sensitiveEventsEnabledElsewhere(recording);
      String who = enabling.isEmpty() ? "a recording that has ended since" : String.join(", ", enabling);
      if (dirty == chosen.size() - 1) {
        throw new SecurityException(
            "the flight recorder's newest chunk holds events that carry secrets (" + d.refused() + "), put there by "
                + who + "; no window can be written until that recording stops or disables them");
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "livetrace: the flight recorder's window starts after " + Instant.ofEpochSecond(0, d.header().endNanos())
              + ": an earlier chunk holds events that carry secrets (" + d.refused() + "), put there by " + who
              + ", and was left out");
    }
    List<ChunkReader.Chunk> chunks = new ArrayList<>();
    for (ChunkReader.Surveyed c : chosen.subList(dirty + 1, chosen.size())) {
      chunks.add(c.checked());
    }
    return chunks;
  }

  // ---- outside actions ---------------------------------------------------------------------

  /** Called by JFR on the thread that changed a recording's state, for every recording. */
  private final class StateListener implements FlightRecorderListener {
    @Override
    public void recordingStateChanged(Recording r) {
      if (closing || r.getId() != recording.getId()) {
        return;
      }
      RecordingState state = r.getState();
      if ((state == RecordingState.STOPPED || state == RecordingState.CLOSED) && !Jfr.jvmShuttingDown()) {
        fail(
            new TraceFailure(
                Reason.RECORDING_CLOSED,
                "flight recorder stopped: its recording (id " + r.getId() + ", '" + r.getName() + "') was "
                    + state.name().toLowerCase(Locale.ROOT) + " from outside livetrace, by thread '"
                    + Thread.currentThread().getName()
                    + "' (jcmd JFR.stop, JDK Mission Control, or code that stops every recording)",
                null));
      }
    }
  }

  /**
   * Records the first failure and tells the owner on a thread of its own: JFR calls the listener
   * with its own locks held, and closing needs them.
   */
  private void fail(TraceFailure f) {
    synchronized (lock) {
      if (failure != null || closed) {
        return;
      }
      failure = f;
    }
    FlightRecorderStats.failed(f.reason());
    LOG.log(System.Logger.Level.WARNING, "livetrace: " + f.getMessage());
    Thread t = new Thread(() -> onFailure.accept(f), THREAD_NAME + "-stop");
    t.setDaemon(true);
    t.start();
  }

  // ---- control and state -------------------------------------------------------------------

  /**
   * Stops and closes the recording, cancels what is scheduled, waits for the livetrace thread to
   * finish what it is doing (a snapshot being written), and removes the listener. A window write
   * in progress on another thread keeps its own snapshot of the chunks until it ends. Idempotent.
   */
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      closing = true;
    }
    // A snapshot being written finishes; those still waiting for their delay are cancelled.
    executor.shutdown();
    boolean interrupted = false;
    if (!Thread.currentThread().getName().equals(THREAD_NAME)) {
      while (true) {
        try {
          executor.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
          break;
        } catch (InterruptedException e) {
          interrupted = true; // close keeps its promise; the flag is restored below
        }
      }
    }
    FlightRecorder.removeListener(listener);
    recordingOpen = false;
    try {
      recording.close();
    } catch (RuntimeException e) {
      // Closed from outside already.
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Why the recorder stopped by itself, or null. */
  public TraceFailure failure() {
    return failure;
  }

  public boolean isRunning() {
    return !closing && failure == null;
  }

  /** When the recording started: the window never reaches further back. */
  public Instant startTime() {
    return Instant.ofEpochSecond(0, startNanos);
  }

  /** The window's bytes on disk: the finished chunks JFR keeps for it, and the current chunk. */
  public long bytesOnDisk() {
    if (closing) {
      return 0;
    }
    try {
      return recording.getSize() + currentChunkBytes;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** How often a chunk is finished when nobody else does it sooner. */
  public Duration rotationInterval() {
    return Duration.ofNanos(rotationNanos);
  }

  /** How large the current chunk may grow before it is finished. */
  public long chunkLimit() {
    return chunkLimit;
  }
}
