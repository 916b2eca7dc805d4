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
  static final Task BACKGROUND = new Task(0, 0, "", 0);

  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(Task.class, "ended", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long id;
  private final long parentId;
  private final String type;
  private final long startNanos;
  @SuppressWarnings("unused") // through ENDED
  private volatile boolean ended;

  Task(long id, long parentId, String type, long startNanos) {
    this.id = id;
    this.parentId = parentId;
    this.type = type;
    this.startNanos = startNanos;
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
    return ended;
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
      if (!ENDED.compareAndSet(this, false, true)) {
        return;
      }
      long duration = System.nanoTime() - startNanos;
      if (Jfr.PRESENT) {
        TaskEndEvent event = new TaskEndEvent();
        if (event.isEnabled()) {
          StringPoolGuard.beforeCommit();
          event.taskId = id;
          event.parentId = parentId;
          event.taskType = type;
          event.taskDuration = duration;
          event.commit();
        }
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
