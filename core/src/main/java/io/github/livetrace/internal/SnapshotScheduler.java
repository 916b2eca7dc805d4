package io.github.livetrace.internal;

import io.github.livetrace.FlightRecorder.Snapshot;
import io.github.livetrace.internal.FlightRecorderStats.Skip;
import io.github.livetrace.internal.FlightRecorderStats.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Decides when the window goes to the snapshot store: when a task of a watched type ends slower
 * than its threshold, a while after (so that the task's end and what followed are in the window),
 * and when the application asks, at once. At most one snapshot is taken per minimum interval, and
 * none while another is pending: a storm of slow requests makes one snapshot, not hundreds.
 *
 * <p>The task-end listener runs on the application's thread that ended the task: it only compares
 * and schedules; the window is written on the livetrace thread.
 */
public final class SnapshotScheduler implements TraceStats.TaskEndListener {
  private static final System.Logger LOG = System.getLogger("io.github.livetrace.FlightRecorder");

  private final WindowRecorder window;
  private final SnapshotStore store;
  private final Map<String, Long> thresholds; // task type to nanos; the owner's live map
  private final long minIntervalNanos;
  private final long delayNanos;

  // Guarded by this:
  private CompletableFuture<Snapshot> pending;
  private long lastAcceptedNanoTime;
  private boolean anyAccepted;
  private boolean closed;

  /**
   * @param thresholds task type to threshold in nanoseconds; read at every task end, so changes
   *     apply at once
   */
  public SnapshotScheduler(
      WindowRecorder window, SnapshotStore store, Map<String, Long> thresholds, Duration minInterval, Duration delay) {
    this.window = window;
    this.store = store;
    this.thresholds = thresholds;
    this.minIntervalNanos = minInterval.toNanos();
    this.delayNanos = delay.toNanos();
  }

  @Override
  public void taskEnded(long taskId, String taskType, long durationNanos) {
    Long threshold = thresholds.get(taskType);
    if (threshold != null && durationNanos > threshold) {
      request(Trigger.SLOW_TASK, SnapshotStore.slowTaskLabel(taskType, taskId, durationNanos), delayNanos);
    }
  }

  /** A snapshot now, for the application's own reason; completes when it is in the store. */
  public CompletableFuture<Snapshot> requestNow(String reason) {
    return request(Trigger.APPLICATION, SnapshotStore.reasonLabel(reason), 0);
  }

  private CompletableFuture<Snapshot> request(Trigger trigger, String label, long delay) {
    CompletableFuture<Snapshot> future = new CompletableFuture<>();
    synchronized (this) {
      long now = System.nanoTime();
      if (closed) {
        future.completeExceptionally(new IllegalStateException("the flight recorder is not running"));
        return future;
      }
      if (pending != null || (anyAccepted && now - lastAcceptedNanoTime < minIntervalNanos)) {
        FlightRecorderStats.skipped(Skip.MIN_INTERVAL);
        future.completeExceptionally(
            new RejectedExecutionException(
                (pending != null ? "a snapshot is already pending" : "a snapshot was taken "
                    + Durations.format(now - lastAcceptedNanoTime) + " ago")
                    + "; at most one is taken per " + Durations.format(minIntervalNanos)));
        return future;
      }
      pending = future;
      anyAccepted = true;
      lastAcceptedNanoTime = now;
    }
    try {
      window.schedule(() -> write(trigger, label, future), delay);
    } catch (RejectedExecutionException e) {
      finish(future);
      FlightRecorderStats.skipped(Skip.STOPPED);
      future.completeExceptionally(new IllegalStateException("the flight recorder is not running"));
    }
    return future;
  }

  private void write(Trigger trigger, String label, CompletableFuture<Snapshot> future) {
    try {
      Snapshot entry = store.write(Instant.now(), label, out -> window.write(out));
      FlightRecorderStats.written(trigger);
      finish(future);
      future.complete(entry);
    } catch (Exception | Error e) {
      FlightRecorderStats.skipped(Skip.ERROR);
      LOG.log(System.Logger.Level.WARNING, "livetrace: a flight recorder snapshot (" + label + ") could not be written: " + e);
      finish(future);
      future.completeExceptionally(e);
    }
  }

  private synchronized void finish(CompletableFuture<Snapshot> future) {
    if (pending == future) {
      pending = null;
    }
  }

  /**
   * No more requests; a snapshot still waiting for its delay is given up (the livetrace thread
   * has stopped) and counted.
   */
  public void close() {
    CompletableFuture<Snapshot> left;
    synchronized (this) {
      closed = true;
      left = pending;
      pending = null;
    }
    if (left != null && left.completeExceptionally(new IllegalStateException("the flight recorder stopped before the snapshot was taken"))) {
      FlightRecorderStats.skipped(Skip.STOPPED);
    }
  }
}
