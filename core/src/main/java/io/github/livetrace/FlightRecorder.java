package io.github.livetrace;

import io.github.livetrace.internal.RecordingSettings;
import io.github.livetrace.internal.SnapshotScheduler;
import io.github.livetrace.internal.SnapshotStore;
import io.github.livetrace.internal.StartCheck;
import io.github.livetrace.internal.Text;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.internal.WindowRecorder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A moving window of the most recent trace, written out when the application notices something:
 * Go 1.25's {@code runtime/trace.FlightRecorder} for the JVM, on a continuous JDK Flight Recorder
 * recording.
 *
 * <pre>{@code
 * FlightRecorder recorder = new FlightRecorder(FlightRecorderOptions.defaults()
 *     .withMinAge(Duration.ofSeconds(10)));           // Go's MinAge, default 10 s
 * recorder.snapshotOnSlowTask("http.server.requests", Duration.ofSeconds(2));
 * recorder.start();
 *
 * // A request was slow, or a health check failed: the seconds before it are still here.
 * try (OutputStream out = Files.newOutputStream(Path.of("window.jfr"))) {
 *     recorder.writeTo(out);
 * }
 * recorder.snapshot("health check failed");          // or into the snapshot store, by itself
 * recorder.stop();
 * }</pre>
 *
 * <h2>The window</h2>
 *
 * The window covers at least {@link FlightRecorderOptions#minAge() minAge} back from the moment
 * of a {@link #writeTo} (the chunk being written is finished first), and at most {@link
 * FlightRecorderOptions#maxBytes() maxBytes}, which wins (as Go's {@code MaxBytes}). JFR keeps and
 * drops whole chunks, so the recorder cuts its own: a window is {@code minAge} to {@code minAge}
 * plus one chunk long; see {@link FlightRecorderOptions} for the chunk schedule. It holds the
 * application's tasks, regions and logs and the JDK's events, with the same secret-safe settings
 * as a {@link Trace}.
 *
 * <p>At most one flight recorder runs in a JVM, and it runs alongside {@link Trace#start}, as Go
 * allows: JFR shares chunks between recordings, and each output gets every event once. While a
 * trace runs the flight recorder adds no chunk boundaries of its own to it, except for the
 * rotation of each window write.
 *
 * <h2>Snapshots</h2>
 *
 * {@link #snapshotOnSlowTask} watches task ends (request tasks of {@code
 * LivetraceObservationHandler} included): when a task of that type ends slower than the
 * threshold, the window is written {@linkplain FlightRecorderOptions#snapshotDelay() a moment
 * later} (so that the task's end and what followed are in it) to the snapshot store, a directory
 * bounded in count and bytes. {@link #snapshot(String)} does the same at once for the
 * application's own reasons. At most one snapshot is taken per {@linkplain
 * FlightRecorderOptions#snapshotMinInterval() minimum interval}. Snapshots are written by a
 * livetrace thread; the thread that ended the task only compares and schedules.
 *
 * <h2>Secrets, outside actions, errors</h2>
 *
 * Every chunk is checked whole before any byte of it is written: one that holds events that carry
 * secrets (another recording in the JVM may enable them, since chunks are shared) is left out,
 * and the window starts after it; when the newest chunk holds them, {@link #writeTo} throws a
 * {@link SecurityException} naming the recording. If the recording is stopped or closed from
 * outside ({@code jcmd JFR.stop}, JDK Mission Control, code), the flight recorder stops at once,
 * releases everything, logs a warning and says why in {@link #failure()}.
 */
public final class FlightRecorder {
  private static final System.Logger LOG = System.getLogger("io.github.livetrace.FlightRecorder");
  /** Guards the start and stop of every flight recorder: at most one runs per JVM. */
  private static final Object LOCK = new Object();

  private static FlightRecorder running; // under LOCK
  private static volatile FlightRecorder current;

  private final FlightRecorderOptions options;
  private final SnapshotStore store;
  private final Map<String, Long> slowTasks = new ConcurrentHashMap<>(); // task type to nanos
  private volatile Running state; // null while stopped
  private volatile TraceFailure failure;
  private volatile Instant startTime;

  private volatile StartRefusal refusal; // set while startWhenPossible could not start it
  private volatile Waiting waiting; // while it waits for the obstacle to go away

  private record Running(WindowRecorder window, SnapshotScheduler scheduler) {}

  /**
   * Why a flight recorder that {@link #startWhenPossible()} was asked to start is not recording.
   *
   * @param reason what stands in the way
   * @param message what is wrong and what to change, for the operator
   */
  public record StartRefusal(Reason reason, String message) {
    /** What keeps a flight recorder from starting. */
    public enum Reason {
      /** JFR is disabled ({@code -XX:-FlightRecorder}) or missing from the runtime: it never starts in this JVM. */
      JFR_UNAVAILABLE,
      /**
       * Another recording enables events that carry secrets, which JFR would put in every chunk:
       * it starts by itself once no recording does.
       */
      SENSITIVE_EVENTS,
      /** Another flight recorder runs in this JVM (at most one does): that one is served instead. */
      ANOTHER_RUNNING;

      /** The value of the {@code reason} tag of {@code livetrace.flightrecorder.refused}: the name in lower case. */
      public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
      }
    }

    /** Whether the flight recorder starts by itself once the obstacle goes away. */
    public boolean waiting() {
      return reason == Reason.SENSITIVE_EVENTS;
    }
  }

  /**
   * A snapshot in the store.
   *
   * @param name the file name, such as {@code 20261130T141205.337Z_slow_order_1234_52ms.jfr}: when
   *     (UTC), the task type, its id and its duration, or the application's reason
   * @param size bytes
   * @param time when it was taken: the end of its window
   * @param reason why, in words
   */
  public record Snapshot(String name, long size, Instant time, String reason) {}

  /** A flight recorder with {@link FlightRecorderOptions#defaults()}. */
  public FlightRecorder() {
    this(FlightRecorderOptions.defaults());
  }

  public FlightRecorder(FlightRecorderOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.store = new SnapshotStore(options.snapshotDirectory(), options.maxSnapshots(), options.maxSnapshotBytes());
    options.slowTasks().forEach(this::snapshotOnSlowTask);
  }

  /**
   * The flight recorder started last in this JVM, running or not, or one that {@link
   * #startWhenPossible()} was asked to start and could not (while none runs): the one whose window
   * and snapshots the servlet serves, and whose {@link #startRefusal()} it shows. Empty until one
   * has started or been asked to.
   */
  public static Optional<FlightRecorder> current() {
    return Optional.ofNullable(current);
  }

  /**
   * Starts recording. A stopped flight recorder may start again; its window then begins anew.
   *
   * @throws IllegalStateException when this or another flight recorder is running in this JVM
   * @throws UnsupportedOperationException when JDK Flight Recorder is not available in this JVM
   * @throws SecurityException when another recording in this JVM enables events that carry
   *     secrets: JFR would put them in every chunk, and no window could be written
   */
  public void start() {
    Running started;
    synchronized (LOCK) {
      if (state != null) {
        throw new IllegalStateException("this flight recorder is already running");
      }
      if (running != null) {
        throw new IllegalStateException("a flight recorder is already running in this JVM; at most one runs at a time");
      }
      Optional<StartCheck.Refusal> refusal = StartCheck.recording("every chunk of the flight recorder", "");
      if (refusal.isPresent()) {
        throw refusal.get().exception();
      }
      WindowRecorder window =
          WindowRecorder.start(
              RecordingSettings.build(options.configuration(), options.settings()),
              options.minAge(),
              options.maxBytes(),
              this::stoppedFromOutside);
      SnapshotScheduler scheduler =
          new SnapshotScheduler(window, store, slowTasks, options.snapshotMinInterval(), options.snapshotDelay());
      TraceStats.addTaskEndListener(scheduler);
      failure = null;
      startTime = window.startTime();
      started = new Running(window, scheduler);
      state = started;
      running = this;
      current = this;
      refusal = null;
    }
    if (started.window().failure() != null) {
      stop(started); // stopped from outside before it was ours to stop
    }
  }

  /**
   * Starts recording now if JFR allows it, and otherwise as soon as it does: how the servlet, the
   * Spring Boot starter and the demo start the flight recorder an operator configured, so that an
   * obstacle is reported rather than thrown. When it cannot start, the reason and what to change
   * are logged once at WARNING (logger {@code io.github.livetrace.FlightRecorder}) and kept in
   * {@link #startRefusal()}, and {@link #current()} returns this recorder (unless another runs):
   * <ul>
   *   <li>another recording enables events that carry secrets: it starts by itself once no
   *       recording does (it watches every recording's stop and close);
   *   <li>JFR is not available, or another flight recorder runs: it does not start.
   * </ul>
   * {@link #stop()} ends the wait.
   *
   * @return whether it records now
   */
  public boolean startWhenPossible() {
    if (isEnabled()) {
      return true;
    }
    StartRefusal refused = tryStart();
    if (refused == null) {
      return true;
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "livetrace: the flight recorder did not start: "
            + refused.message()
            + (refused.waiting()
                ? ". It starts by itself once no recording enables them."
                : refused.reason() == StartRefusal.Reason.ANOTHER_RUNNING
                    ? ". The running one is served instead."
                    : ". It will not start in this JVM."));
    if (refused.waiting()) {
      Waiting w = new Waiting();
      waiting = w;
      jdk.jfr.FlightRecorder.addListener(w);
      w.recordingStateChanged(null); // the obstacle may have gone before the listener was in place
    }
    return false;
  }

  /** Starts, or says why not; the refusal is kept for {@link #startRefusal()}. */
  private StartRefusal tryStart() {
    StartRefusal refused;
    try {
      start();
      refusal = null;
      return null;
    } catch (UnsupportedOperationException e) {
      refused = new StartRefusal(StartRefusal.Reason.JFR_UNAVAILABLE, e.getMessage());
    } catch (SecurityException e) {
      refused = new StartRefusal(StartRefusal.Reason.SENSITIVE_EVENTS, e.getMessage());
    } catch (IllegalStateException e) {
      if (isEnabled()) {
        return null; // this one, started meanwhile
      }
      refused = new StartRefusal(StartRefusal.Reason.ANOTHER_RUNNING, e.getMessage());
    }
    synchronized (LOCK) {
      refusal = refused;
      if (running == null) {
        current = this;
      }
    }
    return refused;
  }

  /**
   * Why this flight recorder is not recording though {@link #startWhenPossible()} asked it to;
   * empty once it records, after {@link #stop()}, and when it was never asked to.
   */
  public Optional<StartRefusal> startRefusal() {
    return Optional.ofNullable(refusal);
  }

  /**
   * Waits for the recording that enables secret-bearing events to stop or close, then starts the
   * flight recorder. JFR calls listeners while it changes a recording's state, so the start runs
   * on a thread of its own.
   */
  private final class Waiting implements jdk.jfr.FlightRecorderListener {
    private final java.util.concurrent.atomic.AtomicBoolean trying = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void recordingStateChanged(jdk.jfr.Recording recording) {
      if (recording != null
          && recording.getState() != jdk.jfr.RecordingState.STOPPED
          && recording.getState() != jdk.jfr.RecordingState.CLOSED) {
        return;
      }
      if (waiting != this || !trying.compareAndSet(false, true)) {
        return;
      }
      Thread t = new Thread(this::retry, "livetrace flight recorder start");
      t.setDaemon(true);
      t.start();
    }

    private void retry() {
      try {
        if (waiting != this || !StartCheck.recording("every chunk of the flight recorder", "").isEmpty()) {
          return;
        }
        StartRefusal refused = tryStart();
        if (refused == null) {
          LOG.log(System.Logger.Level.INFO, "livetrace: the flight recorder started: no recording enables events that carry secrets any more");
        }
        if (refused == null || !refused.waiting()) {
          endWait(this);
        }
      } finally {
        trying.set(false);
      }
    }
  }

  private void endWait(Waiting w) {
    if (w != null && waiting == w) {
      waiting = null;
      jdk.jfr.FlightRecorder.removeListener(w);
    }
  }

  /**
   * Stops recording and returns once the recording, its chunk files and the livetrace thread are
   * gone (a snapshot being written is finished first; one still waiting for its delay is not
   * taken). A {@link #writeTo} in progress on another thread finishes from the chunks it holds.
   * The snapshot store stays. Does nothing when not running.
   */
  public void stop() {
    endWait(waiting);
    refusal = null;
    stop(state);
  }

  /** Stops {@code r} if it is still this recorder's running one: a late failure of an earlier run stops nothing. */
  private void stop(Running r) {
    synchronized (LOCK) {
      if (r == null || state != r) {
        return;
      }
      // Before state: failure() reads state, then this field, without the lock.
      if (r.window().failure() != null) {
        failure = r.window().failure();
      }
      state = null;
      if (running == this) {
        running = null;
      }
    }
    TraceStats.removeTaskEndListener(r.scheduler());
    r.window().close();
    r.scheduler().close();
  }

  private void stoppedFromOutside(TraceFailure why) {
    Running r = state;
    if (r != null && r.window().failure() == why) {
      stop(r);
    }
  }

  /** Whether the flight recorder is recording: started, and neither stopped nor failed. */
  public boolean isEnabled() {
    Running r = state;
    return r != null && r.window().isRunning();
  }

  /**
   * Writes the window, ending now, to {@code out} as a valid .jfr file: Go's {@code WriteTo}. The
   * chunk being written is finished first, so the window holds every event committed before the
   * call. Only one write runs at a time. Runs on the calling thread; {@code out} is flushed after
   * each chunk, not closed.
   *
   * @return the bytes written
   * @throws IllegalStateException when not running, or while another {@code writeTo} runs (as Go,
   *     whose caller then uses the other call's result)
   * @throws SecurityException when the newest chunk holds events that carry secrets, put there by
   *     another recording; older such chunks are left out of the window instead
   * @throws IOException when {@code out} throws (nothing more is written), or JFR fails
   */
  public long writeTo(OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    Running r = state;
    if (r == null || !r.window().isRunning()) {
      throw new IllegalStateException("the flight recorder is not running");
    }
    return r.window().writeExclusively(out).bytes();
  }

  /**
   * Whether a {@link #writeTo} runs now, so that another would be refused: lets a server answer
   * a request that only asks (HTTP HEAD) as it would answer the download.
   */
  public boolean isWriting() {
    Running r = state;
    return r != null && r.window().isWriting();
  }

  /**
   * Keeps a snapshot when a task of {@code taskType} ends slower than {@code threshold}: the
   * window is written to the store {@linkplain FlightRecorderOptions#snapshotDelay() a moment}
   * after the task ends. Applies at once, running or not; a second call for a type replaces the
   * first. {@link FlightRecorderOptions#withSnapshotOnSlowTask} sets the first ones.
   *
   * @param taskType the task type, as given to {@link Trace#newTask(String)}; for Spring MVC
   *     requests {@code http.server.requests}
   * @return this, for chaining
   * @throws IllegalArgumentException when the type is null or empty or the threshold not positive
   */
  public FlightRecorder snapshotOnSlowTask(String taskType, Duration threshold) {
    FlightRecorderOptions.defaults().withSnapshotOnSlowTask(taskType, threshold); // checks both
    slowTasks.put(Text.name(taskType), threshold.toNanos());
    return this;
  }

  /** The watched task types and their thresholds, by type. */
  public Map<String, Duration> slowTasks() {
    Map<String, Duration> copy = new TreeMap<>();
    slowTasks.forEach((type, nanos) -> copy.put(type, Duration.ofNanos(nanos)));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Writes the window to the snapshot store now, on a livetrace thread, for the application's own
   * reason: a failed health check, an exception handler. Never throws; counts against the
   * minimum interval like slow tasks.
   *
   * @param reason why, in a few words; it becomes part of the snapshot's name (letters, digits,
   *     {@code .} and {@code -}; anything else becomes {@code -}, at most 64 chars)
   * @return completes with the snapshot once it is in the store; fails with a {@code
   *     RejectedExecutionException} within the minimum interval of another, an {@code
   *     IllegalStateException} when not running, or the error that stopped the write
   */
  public CompletableFuture<Snapshot> snapshot(String reason) {
    Running r = state;
    if (r == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("the flight recorder is not running"));
    }
    try {
      return r.scheduler().requestNow(reason);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The snapshots in the store, newest first; also while stopped.
   *
   * @throws UncheckedIOException when the directory cannot be read
   */
  public List<Snapshot> snapshots() {
    try {
      return store.list();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the snapshots in " + store.directory(), e);
    }
  }

  /**
   * The file of the snapshot called {@code name}, when the store has it. The name is matched
   * against the form snapshot names have, never used as a path: safe for a name from a request.
   *
   * @throws IllegalArgumentException when {@code name} is not the name of a snapshot
   */
  public Optional<Path> snapshotFile(String name) {
    return store.find(name);
  }

  /** Where the snapshots are kept. */
  public Path snapshotDirectory() {
    return store.directory();
  }

  public FlightRecorderOptions options() {
    return options;
  }

  /** When the running flight recorder started, or the last one of this instance; empty before any start. */
  public Optional<Instant> startTime() {
    return Optional.ofNullable(startTime);
  }

  /**
   * The window's bytes on disk now: the finished chunks the recording keeps and the chunk being
   * written. 0 while stopped.
   */
  public long windowBytes() {
    Running r = state;
    return r == null ? 0 : r.window().bytesOnDisk();
  }

  /**
   * Why the flight recorder stopped by itself, if it did since it last started: its recording was
   * stopped or closed from outside ({@link TraceFailure.Reason#RECORDING_CLOSED}) or JFR failed.
   */
  public Optional<TraceFailure> failure() {
    Running r = state;
    TraceFailure f = r == null ? failure : r.window().failure();
    return Optional.ofNullable(f);
  }

  @Override
  public String toString() {
    StartRefusal r = refusal;
    String s = isEnabled() ? "running" : r == null ? "stopped" : r.waiting() ? "waiting" : "refused";
    return "FlightRecorder[" + s + ", " + options + "]";
  }
}
