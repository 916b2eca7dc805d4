package io.github.livetrace;

import io.github.livetrace.internal.Misuse;
import java.util.Arrays;

/**
 * What livetrace keeps per thread: the current task, and the regions open on the thread,
 * innermost last, so that a region ended out of nesting order is noticed.
 *
 * <p>Only the owning thread touches an instance. A region ended from another thread is only
 * marked ended; the owner drops it from its stack when it next pushes or pops.
 */
final class ThreadState {
  /** Regions tracked per thread; deeper nesting still records, but is not checked. */
  static final int MAX_OPEN_REGIONS = 256;

  private static final ThreadLocal<ThreadState> STATE = ThreadLocal.withInitial(ThreadState::new);

  Task current = Task.BACKGROUND;
  private Region[] open = new Region[8];
  private int depth;

  static ThreadState get() {
    return STATE.get();
  }

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

  /** Untracks a region its own thread just ended, reporting wrong nesting. */
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
        if (i != depth - 1) {
          Misuse.report(
              "region-out-of-order",
              "region '" + region.type() + "' ended before the region nested in it, '"
                  + open[depth - 1].type() + "'");
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
