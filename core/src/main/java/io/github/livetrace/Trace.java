package io.github.livetrace;

import io.github.livetrace.internal.ChunkPump;
import io.github.livetrace.internal.Jfr;
import io.github.livetrace.internal.LogEvent;
import io.github.livetrace.internal.Misuse;
import io.github.livetrace.internal.RecordingSettings;
import io.github.livetrace.internal.RegionEvent;
import io.github.livetrace.internal.StartCheck;
import io.github.livetrace.internal.StringPoolGuard;
import io.github.livetrace.internal.TaskBeginEvent;
import io.github.livetrace.internal.TaskEndEvent;
import io.github.livetrace.internal.Text;
import io.github.livetrace.internal.TraceStats;
import io.github.livetrace.internal.TraceStats.Rejection;
import io.github.livetrace.internal.WarmUp;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

/**
 * Live JFR traces and the annotations that go into them: the JVM's {@code runtime/trace}.
 *
 * <h2>Recording</h2>
 *
 * <pre>{@code
 * try (OutputStream out = Files.newOutputStream(Path.of("trace.jfr"))) {
 *     Trace.start(out);          // the first chunk is written after about 0.3 s
 *     runWorkload();
 *     Trace.stop();              // returns once the last chunk is written
 * }
 * }</pre>
 *
 * One trace runs at a time; {@link #start} and {@link #stop} are gated by one lock, as in Go.
 *
 * <h2>Annotating</h2>
 *
 * <pre>{@code
 * Task task = Trace.newTask("order");
 * try (Task.Scope scope = task.makeCurrent();
 *      Region region = Trace.startRegion("validate")) {
 *     Trace.logf("order", "%d items", items.size());
 * } finally {
 *     task.end();
 * }
 * }</pre>
 *
 * Annotation calls never throw, whatever their arguments; while no trace records they return
 * after a check of a few nanoseconds and allocate nothing.
 */
public final class Trace {
  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final AtomicLong TASK_IDS = new AtomicLong();

  /** The last session started; it may have ended by itself. Written under {@link #LOCK}. */
  private static volatile TraceSession current;

  private Trace() {}

  // ---- recording ------------------------------------------------------------------------

  /** Starts a trace with {@link TraceOptions#defaults()}; see {@link #start(OutputStream, TraceOptions)}. */
  public static TraceSession start(OutputStream out) {
    return start(out, TraceOptions.defaults());
  }

  /**
   * Starts a JFR recording and streams it to {@code out} while the application runs, as a
   * sequence of finished chunks: the bytes written so far always form a valid .jfr file. The
   * first chunk is finished a quarter of a second after the start (sooner with a shorter chunk
   * interval), later ones once per chunk interval (more when JFR's 12 MB chunk limit comes
   * first); each is flushed once written. With a duration, a remainder shorter than an interval
   * goes into the last chunk. The trace holds every event from the moment this method returns;
   * the first call in a JVM takes a second or more while JFR initializes, unless {@link
   * #warmUp()} ran before.
   *
   * <p>The recording never waits for {@code out}: it ends at its duration whatever the reader
   * does, and finished chunks wait on disk for at most the {@linkplain
   * TraceOptions#withWriteTimeout write timeout}. Two livetrace threads do the work. If a write
   * throws, the output stalls past the write timeout, another recording puts secret-bearing
   * events into the chunks, or the recording is stopped from outside, the trace ends at once
   * (a chunk being written is finished first, so that {@code out} ends with whole chunks, unless
   * the output is past its write timeout), releases everything, and {@link TraceSession#failure()}
   * says why. Each chunk is checked whole
   * before any byte of it is written: a chunk that holds one of {@link
   * TraceOptions#sensitiveEvents()} is never sent (unless explicitly allowed).
   *
   * @return the session, to wait on or stop
   * @throws IllegalStateException "tracing is already enabled" when a trace is running
   * @throws UnsupportedOperationException when JDK Flight Recorder is not available in this JVM
   * @throws SecurityException when another recording in this JVM enables events that carry
   *     secrets (see {@link TraceOptions#withSensitiveEventsFromOtherRecordingsAllowed})
   */
  public static TraceSession start(OutputStream out, TraceOptions options) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(options, "options");
    LOCK.lock();
    try {
      TraceSession running = current;
      if (running != null && running.isActive()) {
        TraceStats.rejected(Rejection.BUSY);
        throw new IllegalStateException("tracing is already enabled");
      }
      Optional<StartCheck.Refusal> refusal = StartCheck.trace(options);
      if (refusal.isPresent()) {
        TraceStats.rejected(Rejection.UNAVAILABLE);
        throw refusal.get().exception();
      }
      Map<String, String> settings = RecordingSettings.build(options.configuration(), options.settings());
      Recording recording = new Recording(settings);
      TraceSession session;
      try {
        recording.setName("livetrace");
        recording.setToDisk(true);
        // Snapshots hold the chunks still to send; the recording itself needs only a short window.
        recording.setMaxAge(options.chunkInterval().multipliedBy(2));
        Instant startTime = Instant.now();
        StringPoolGuard.beforeRecordingStart();
        recording.start();
        StringPoolGuard.afterRecordingStart();
        ChunkPump pump =
            new ChunkPump(
                recording,
                out,
                options.chunkInterval(),
                options.duration().orElse(null),
                options.writeTimeout(),
                options.sensitiveEventsFromOtherRecordingsAllowed()
                    ? Map.of()
                    : RecordingSettings.refusedEventTypeIds(settings));
        session = new TraceSession(pump, startTime, options.duration());
      } catch (RuntimeException | Error e) {
        recording.close();
        throw e;
      }
      current = session;
      TraceStats.started();
      return session;
    } finally {
      LOCK.unlock();
    }
  }

  /**
   * Stops the running trace and returns once every byte of it has been written, or the write
   * timeout has passed, and the recording and its chunk files are closed and removed. Does
   * nothing when no trace runs.
   */
  public static void stop() {
    TraceSession session;
    LOCK.lock();
    try {
      session = current;
      if (session == null) {
        return;
      }
      session.pump().requestStop();
    } finally {
      LOCK.unlock();
    }
    finish(session);
  }

  static void stop(TraceSession session) {
    LOCK.lock();
    try {
      if (current != session) {
        return;
      }
      session.pump().requestStop();
    } finally {
      LOCK.unlock();
    }
    finish(session);
  }

  /**
   * Waits for the pump outside the lock: the last write may block on a slow client, and a
   * second caller must meanwhile get its "already enabled" answer at once, not wait too.
   */
  private static void finish(TraceSession session) {
    boolean interrupted = false;
    while (true) {
      try {
        session.pump().awaitFinished(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        break;
      } catch (InterruptedException e) {
        interrupted = true; // stop keeps its promise; the flag is restored below
      }
    }
    LOCK.lock();
    try {
      if (current == session) {
        current = null;
      }
    } finally {
      LOCK.unlock();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Pays JDK Flight Recorder's one-time start-up costs on a background thread, so that the first
   * trace of this JVM starts as quickly as any later one (a first start takes one to several
   * seconds on a busy machine; a later one tens of milliseconds). It runs a short recording with
   * livetrace's settings once per JVM and leaves nothing behind: no recording, chunk file or
   * thread, and no cost while no trace runs. The servlet calls it when it is initialized and the
   * Spring Boot starter when the application is ready; call it at start-up elsewhere. Returns at
   * once; later calls return the same future. Never throws: the future completes exceptionally
   * if JFR failed, and the first trace then reports the error.
   *
   * @return completes when the warm-up is done
   */
  public static CompletableFuture<Void> warmUp() {
    return WarmUp.start();
  }

  /** Whether a trace is recording now. Advisory, as in Go: it may change right after. */
  public static boolean isEnabled() {
    TraceSession session = current;
    return session != null && session.isActive();
  }

  /** The trace recording now, if any: to learn when it ends, or how much it has written. */
  public static Optional<TraceSession> activeSession() {
    TraceSession session = current;
    return session != null && session.isActive() ? Optional.of(session) : Optional.empty();
  }

  // ---- annotations ----------------------------------------------------------------------

  /**
   * Creates a task of the given type, a child of the task current on this thread. Tasks are
   * created (and get ids) even while no trace records. While one does, a task writes one event,
   * {@code livetrace.TaskEnd} with its duration, and {@code livetrace.OpenTask} at the end of each
   * chunk while it is open, so that a trace shows the tasks still open at its end. Task types
   * should be few: tools group by them.
   *
   * @param type what kind of operation, such as {@code "http GET /orders"}; null counts as empty,
   *     and more than {@value io.github.livetrace.internal.Text#MAX_NAME} chars are cut
   */
  public static Task newTask(String type) {
    return begin(Task.current(), type);
  }

  /**
   * Creates a task of the given type, a child of {@code parent} whatever task is current on this
   * thread: for a framework that knows the parent from elsewhere, such as the parent of an
   * observation that lives on another thread, as Go's {@code NewTask} takes it from a context.
   *
   * @param parent the parent task; null for none (a top-level task)
   */
  public static Task newTask(Task parent, String type) {
    return begin(parent == null ? Task.BACKGROUND : parent, type);
  }

  private static Task begin(Task parent, String type) {
    Task task =
        new Task(TASK_IDS.incrementAndGet(), parent.id(), Text.name(type), System.nanoTime(), Thread.currentThread());
    if (!Jfr.PRESENT) {
      return task;
    }
    try {
      if (TaskEndEvent.enabled()) {
        int slot = OpenTasks.add(task);
        if (slot >= 0) {
          task.begun(slot);
        } else {
          task.begun(Task.BEGIN_WRITTEN);
          TaskBeginEvent event = new TaskBeginEvent();
          StringPoolGuard.beforeCommit();
          event.taskId = task.id();
          event.parentId = task.parentId();
          event.taskType = task.type();
          event.commit();
        }
      }
    } catch (RuntimeException e) {
      // Never into application code.
    }
    return task;
  }

  /**
   * Starts a region of the given type on this thread, in the current task. End it on this
   * thread, best with try-with-resources. While no trace records this returns a shared no-op
   * region without allocating.
   *
   * @param type what the thread is doing, such as {@code "grindBeans"}; bounded like task types
   */
  public static Region startRegion(String type) {
    try {
      if (!Jfr.PRESENT || !RegionEvent.enabled()) {
        return Region.NOOP;
      }
      return Region.begin(Text.name(type));
    } catch (RuntimeException e) {
      return Region.NOOP;
    }
  }

  /** Runs {@code action} inside a region of the given type. */
  public static void withRegion(String type, Runnable action) {
    if (action == null) {
      Misuse.report("null-action", "withRegion('" + Text.name(type) + "') was given no action");
      return;
    }
    try (Region region = startRegion(type)) {
      action.run();
    }
  }

  /** Calls {@code action} inside a region of the given type and returns its value. */
  public static <T> T withRegion(String type, Supplier<T> action) {
    if (action == null) {
      Misuse.report("null-action", "withRegion('" + Text.name(type) + "') was given no action");
      return null;
    }
    try (Region region = startRegion(type)) {
      return action.get();
    }
  }

  /**
   * Logs a message in the current task. Category and message are bounded (categories like task
   * types, messages to {@value io.github.livetrace.internal.Text#MAX_MESSAGE} chars); null
   * counts as empty.
   */
  public static void log(String category, String message) {
    if (!Jfr.PRESENT) {
      return;
    }
    try {
      LogEvent event = new LogEvent();
      if (!event.isEnabled()) {
        return;
      }
      StringPoolGuard.beforeCommit();
      event.taskId = Task.current().id();
      event.category = Text.name(category);
      event.message = Text.message(message);
      event.commit();
    } catch (RuntimeException e) {
      // Never into application code.
    }
  }

  /**
   * Logs a formatted message ({@link String#format}) in the current task. The formatting only
   * happens while a trace records. A format that does not fit its arguments is misuse: the raw
   * format is logged instead and the misuse reported.
   */
  public static void logf(String category, String format, Object... args) {
    if (!Jfr.PRESENT || !LogEvent.enabled()) {
      return;
    }
    String message;
    try {
      message = String.format(format, args);
    } catch (RuntimeException e) {
      Misuse.report("bad-format", "logf format '" + Text.name(format) + "' failed: " + e);
      message = format;
    }
    log(category, message);
  }

  /** How many times the annotation API was misused in this JVM (see {@code livetrace.Misuse}). */
  public static long misuseCount() {
    return Misuse.count();
  }
}
