package io.github.livetrace.internal;

import io.github.livetrace.TraceFailure.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counters about tracing, read by {@code LivetraceMetrics}. They live here rather
 * than in a meter registry so that core needs no metrics library and every way of starting a
 * trace (code, servlet, Spring) is counted in one place.
 */
public final class TraceStats {
  /** Why a request for a trace was turned down. */
  public enum Rejection {
    /** Another trace was running. */
    BUSY("busy"),
    /** The request was malformed (a bad {@code seconds}, an unknown settings name...). */
    BAD_REQUEST("bad_request"),
    /** No or wrong credentials. */
    UNAUTHORIZED("unauthorized"),
    /** Credentials fine, access refused by the access check. */
    FORBIDDEN("forbidden"),
    /** JDK Flight Recorder is not available, or another recording would leak secrets. */
    UNAVAILABLE("unavailable");

    private final String tag;

    Rejection(String tag) {
      this.tag = tag;
    }

    /** The value of the {@code reason} tag. */
    public String tag() {
      return tag;
    }
  }

  /**
   * Told of every task end, with its id, type and duration; set by metrics binders and the flight
   * recorder's slow-task snapshots. Called on the thread that ended the task: return quickly.
   */
  public interface TaskEndListener {
    void taskEnded(long taskId, String taskType, long durationNanos);
  }

  private static final LongAdder STARTED = new LongAdder();
  private static final LongAdder BYTES = new LongAdder();
  private static final Map<Rejection, LongAdder> REJECTED = new EnumMap<>(Rejection.class);
  private static final Map<Reason, LongAdder> FAILED = new EnumMap<>(Reason.class);
  private static final CopyOnWriteArrayList<TaskEndListener> TASK_LISTENERS =
      new CopyOnWriteArrayList<>();

  static {
    for (Rejection r : Rejection.values()) {
      REJECTED.put(r, new LongAdder());
    }
    for (Reason r : Reason.values()) {
      FAILED.put(r, new LongAdder());
    }
  }

  private TraceStats() {}

  public static void started() {
    STARTED.increment();
  }

  public static void rejected(Rejection reason) {
    REJECTED.get(reason).increment();
  }

  /**
   * A trace that livetrace ended before its time: counted for every reason but the output's own
   * failure (a client that went away ends its download, not livetrace).
   */
  public static void failed(Reason reason) {
    FAILED.get(reason).increment();
  }

  public static long failedCount(Reason reason) {
    return FAILED.get(reason).sum();
  }

  public static void streamed(long bytes) {
    BYTES.add(bytes);
  }

  public static long startedCount() {
    return STARTED.sum();
  }

  public static long rejectedCount(Rejection reason) {
    return REJECTED.get(reason).sum();
  }

  public static long streamedBytes() {
    return BYTES.sum();
  }

  public static void addTaskEndListener(TaskEndListener listener) {
    TASK_LISTENERS.add(listener);
  }

  public static void removeTaskEndListener(TaskEndListener listener) {
    TASK_LISTENERS.remove(listener);
  }

  /** Whether anybody listens; lets {@code Task.end()} skip the loop on the common path. */
  public static boolean hasTaskEndListeners() {
    return !TASK_LISTENERS.isEmpty();
  }

  public static void taskEnded(long taskId, String taskType, long durationNanos) {
    for (TaskEndListener l : TASK_LISTENERS) {
      try {
        l.taskEnded(taskId, taskType, durationNanos);
      } catch (RuntimeException e) {
        // A broken listener must not throw into the code that ended the task.
      }
    }
  }
}
