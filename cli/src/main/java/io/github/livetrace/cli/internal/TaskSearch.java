package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrEventHandler;
import io.github.livetrace.cli.internal.jfr.JfrType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * First pass of {@code tasks}: finds the slowest tasks that match a filter, keeping only the
 * state of open tasks ({@link TaskTracker}) and the best {@code limit} candidates so far.
 *
 * <p>A task's duration is its {@code taskDuration}; a task still open when the trace ended is
 * measured up to the end of the trace and marked unfinished. A task whose type is unknown (it
 * began before the trace and did not end in it) is not listed.
 */
public final class TaskSearch implements JfrEventHandler {
  /**
   * What to look for.
   *
   * @param type only tasks of this type; null for any
   * @param minNanos only tasks at least this long
   * @param maxNanos only tasks at most this long
   * @param text only tasks whose type, region types, log categories or log messages contain this,
   *     ignoring case; null for any
   * @param limit how many to keep, slowest first
   */
  public record Filter(String type, long minNanos, long maxNanos, String text, int limit) {}

  /**
   * A task that matched.
   *
   * @param taskId its id
   * @param type its type
   * @param parentId the task it was created in; 0 for none
   * @param beginNanos when it began, nanoseconds since the epoch
   * @param begunInTrace whether its begin event is in the trace; if not, {@code beginNanos} is its
   *     end minus its duration
   * @param durationNanos how long it took, or for an unfinished one how long it had run
   * @param ended whether its end is in the trace
   */
  public record Match(
      long taskId,
      String type,
      long parentId,
      long beginNanos,
      boolean begunInTrace,
      long durationNanos,
      boolean ended) {}

  private static final class TaskState {
    String type;
    long parentId;
    long beginNanos = Long.MIN_VALUE;
    boolean begunInTrace;
    long durationNanos;
    boolean textFound;
  }

  private static final Comparator<Match> SLOWEST_FIRST =
      Comparator.comparingLong(Match::durationNanos).reversed().thenComparingLong(Match::taskId);

  private final Filter filter;
  private final long traceEndNanos;
  private final TaskTracker<TaskState> tracker;
  private final PriorityQueue<Match> best; // the fastest of the best on top, to be evicted first
  private long tasksSeen;
  private long matches;

  public TaskSearch(TraceFile file, Filter filter) {
    this.filter = filter;
    this.traceEndNanos = file.endNanos();
    this.tracker = new TaskTracker<>(file.chunks(), id -> new TaskState(), this::retired);
    this.best = new PriorityQueue<>(SLOWEST_FIRST.reversed());
  }

  /** Regions and logs matter only to a text filter: without one, none of their fields is decoded. */
  @Override
  public EventSelection select(JfrType type) {
    EventSelection selection = LivetraceEvents.select(type, filter.text() != null);
    boolean needed = filter.text() != null
        || selection.tag() == LivetraceEvents.TASK_BEGIN || selection.tag() == LivetraceEvents.TASK_END;
    return needed ? selection : EventSelection.of(LivetraceEvents.OTHER);
  }

  @Override
  public void event(JfrEvent event) {
    int tag = event.tag();
    if (tag == LivetraceEvents.OTHER || tag == LivetraceEvents.MISUSE) {
      return;
    }
    long end = event.endNanos();
    tracker.advance(end);
    switch (tag) {
      case LivetraceEvents.TASK_BEGIN: {
        TaskState task = tracker.begun(event.longValue(LivetraceEvents.TASK_ID));
        task.type = event.string(LivetraceEvents.TASK_TYPE);
        task.parentId = event.longValue(LivetraceEvents.PARENT_ID);
        task.beginNanos = event.startNanos();
        task.begunInTrace = true;
        break;
      }
      case LivetraceEvents.TASK_END: {
        TaskState task = tracker.ended(event.longValue(LivetraceEvents.TASK_ID), end);
        if (task != null) {
          task.type = event.string(LivetraceEvents.TASK_TYPE);
          task.parentId = event.longValue(LivetraceEvents.PARENT_ID);
          task.durationNanos = event.longValue(LivetraceEvents.TASK_DURATION);
          if (!task.begunInTrace) {
            task.beginNanos = end - task.durationNanos;
          }
        }
        break;
      }
      case LivetraceEvents.REGION:
        if (filter.text() != null) {
          TaskState task = tracker.touched(event.longValue(LivetraceEvents.TASK_ID), end);
          if (task != null && !task.textFound) {
            task.textFound = contains(event.string(LivetraceEvents.REGION_TYPE), filter.text());
          }
        }
        break;
      default: // a log
        if (filter.text() != null) {
          TaskState task = tracker.touched(event.longValue(LivetraceEvents.TASK_ID), end);
          if (task != null && !task.textFound) {
            task.textFound = contains(event.string(LivetraceEvents.CATEGORY), filter.text())
                || contains(event.string(LivetraceEvents.MESSAGE), filter.text());
          }
        }
        break;
    }
  }

  private void retired(long taskId, TaskState task, boolean ended) {
    if (task.type == null) {
      return; // only regions or logs of a task that began before the trace: no type, no duration
    }
    tasksSeen++;
    long duration = ended ? task.durationNanos : traceEndNanos - task.beginNanos;
    if (filter.type() != null && !filter.type().equals(task.type)) {
      return;
    }
    if (duration < filter.minNanos() || duration > filter.maxNanos()) {
      return;
    }
    if (filter.text() != null && !task.textFound && !contains(task.type, filter.text())) {
      return;
    }
    matches++;
    best.add(new Match(taskId, task.type, task.parentId, task.beginNanos, task.begunInTrace, duration, ended));
    if (best.size() > filter.limit()) {
      best.poll();
    }
  }

  /** Retires what is left and returns the matches, slowest first. */
  public List<Match> finish() {
    tracker.finish();
    List<Match> result = new ArrayList<>(best);
    result.sort(SLOWEST_FIRST);
    return result;
  }

  /** Tasks with a known type in the trace. */
  public long tasksSeen() {
    return tasksSeen;
  }

  /** The most tasks whose state was held at once. */
  public int peakLiveTasks() {
    return tracker.peakLiveTasks();
  }

  /** Tasks that matched the filter, including those beyond the limit. */
  public long matches() {
    return matches;
  }

  /** Whether {@code text} contains {@code part}, ignoring case. */
  static boolean contains(String text, String part) {
    if (text == null) {
      return false;
    }
    int last = text.length() - part.length();
    for (int i = 0; i <= last; i++) {
      if (text.regionMatches(true, i, part, 0, part.length())) {
        return true;
      }
    }
    return false;
  }
}
