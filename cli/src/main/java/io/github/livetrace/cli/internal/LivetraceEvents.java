package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrEvent;
import io.github.livetrace.cli.internal.jfr.JfrThread;
import io.github.livetrace.internal.ChunkHeader;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.internal.EventNames;

/**
 * The fields of livetrace's own events that {@code tasks} and {@code export} decode, as tags and
 * slots of an {@link EventSelection}: one selection, so that both read the same fields the same
 * way.
 *
 * <p>How a trace tells of a task. Since livetrace 0.2 a task writes one event, {@code TaskEnd},
 * which holds its begin: its duration, and the thread that created it when another. A task still
 * open when a chunk ends is an {@code OpenTask} at that chunk's end, repeated in every chunk while
 * it is open: only the last chunk of a JVM in a file says what was open at the end, and the
 * readers look at no other (a task open in an earlier one has its {@code TaskEnd} later, or is in
 * the last one too), except a window of the timeline, which reads the chunk before it for its open
 * tasks ({@link WindowExport}). A task that ends while a chunk's open tasks are written may have
 * both its {@code OpenTask} and its {@code TaskEnd} in that chunk. A {@code TaskBegin} is written only for a task that livetrace could not keep
 * track of, and its end says so ({@code beginEvent}); livetrace 0.1 wrote one for every task, and
 * its ends lack that field: {@link #endHasBegin} tells the two apart, so that old traces read as
 * they did.
 */
final class LivetraceEvents {
  static final int OTHER = 0;
  static final int TASK_BEGIN = 1;
  static final int TASK_END = 2;
  static final int REGION = 3;
  static final int LOG = 4;
  static final int MISUSE = 5;
  static final int OPEN_TASK = 6;
  /** Tags from here on are the caller's own. */
  static final int FIRST_FREE_TAG = 7;

  /** Whether the tag is of an event that names a task's type: a begin, an end or an open task. */
  static boolean isTaskEvent(int tag) {
    return tag == TASK_BEGIN || tag == TASK_END || tag == OPEN_TASK;
  }

  // Slots of task begins, ends and open tasks.
  static final int TASK_ID = 0;
  static final int PARENT_ID = 1;
  static final int TASK_TYPE = 2;
  static final int TASK_DURATION = 3;
  static final int BEGIN_THREAD = 4;
  static final int BEGIN_EVENT = 5;
  // Slots of regions and logs; TASK_ID is slot 0 of both.
  static final int REGION_TYPE = 1;
  static final int CATEGORY = 1;
  static final int MESSAGE = 2;
  // Slots of misuse reports.
  static final int KIND = 0;
  static final int MISUSE_MESSAGE = 1;

  private LivetraceEvents() {}

  /**
   * The selection for a livetrace event type; for any other type, none of its fields under the
   * tag {@link #OTHER}.
   *
   * @param messages whether log messages are decoded (they are most of a log's bytes)
   */
  static EventSelection select(JfrType type, boolean messages) {
    switch (type.name()) {
      case EventNames.TASK_BEGIN:
        return EventSelection.of(TASK_BEGIN, "taskId", "parentId", "taskType");
      case EventNames.TASK_END:
        return EventSelection.of(TASK_END, "taskId", "parentId", "taskType", "taskDuration", "beginThread", "beginEvent");
      case EventNames.OPEN_TASK:
        return EventSelection.of(OPEN_TASK, "taskId", "parentId", "taskType", "taskDuration", "beginThread");
      case EventNames.REGION:
        return EventSelection.of(REGION, "taskId", "regionType");
      case EventNames.LOG:
        return messages
            ? EventSelection.of(LOG, "taskId", "category", "message")
            : EventSelection.of(LOG, "taskId", "category");
      case EventNames.MISUSE:
        return EventSelection.of(MISUSE, "kind", "message").withStackTrace();
      default:
        return EventSelection.of(OTHER);
    }
  }

  /**
   * Whether a {@code TaskEnd} has a {@code TaskBegin} to pair with: when one was written for it,
   * and in traces of livetrace 0.1, where every task begun in the trace has one. Otherwise the end
   * alone is the whole task.
   */
  static boolean endHasBegin(JfrEvent end) {
    return endHasBegin(end, BEGIN_EVENT);
  }

  /** {@link #endHasBegin(JfrEvent)}, for a selection of its own that has {@code beginEvent} in that slot. */
  static boolean endHasBegin(JfrEvent end, int beginEventSlot) {
    return !end.has(beginEventSlot) || end.longValue(beginEventSlot) != 0;
  }

  /**
   * When the task of a {@code TaskEnd} or {@code OpenTask} began: its duration before the event's
   * start, which is its time (a reused end event's JFR duration is a leftover of a few ns).
   */
  static long beginNanos(JfrEvent event) {
    return event.startNanos() - event.longValue(TASK_DURATION);
  }

  /** The thread that created the task of a {@code TaskEnd} (its own when none is named) or {@code OpenTask}. */
  static JfrThread beginThread(JfrEvent event) {
    JfrThread begin = event.thread(BEGIN_THREAD);
    return begin != null || event.tag() == OPEN_TASK ? begin : event.thread();
  }

  /**
   * By chunk index, whether the chunk ends a recording: no chunk of the same JVM begins where it
   * ends (JFR begins the next chunk of a recording at the instant it ends the last). Its {@code
   * OpenTask} events tell what was open at the end of a trace, where a file may hold several,
   * pulled or concatenated.
   */
  static boolean[] endsOfRecordings(List<ChunkHeader> chunks, int[] jvmOfChunk) {
    Set<String> starts = new HashSet<>();
    for (int i = 0; i < chunks.size(); i++) {
      starts.add(jvmOfChunk[i] + "@" + chunks.get(i).startNanos());
    }
    boolean[] last = new boolean[chunks.size()];
    for (int i = 0; i < chunks.size(); i++) {
      last[i] = !starts.contains(jvmOfChunk[i] + "@" + chunks.get(i).endNanos());
    }
    return last;
  }
}
