package io.github.livetrace;

import io.github.livetrace.internal.Jfr;
import io.github.livetrace.internal.PropagatingExecutor;
import io.github.livetrace.internal.PropagatingExecutorService;
import io.github.livetrace.internal.StringPoolGuard;
import io.github.livetrace.internal.TaskEndEvent;
import io.github.livetrace.internal.TraceStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * A logical operation, an HTTP request or a job, that may span threads: Go's {@code trace.Task}.
 * Create one with {@link Trace#newTask(String)}, make it current on each thread that works for it,
 * and end it once:
 *
 * <pre>{@code
 * Task order = Trace.newTask("order");
 * try (Task.Scope scope = order.makeCurrent()) {
 *     Trace.log("order", "espresso for Ann");
 *     pool.submit(order.wrap(() -> Trace.withRegion("brew", this::brew)));  // runs in the task
 * } finally {
 *     order.end();   // or on another thread, when the last step finishes
 * }
 * }</pre>
 *
 * <p>Regions and logs belong to the task current on their thread ({@link #current()}); a task
 * created while another is current becomes its child. Tasks exist whether or not a trace
 * records, because work crosses the start and stop of traces: ids come from a JVM-wide counter,
 * and the background task, current when no other is, has id 0.
 *
 * <p>Carrying a task to other threads: {@link #wrap(Runnable)} and {@link #wrap(Callable)} bind
 * this task; {@link #propagating(ExecutorService)} wraps an executor so that every submission
 * runs in the task that was current when it was submitted, as OpenTelemetry's {@code
 * Context.taskWrapping} does.
 */
public final class Task {
  /** The task current on a thread when no other is: id 0, never ends. */
  static final Task BACKGROUND = new Task(0, 0, "", 0, null);

  // The state: a slot of OpenTasks, or one of these.
  /** Not in {@link OpenTasks}: begun while no task end was recorded. */
  static final int UNLISTED = -1;

  static final int ENDED = -2;

  /** Not in {@link OpenTasks}, which was full: a {@code livetrace.TaskBegin} was written instead. */
  static final int BEGIN_WRITTEN = -3;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Task.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // 48 bytes with compressed references: what a task costs, traced or not.
  private final long id;
  private final long parentId;
  private final String type;
  private final long startNanos;
  private final Thread beginThread;
  @SuppressWarnings("unused") // through STATE
  private volatile int state = UNLISTED;

  Task(long id, long parentId, String type, long startNanos, Thread beginThread) {
    this.id = id;
    this.parentId = parentId;
    this.type = type;
    this.startNanos = startNanos;
    this.beginThread = beginThread;
  }

  /** The task current on this thread; the background task (id 0) when none is. */
  public static Task current() {
    try {
      return ThreadState.get().current();
    } catch (RuntimeException e) {
      return BACKGROUND;
    }
  }

  /** Unique in this JVM; 0 only for the background task. */
  public long id() {
    return id;
  }

  /** The task that was current where this one was created; 0 when none was. */
  public long parentId() {
    return parentId;
  }

  /** The task type, as recorded (bounded to {@value io.github.livetrace.internal.Text#MAX_NAME} chars). */
  public String type() {
    return type;
  }

  /** Whether {@link #end()} was called. The background task never ends. */
  public boolean isEnded() {
    return state == ENDED;
  }

  long startNanos() {
    return startNanos;
  }

  Thread beginThread() {
    return beginThread;
  }

  /** Sets the state before the task is handed to anyone: a plain write. */
  void begun(int state) {
    STATE.set(this, state);
  }

  /**
   * Ends the task: its latency is from creation to this first call. Later calls are ignored, as
   * in Go. Any thread may end a task.
   */
  public void end() {
    if (this == BACKGROUND) {
      return;
    }
    try {
      int was = (int) STATE.getAndSet(this, ENDED);
      if (was == ENDED) {
        return;
      }
      if (was >= 0) {
        OpenTasks.remove(was);
      }
      long duration;
      if (Jfr.PRESENT && TaskEndEvent.enabled()) {
        // Each thread reuses one event: whether C2 scalar-replaces a fresh one depends on its
        // inlining budget, and when it does not, a task costs 64 B more (measured on JDK 17 and
        // 25 alike). begin() gives it the time of the end, read with the duration after the
        // string pool guard (which may wait); its JFR duration is left from its first commit, a
        // few nanoseconds, so readers take the end from the event's start.
        TaskEndEvent event = ThreadState.get().taskEnd();
        StringPoolGuard.beforeCommit();
        event.taskId = id;
        event.parentId = parentId;
        event.taskType = type;
        event.beginThread = beginThread == Thread.currentThread() ? null : beginThread;
        event.beginEvent = was == BEGIN_WRITTEN;
        duration = System.nanoTime() - startNanos;
        event.taskDuration = duration;
        event.begin();
        event.commit();
        event.beginThread = null; // a reused event must not keep a thread alive
      } else {
        duration = System.nanoTime() - startNanos;
      }
      if (TraceStats.hasTaskEndListeners()) {
        TraceStats.taskEnded(id, type, duration);
      }
    } catch (RuntimeException e) {
      // Never into application code.
    }
  }

  /**
   * Makes this task current on the calling thread until the returned scope is closed, which
   * restores the task that was current before. Close it on the same thread, innermost first:
   *
   * <pre>{@code
   * try (Task.Scope scope = task.makeCurrent()) { ... }
   * }</pre>
   */
  public Scope makeCurrent() {
    try {
      return ThreadState.get().open(this);
    } catch (RuntimeException e) {
      return () -> {};
    }
  }

  /** A runnable that runs {@code runnable} with this task current; null for null. */
  public Runnable wrap(Runnable runnable) {
    if (runnable == null) {
      return null;
    }
    return () -> {
      try (Scope scope = makeCurrent()) {
        runnable.run();
      }
    };
  }

  /** A callable that calls {@code callable} with this task current; null for null. */
  public <T> Callable<T> wrap(Callable<T> callable) {
    if (callable == null) {
      return null;
    }
    return () -> {
      try (Scope scope = makeCurrent()) {
        return callable.call();
      }
    };
  }

  /**
   * An executor that runs each command in the task that was current on the thread that handed it
   * over; null for null.
   */
  public static Executor propagating(Executor executor) {
    if (executor == null) {
      return null;
    }
    if (executor instanceof ExecutorService) {
      return propagating((ExecutorService) executor);
    }
    return new PropagatingExecutor(executor);
  }

  /**
   * An executor service that runs each submitted task in the task that was current on the
   * submitting thread; shutdown and the rest go to {@code executor}. Null for null.
   */
  public static ExecutorService propagating(ExecutorService executor) {
    if (executor == null) {
      return null;
    }
    if (executor instanceof PropagatingExecutorService) {
      return executor;
    }
    return new PropagatingExecutorService(executor);
  }

  @Override
  public String toString() {
    return "Task[id=" + id + ", parentId=" + parentId + ", type=" + type + "]";
  }

  /** Restores the previously current task when closed. Closing never throws. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
