package io.github.livetrace.cli.internal;

import io.github.livetrace.cli.internal.jfr.EventSelection;
import io.github.livetrace.cli.internal.jfr.JfrType;
import io.github.livetrace.internal.EventNames;

/**
 * The fields of livetrace's own events that {@code tasks} and {@code export} decode, as tags and
 * slots of an {@link EventSelection}: one selection, so that both read the same fields the same
 * way.
 */
final class LivetraceEvents {
  static final int OTHER = 0;
  static final int TASK_BEGIN = 1;
  static final int TASK_END = 2;
  static final int REGION = 3;
  static final int LOG = 4;
  static final int MISUSE = 5;
  /** Tags from here on are the caller's own. */
  static final int FIRST_FREE_TAG = 6;

  // Slots of task begins and ends.
  static final int TASK_ID = 0;
  static final int PARENT_ID = 1;
  static final int TASK_TYPE = 2;
  static final int TASK_DURATION = 3;
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
        return EventSelection.of(TASK_END, "taskId", "parentId", "taskType", "taskDuration");
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
}
