package io.github.livetrace;

import io.github.livetrace.internal.Misuse;
import io.github.livetrace.internal.TaskEndEvent;
import java.util.Arrays;

/**
 * What livetrace keeps per thread: the current task with the open scopes that made it current,
 * and the regions open on the thread, innermost last, so that a region or scope ended out of
 * nesting order is noticed.
 *
 * <p>Only the owning thread changes an instance. A region or scope ended from another thread is
 * only marked (and reported as misuse there, under its own name); the owner lets go of it the next
 * time it looks: when it asks for the current task, opens or closes a scope, or starts or ends a
 * region. So whatever the order or thread of closing, what a thread keeps is released, and both
 * stacks are bounded ({@link #MAX_OPEN_REGIONS}, {@link #MAX_OPEN_SCOPES}): deeper nesting still
 * works, but is not checked.
 */
final class ThreadState {
  /** Regions tracked per thread; deeper nesting still records, but is not checked. */
  static final int MAX_OPEN_REGIONS = 256;

  /** Scopes tracked per thread; deeper ones still make their task current, unchecked. */
  static final int MAX_OPEN_SCOPES = 256;

  private static final ThreadLocal<ThreadState> STATE = ThreadLocal.withInitial(ThreadState::new);

  private Task current = Task.BACKGROUND;
  private TaskEndEvent taskEnd;
  private Scope innermost; // the innermost tracked open scope; each links to the one before
  private int scopeDepth;
  private Region[] open = new Region[8];
  private int depth;

  static ThreadState get() {
    return STATE.get();
  }

  /** This thread's task end event, reused: only this thread commits it, one end at a time. */
  TaskEndEvent taskEnd() {
    TaskEndEvent event = taskEnd;
    if (event == null) {
      taskEnd = event = new TaskEndEvent();
    }
    return event;
  }

  /** The task current on this thread, once scopes closed elsewhere have been let go of. */
  Task current() {
    Scope s = innermost;
    if (s != null && s.abandoned) {
      unwindAbandoned();
    }
    return current;
  }

  // ---- scopes --------------------------------------------------------------------------------

  Task.Scope open(Task task) {
    unwindAbandoned();
    boolean tracked = scopeDepth < MAX_OPEN_SCOPES;
    if (!tracked) {
      Misuse.report(
          "too-many-open-scopes",
          "more than " + MAX_OPEN_SCOPES + " task scopes open on one thread; are scopes never closed?"
              + " The scope of task '" + task.type() + "' is not checked");
    }
    Scope scope = new Scope(this, task, current, tracked ? innermost : null, tracked);
    if (tracked) {
      innermost = scope;
      scopeDepth++;
    }
    current = task;
    return scope;
  }

  private void unwindAbandoned() {
    while (innermost != null && innermost.abandoned) {
      current = innermost.previousTask;
      innermost = innermost.previous;
      scopeDepth--;
    }
  }

  /** Closes a scope on its own thread. */
  private void close(Scope scope) {
    if (!scope.tracked) {
      current = scope.previousTask;
      return;
    }
    boolean openAbove = false;
    int above = 0;
    Scope s = innermost;
    while (s != null && s != scope) {
      openAbove |= !s.abandoned;
      above++;
      s = s.previous;
    }
    if (s == null) {
      return; // already let go of when an enclosing scope closed before it, which was reported
    }
    if (openAbove) {
      Misuse.report(
          "scope-out-of-order",
          "the scope of task '" + scope.task.type() + "' was closed while task '" + current.type()
              + "' was current: scopes must close innermost first");
    }
    innermost = scope.previous;
    scopeDepth -= above + 1;
    current = scope.previousTask;
    unwindAbandoned();
  }

  /** Restores the previously current task when closed. Closing never throws. */
  private static final class Scope implements Task.Scope {
    private final ThreadState state;
    private final Task task;
    private final Task previousTask;
    private final Scope previous;
    private final boolean tracked;
    private final Thread owner = Thread.currentThread();
    private boolean closed; // owner only
    private volatile boolean abandoned; // closed on another thread

    Scope(ThreadState state, Task task, Task previousTask, Scope previous, boolean tracked) {
      this.state = state;
      this.task = task;
      this.previousTask = previousTask;
      this.previous = previous;
      this.tracked = tracked;
    }

    @Override
    public void close() {
      try {
        if (Thread.currentThread() != owner) {
          Misuse.report(
              "scope-closed-on-other-thread",
              "the scope of task '" + task.type() + "' was closed on thread '"
                  + Thread.currentThread().getName() + "', not on '" + owner.getName()
                  + "' where it was opened; that thread lets go of it");
          abandoned = true;
          return;
        }
        if (closed || abandoned) {
          Misuse.report("scope-closed-twice", "the scope of task '" + task.type() + "' was closed twice");
          return;
        }
        closed = true;
        state.close(this);
      } catch (RuntimeException e) {
        // Never into application code.
      }
    }
  }

  // ---- regions -------------------------------------------------------------------------------

  /** Tracks a region that just began; false when the thread has too many open. */
  boolean push(Region region) {
    dropEndedOnTop();
    if (depth == MAX_OPEN_REGIONS) {
      Misuse.report(
          "too-many-open-regions",
          "more than " + MAX_OPEN_REGIONS + " regions open on one thread; are regions never ended?"
              + " Nesting of region '" + region.type() + "' is not checked");
      return false;
    }
    if (depth == open.length) {
      open = Arrays.copyOf(open, Math.min(open.length * 2, MAX_OPEN_REGIONS));
    }
    open[depth++] = region;
    return true;
  }

  /**
   * Untracks a region its own thread just ended. Regions above it that were ended on another
   * thread (reported there) do not make this one out of order; open ones do.
   */
  void pop(Region region) {
    if (depth > 0 && open[depth - 1] == region) { // the usual case: the innermost region ends
      open[--depth] = null;
      if (depth > 0 && open[depth - 1].isEnded()) {
        dropEndedOnTop();
      }
      return;
    }
    for (int i = depth - 1; i >= 0; i--) {
      if (open[i] == region) {
        for (int j = depth - 1; j > i; j--) {
          if (!open[j].isEnded()) {
            Misuse.report(
                "region-out-of-order",
                "region '" + region.type() + "' ended before the region nested in it, '" + open[j].type() + "'");
            break;
          }
        }
        System.arraycopy(open, i + 1, open, i, depth - i - 1);
        open[--depth] = null;
        dropEndedOnTop();
        return;
      }
    }
  }

  private void dropEndedOnTop() {
    while (depth > 0 && open[depth - 1].isEnded()) {
      open[--depth] = null;
    }
  }
}
