package io.github.livetrace;

import io.github.livetrace.internal.Jfr;
import io.github.livetrace.internal.OpenTaskEvent;
import io.github.livetrace.internal.StringPoolGuard;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The tasks begun while a task's end would be recorded and not yet ended, so that JFR can write
 * them at the end of every chunk ({@link OpenTaskEvent}): a task then costs one event, its end,
 * instead of a begin and an end, and a trace still shows the tasks open at its end.
 *
 * <p>A fixed table of {@value #SIZE} slots, taken without a lock: a task tries {@value #PROBES}
 * slots from one its id picks and keeps the first free one, which its end frees. A task that
 * finds none (more tasks open at once than that, or tasks that are never ended and hold their
 * slots) is written as a {@code livetrace.TaskBegin} event instead, as every task was before, so
 * that nothing is lost and the table never grows: it holds 64 KB at most, allocated on first use.
 */
final class OpenTasks {
  static final int SIZE = 1 << 14; // the hash in add() takes 14 bits
  static final int PROBES = 8;

  private static final Task[] SLOTS = new Task[SIZE];
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Task[].class);

  static {
    if (Jfr.PRESENT) {
      jdk.jfr.FlightRecorder.addPeriodicEvent(OpenTaskEvent.class, OpenTasks::emit);
    }
  }

  private OpenTasks() {}

  /** The slot {@code task} now holds; -1 when all it tried were taken. */
  static int add(Task task) {
    // Fibonacci hashing: tasks begun one after another, often on different threads, land on
    // different cache lines rather than contending for one.
    int i = (int) (task.id() * 0x9E3779B97F4A7C15L >>> (64 - 14));
    for (int n = 0; n < PROBES; n++, i = (i + 1) & (SIZE - 1)) {
      if (SLOT.getOpaque(SLOTS, i) == null && SLOT.compareAndSet(SLOTS, i, (Task) null, task)) {
        return i;
      }
    }
    return -1;
  }

  /** Frees the slot that {@link #add} gave {@code task}; only that task's end calls it. */
  static void remove(int slot) {
    SLOT.setRelease(SLOTS, slot, (Task) null);
  }

  /**
   * Writes every open task: JFR calls this at the end of each chunk of a recording that enables
   * {@code livetrace.OpenTask}, on the thread that rotates or stops it.
   */
  private static void emit() {
    StringPoolGuard.beforePeriodicCommit();
    for (int i = 0; i < SIZE; i++) {
      Task task = (Task) SLOT.getAcquire(SLOTS, i);
      if (task == null || task.isEnded()) {
        continue; // a task that ends meanwhile is in this chunk as a TaskEnd, which readers prefer
      }
      OpenTaskEvent event = new OpenTaskEvent();
      event.taskId = task.id();
      event.parentId = task.parentId();
      event.taskType = task.type();
      // Read right before the commit, whose time it is taken back from: a time read before the
      // scan of the table put every begin as far too late as the scan took (0.2 ms, measured).
      event.taskDuration = Math.max(0, System.nanoTime() - task.startNanos());
      event.beginThread = task.beginThread(); // the event's own thread is the one rotating
      event.commit();
    }
  }
}
